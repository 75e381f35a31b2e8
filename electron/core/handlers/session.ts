import type { StaffSession } from '../api/contract'
import { RpcFault } from '../api/dispatch'
import type { Clock } from '../clock'
import type { Db } from '../store/db'
import { getNumberSetting } from '../store/settings'

export const DEFAULT_SIGNOUT_AFTER_MINUTES = 15
type Role = StaffSession['roles'][number]

export interface Session {
  /** The signed-in member of staff, or null; a session idle for too long has ended. */
  current(): StaffSession | null
  start(staff: StaffSession): void
  end(): void
  /**
   * The signed-in member of staff (with `role`, if given), or an RpcFault. A cashier's own
   * action (`touch`, the default) counts as activity; a background read does not.
   */
  signedIn(role?: Role, opts?: { touch?: boolean }): StaffSession
  /** Runs whenever the signed-in member of staff goes (sign-out, idle time-out, someone else signs in): manager mode locks with it. */
  onEnd(listener: () => void): void
}

/**
 * The cashier's sign-in, held in memory only (a restarted till asks for the PIN again). It ends
 * `signout_after_minutes` (setting) after the cashier's last action, so a till left open at the
 * counter does not stay open for whoever walks by.
 */
export function createSession(db: Db, clock: Clock): Session {
  let staff: StaffSession | null = null
  let lastActivity = 0
  const endListeners: (() => void)[] = []
  const ended = () => endListeners.forEach((l) => l())
  const idleLimitMs = () => getNumberSetting(db, 'signout_after_minutes', DEFAULT_SIGNOUT_AFTER_MINUTES) * 60_000

  function current(): StaffSession | null {
    if (staff && clock.now().getTime() - lastActivity >= idleLimitMs()) {
      staff = null
      ended()
    }
    return staff
  }

  return {
    current,
    start(s) {
      if (staff) ended()
      staff = s
      lastActivity = clock.now().getTime()
    },
    end() {
      staff = null
      ended()
    },
    signedIn(role, opts) {
      const s = current()
      if (!s) throw new RpcFault('not-signed-in', 'Sign in with a PIN first')
      if (role && !s.roles.includes(role)) throw new RpcFault('forbidden', `${s.name} may not use the ${role} mode`)
      if (opts?.touch ?? true) lastActivity = clock.now().getTime()
      return s
    },
    onEnd(listener) {
      endListeners.push(listener)
    },
  }
}
