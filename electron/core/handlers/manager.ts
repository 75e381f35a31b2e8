import type { ManagerResults, ManagerStatus } from '../api/areas/manager'
import { RpcFault } from '../api/dispatch'
import { getSetting } from '../store/settings'
import { relayManagerRequest, type RelayAnswer } from '../sync/relay'
import type { AreaHandlers } from './area'
import type { HandlerContext } from './context'

/** The server's session lasts 30 min after its last use, at most 8 h after it began (server/manager/auth.ts). */
export const MANAGER_IDLE_MS = 30 * 60_000
export const MANAGER_MAX_MS = 8 * 60 * 60_000

interface Held {
  token: string
  staffId: string
  staffName: string
  startedAt: number
  expiresAt: number
}

const record = (body: unknown): Record<string, unknown> => (typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {})

/**
 * Manager mode's door to the server (api/areas/manager.ts). The manager's session token lives in
 * this closure only: never in the store, never sent to the page. It belongs to the member of
 * staff who unlocked it and ends with their sign-in (session.onEnd), at its expiry, or when the
 * server says it is no longer valid.
 */
export function managerHandlers(ctx: HandlerContext): AreaHandlers<ManagerResults> {
  let held: Held | null = null

  function server(): { serverUrl: string; deviceToken: string } | null {
    const serverUrl = getSetting(ctx.db, 'server_url')
    const deviceToken = getSetting(ctx.db, 'device_token')
    return serverUrl && deviceToken ? { serverUrl, deviceToken } : null
  }

  /** Forgets the session here and, best effort, ends it on the server (a lost DELETE just lets it expire). */
  function lock(): void {
    const was = held
    held = null
    const where = server()
    if (!was || !where) return
    void relayManagerRequest({ method: 'DELETE', path: '/manager/session', session: was.token }, { ...where, timeoutMs: 5_000 }).catch(() => {})
  }
  ctx.session.onEnd(lock)

  /** The session still held for `staffId`, or null (dropped when expired or someone else's). */
  function current(staffId: string | null): Held | null {
    if (held && (held.staffId !== staffId || ctx.clock.now().getTime() >= held.expiresAt)) lock()
    return held
  }

  function status(): ManagerStatus {
    const h = current(ctx.session.current()?.staffId ?? null)
    return h ? { unlocked: true, staffName: h.staffName, expiresAt: new Date(h.expiresAt).toISOString() } : { unlocked: false, staffName: null, expiresAt: null }
  }

  async function unlock(pin: string): Promise<ManagerResults['manager.unlock']> {
    const staff = ctx.session.signedIn('manager')
    const where = server()
    if (!where) return { ok: false, reason: 'not-enrolled' }
    const answer = await relayManagerRequest({ method: 'POST', path: '/manager/session', body: { staffId: staff.staffId, pin } }, where)
    if (!answer) throw new Error('the session path left /manager/')
    const body = record(answer.body)
    if (answer.status === 0) return { ok: false, reason: 'server-unreachable' }
    if (answer.status === 200 && typeof body.token === 'string') {
      // The staff member may have signed out while the server answered: then nothing is kept.
      if (ctx.session.current()?.staffId !== staff.staffId) {
        held = { token: body.token, staffId: staff.staffId, staffName: staff.name, startedAt: 0, expiresAt: 0 }
        lock()
        throw new RpcFault('not-signed-in', 'Signed out while unlocking manager mode')
      }
      lock()
      // Timed on the till's own clock (the server's may differ): the server's 401 is the last word anyway.
      const now = ctx.clock.now().getTime()
      const name = typeof record(body.staff).name === 'string' ? (record(body.staff).name as string) : staff.name
      held = { token: body.token, staffId: staff.staffId, staffName: name, startedAt: now, expiresAt: now + MANAGER_IDLE_MS }
      ctx.log('info', 'manager mode unlocked', { staffId: staff.staffId })
      return { ok: true, status: status() }
    }
    if (answer.status === 401 && body.error === 'sign-in-refused') return { ok: false, reason: 'pin-wrong' }
    if (answer.status === 403 && body.error === 'not-a-manager') return { ok: false, reason: 'not-a-manager' }
    if (answer.status === 429) {
      const wait = Number(body.retryAfterSeconds)
      return { ok: false, reason: 'locked', retryAfterSeconds: Number.isFinite(wait) && wait > 0 ? Math.ceil(wait) : 60 }
    }
    return { ok: false, reason: 'refused', status: answer.status, error: typeof body.error === 'string' ? body.error : 'unknown' }
  }

  async function request(req: Parameters<AreaHandlers<ManagerResults>['manager.request']>[0]): Promise<RelayAnswer> {
    const staff = ctx.session.signedIn('manager')
    const h = current(staff.staffId)
    if (!h) return { status: 401, body: { error: 'manager-session-required', message: 'Unlock manager mode with your PIN first' } }
    // The session routes are unlock's and lock's own: the page never sees the token to use them.
    if (/^\/manager\/session\/?$/.test(req.path)) throw new RpcFault('bad-argument', 'manager.request: use manager.unlock and manager.lock for the session')
    const where = server()
    if (!where) return { status: 0, body: { error: 'not-enrolled', message: 'The till is not enrolled with a server yet' } }
    const answer = await relayManagerRequest({ ...req, session: h.token }, where)
    if (!answer) throw new RpcFault('bad-argument', 'manager.request: the path must stay under /manager/')
    if (answer.status === 401 && record(answer.body).error === 'manager-session-required') {
      if (held === h) held = null
    } else if (answer.status !== 0 && held === h) {
      // Each use extends the server's session (30 min, at most 8 h after it began): mirror that.
      const now = ctx.clock.now().getTime()
      h.expiresAt = Math.max(h.expiresAt, Math.min(now + MANAGER_IDLE_MS, h.startedAt + MANAGER_MAX_MS))
    }
    return answer
  }

  return {
    'manager.unlock': ({ pin }) => unlock(pin),
    'manager.request': (req) => request(req),
    'manager.lock': () => {
      lock()
      return status()
    },
    'manager.status': () => status(),
  }
}
