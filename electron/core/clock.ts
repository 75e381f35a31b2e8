import { randomUUID } from 'node:crypto'

/** Time and randomness are injected so rules and sync are testable. */
export interface Clock {
  now(): Date
}
export interface Ids {
  uuid(): string
}

export const systemClock: Clock = { now: () => new Date() }
export const systemIds: Ids = { uuid: () => randomUUID() }
