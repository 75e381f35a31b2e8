/** Time is injected so rules and sync are testable (same shape as the till's Clock). */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }
