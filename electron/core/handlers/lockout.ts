import type { Clock } from '../clock'
import type { Db } from '../store/db'
import { getNumberSetting, getSetting, setSetting } from '../store/settings'

/** Wrong PINs allowed before the till starts making the next try wait. */
export const FREE_TRIES = 3
const DELAYS_S = [30, 60, 120, 300, 600, 900]

/**
 * Seconds the till waits after the `failures`-th wrong PIN in a row: nothing for the first few
 * (fingers slip), then growing to a cap, so the 10,000 four-digit PINs take weeks, not minutes.
 */
export function lockoutSeconds(failures: number): number {
  if (failures <= FREE_TRIES) return 0
  return DELAYS_S[Math.min(failures - FREE_TRIES - 1, DELAYS_S.length - 1)]!
}

/**
 * The lockout lives in the till's settings table, so restarting the till (or the machine) does
 * not hand out fresh tries.
 */
export function createLockout(db: Db, clock: Clock) {
  return {
    /** Seconds left of the current lockout; 0 when a PIN may be tried. */
    waitSeconds(): number {
      const until = getSetting(db, 'pin_locked_until')
      if (!until) return 0
      return Math.max(0, Math.ceil((Date.parse(until) - clock.now().getTime()) / 1000))
    },
    /** Counts a wrong PIN; returns the lockout it starts (0: none). */
    failed(): number {
      return db.transaction(() => {
        const failures = getNumberSetting(db, 'pin_failures', 0) + 1
        setSetting(db, 'pin_failures', failures)
        const wait = lockoutSeconds(failures)
        if (wait > 0) setSetting(db, 'pin_locked_until', new Date(clock.now().getTime() + wait * 1000).toISOString())
        return wait
      })()
    },
    succeeded(): void {
      db.prepare("DELETE FROM settings WHERE key IN ('pin_failures', 'pin_locked_until')").run()
    },
  }
}
