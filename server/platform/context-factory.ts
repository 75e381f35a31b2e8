import { Background } from './background'
import { systemClock, type Clock } from './clock'
import { silentLog, type Log, type ServerContext } from './context'
import type { Db } from '../db'
import { ChangeFeed } from './feed'
import { TopupWorker } from '../payments/auto-topup'
import { listenToProvider } from '../payments/deposits'
import type { PaymentProvider } from '../payments/provider'
import { SimulatedProvider } from '../payments/simulated'

export interface ContextOptions {
  db: Db
  clock?: Clock
  payments?: PaymentProvider
  log?: Log
}

export interface RunningContext extends ServerContext {
  /** Resolves when no background work (captures, top-ups) is pending: for tests and shutdown. */
  idle(): Promise<void>
  /** Stops listening to the provider; waits for running work. */
  close(): Promise<void>
}

/** Without `payments`, the simulated provider: a fresh machine runs the whole flow with no account anywhere. */
export function createContext(opts: ContextOptions): RunningContext {
  const log = opts.log ?? silentLog
  const background = new Background(log)
  const payments = opts.payments ?? new SimulatedProvider()
  // The worker needs the context and the context wakes the worker: the getter breaks the cycle
  // (it is first called after the context exists).
  const topups: TopupWorker = new TopupWorker(() => ctx, (name, fn) => background.run(name, fn))
  const ctx: RunningContext = {
    db: opts.db,
    clock: opts.clock ?? systemClock,
    feed: new ChangeFeed(),
    payments,
    log,
    kickTopups: () => topups.kick(),
    async idle() {
      // A capture may start work that starts a capture: settle both until neither has any.
      const provider = payments as PaymentProvider & Partial<Pick<SimulatedProvider, 'idle' | 'pending'>>
      do {
        await provider.idle?.()
        await background.idle()
      } while ((provider.pending?.() ?? 0) > 0 || background.busy)
    },
    async close() {
      stopListening()
      await background.idle()
    },
  }
  const stopListening = listenToProvider(ctx, (name, fn) => background.run(name, fn))
  return ctx
}
