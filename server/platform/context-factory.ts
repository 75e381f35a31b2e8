import { Background } from './background'
import { systemClock, systemTimers, type Clock, type Timers } from './clock'
import { DEMO_CPR_KEY } from './crypto'
import { silentLog, type Log, type ServerContext } from './context'
import type { Db } from '../db'
import { ChangeFeed } from './feed'
import { createMailer, type MailerOption } from './mailer'
import { TopupWorker } from '../payments/auto-topup'
import { listenToProvider } from '../payments/deposits'
import type { PaymentProvider } from '../payments/provider'
import { SimulatedProvider, simulatedStore } from '../payments/simulated'

/**
 * A provider, or 'simulated' (the stand-in, its state kept in this database), or 'off'. There is
 * no silent default in production: cli.ts chooses, and says which at start.
 */
export type PaymentsOption = PaymentProvider | 'simulated' | 'off'

export interface ContextOptions {
  db: Db
  clock?: Clock
  /** Default 'off'. */
  payments?: PaymentsOption
  log?: Log
  /** Default: the demo key (demo and test data only; cli.ts requires a real one otherwise). */
  cprKey?: string
  timers?: Timers
  /** Default 'off': no mail is sent. */
  mailer?: MailerOption
}

export function paymentsMode(option: PaymentsOption | undefined): 'off' | 'simulated' | 'provider' {
  if (option === undefined || option === 'off') return 'off'
  if (option === 'simulated' || option instanceof SimulatedProvider) return 'simulated'
  return 'provider'
}

export interface RunningContext extends ServerContext {
  /** Resolves when no background work (captures, top-ups) is pending: for tests and shutdown. */
  idle(): Promise<void>
  /** Stops listening to the provider; waits for running work. */
  close(): Promise<void>
}

export function createContext(opts: ContextOptions): RunningContext {
  const log = opts.log ?? silentLog
  const background = new Background(log)
  const clock = opts.clock ?? systemClock
  const payments: PaymentProvider | null =
    opts.payments === undefined || opts.payments === 'off'
      ? null
      : opts.payments === 'simulated'
        ? new SimulatedProvider({ store: simulatedStore(opts.db) })
        : opts.payments
  // The worker needs the context and the context wakes the worker: the getter breaks the cycle
  // (it is first called after the context exists).
  const topups: TopupWorker = new TopupWorker(() => ctx, (name, fn) => background.run(name, fn), clock, opts.timers ?? systemTimers)
  const ctx: RunningContext = {
    db: opts.db,
    clock,
    feed: new ChangeFeed(),
    payments,
    mailer: createMailer(opts.mailer, opts.db),
    cprKey: opts.cprKey ?? DEMO_CPR_KEY,
    log,
    kickTopups: () => topups.kick(),
    async idle() {
      // A capture may start work that starts a capture: settle both until neither has any.
      const provider = payments as (PaymentProvider & Partial<Pick<SimulatedProvider, 'idle' | 'pending'>>) | null
      do {
        await provider?.idle?.()
        await background.idle()
      } while ((provider?.pending?.() ?? 0) > 0 || background.busy)
    },
    async close() {
      topups.close()
      stopListening()
      await background.idle()
    },
  }
  const stopListening = listenToProvider(ctx, (name, fn) => background.run(name, fn))
  // Captures a restart interrupted: their events are delivered now that someone listens.
  if (payments instanceof SimulatedProvider) background.run('payments.resume', () => payments.resume())
  return ctx
}
