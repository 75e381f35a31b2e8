/**
 * One idempotency key per payment attempt. An attempt whose answer was lost (the network, a
 * 5xx) is retried with the same key, so the server pays at most once; an attempt the server
 * answered (paid or refused) is over, and the next press of "pay" is a new attempt with a new key.
 */
import type { GuardianError } from '../client'

export interface Attempt<T> {
  key: string
  /** What the attempt sends (amount, card token, …): a retry sends exactly the same. */
  body: T
}

export function newAttempt<T>(body: T, makeKey: () => string = () => crypto.randomUUID()): Attempt<T> {
  return { key: makeKey(), body }
}

/** True when the server may or may not have acted: the same attempt must be retried, not a new one. */
export function outcomeUnknown(err: GuardianError): boolean {
  return err.status === 0 || err.status >= 500
}
