import type { Clock } from '../clock'

/**
 * Is the till online? Whether it is decides the rules a sale is judged by (online: the balance;
 * offline: the balance plus an allowance, under a cap), so one lost packet must not hand out the
 * offline allowance, and a server that answers 503 is not one the till is in touch with.
 *
 * Online means: the last exchange with the server succeeded, and not long ago. An exchange is a
 * whole sync cycle (push, then pull): it succeeds only when every request in it got a 2xx answer
 * the till could use. Anything else — no connection, a reset, a timeout, a 5xx, a 4xx — is a
 * failure. The till goes offline after `failuresToOffline` failures in a row (default 2: one
 * failed request is retried before anyone is told), or when no exchange has succeeded for
 * `silenceMs` (a till whose cycles hang is not online either). It is online again at the first
 * success. Before the first success it is offline.
 */
export interface ReachabilityOptions {
  failuresToOffline?: number
  silenceMs?: number
}

export const DEFAULT_FAILURES_TO_OFFLINE = 2

export class Reachability {
  private lastSuccessAt: number | null = null
  private failuresInRow = 0
  private readonly failuresToOffline: number
  private readonly silenceMs: number

  constructor(
    private readonly clock: Clock,
    opts: ReachabilityOptions = {},
  ) {
    this.failuresToOffline = opts.failuresToOffline ?? DEFAULT_FAILURES_TO_OFFLINE
    this.silenceMs = opts.silenceMs ?? 90_000
  }

  succeeded(): void {
    this.lastSuccessAt = this.clock.now().getTime()
    this.failuresInRow = 0
  }

  failed(): void {
    this.failuresInRow++
  }

  online(): boolean {
    if (this.lastSuccessAt === null || this.failuresInRow >= this.failuresToOffline) return false
    return this.clock.now().getTime() - this.lastSuccessAt <= this.silenceMs
  }
}
