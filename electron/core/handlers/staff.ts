import type { StaffResults } from '../api/areas/staff'
import { staffWithPin } from '../pin'
import { getSetting } from '../store/settings'
import { staffAt } from '../store/staff'
import type { AreaHandlers } from './area'
import type { HandlerContext } from './context'
import { createLockout } from './lockout'

export function staffHandlers(ctx: HandlerContext): AreaHandlers<StaffResults> {
  const lockout = createLockout(ctx.db, ctx.clock)
  // Sign-ins run one at a time: parallel guesses would all pass the lockout check before the
  // first wrong PIN is counted.
  let queue: Promise<unknown> = Promise.resolve()

  async function signIn(pin: string): Promise<StaffResults['staff.signIn']> {
    const staff = staffAt(ctx.db, getSetting(ctx.db, 'location_id'))
    // A till that never reached its server knows nobody: say so, not "wrong PIN".
    if (staff.length === 0) return { ok: false, reason: 'not-enrolled' }
    const wait = lockout.waitSeconds()
    if (wait > 0) return { ok: false, reason: 'locked', retryAfterSeconds: wait }
    const matches = await staffWithPin(pin, staff)
    if (matches.length > 1) {
      // A right PIN, not a guess; but whose? Nobody is signed in until a manager gives one of them a new PIN.
      lockout.succeeded()
      ctx.log('warn', 'a PIN fits more than one member of staff', { staffIds: matches.map((s) => s.id) })
      return { ok: false, reason: 'pin-ambiguous' }
    }
    const s = matches[0]
    if (s) {
      lockout.succeeded()
      const session = { staffId: s.id, name: s.name, roles: s.roles }
      ctx.session.start(session)
      return { ok: true, session }
    }
    const locked = lockout.failed()
    return locked > 0 ? { ok: false, reason: 'locked', retryAfterSeconds: locked } : { ok: false, reason: 'pin-wrong' }
  }

  return {
    'staff.signIn': ({ pin }) => {
      const result = queue.then(() => signIn(pin))
      queue = result.catch(() => {})
      return result
    },
    'staff.signOut': () => {
      ctx.session.end()
      return null
    },
    'staff.current': () => ctx.session.current(),
  }
}
