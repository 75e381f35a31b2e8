/** Time is injected so rules and sync are testable (same shape as the till's Clock). */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

/** Timers are injected like the clock, so retries and throttles are testable without waiting. */
export interface Timers {
  /** Milliseconds on a monotonic clock, for spacing timers (not the business clock: a test's Clock stands still). */
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/** Node's timers, unref'd: a pending retry never keeps the process alive on its own. */
export const systemTimers: Timers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
}
