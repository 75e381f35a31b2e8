/**
 * The kiosk's side of the device-authorization grant (RFC 8628): what to do with each answer of
 * POST /guardian/token. Kept apart from the screen so every answer is tested.
 */
import { GuardianError } from '../client'

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
/** RFC 8628 §3.5: slow_down adds 5 s to the interval, for the rest of this grant. */
export const SLOW_DOWN_SECONDS = 5

export type PollStep =
  /** Ask again after `intervalSeconds`. */
  | { next: 'wait'; intervalSeconds: number; offline?: boolean }
  /** The code ran out: show a new one. */
  | { next: 'expired' }
  /** The parent said no on the phone. */
  | { next: 'denied' }

/** After a failed poll: wait (possibly longer), or stop. */
export function afterPollError(err: unknown, intervalSeconds: number): PollStep {
  const code = err instanceof GuardianError ? err.code : 'unexpected'
  switch (code) {
    case 'authorization_pending':
      return { next: 'wait', intervalSeconds }
    case 'slow_down':
      return { next: 'wait', intervalSeconds: intervalSeconds + SLOW_DOWN_SECONDS }
    case 'access_denied':
      return { next: 'denied' }
    case 'expired_token':
    case 'invalid_grant':
      return { next: 'expired' }
    default:
      // Unreachable server, a fault, a rate limit: keep the code on screen and try again.
      return { next: 'wait', intervalSeconds, offline: true }
  }
}
