import type { Clock } from './clock'
import type { Db } from '../db'
import type { ChangeFeed } from './feed'
import type { PaymentProvider } from '../payments/provider'
import type { WriteDeps } from './tx'

/** The subset of a pino/Fastify logger the services use. */
export interface Log {
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

export const silentLog: Log = { info: () => {}, warn: () => {}, error: () => {} }

/** Everything a service function needs; tests build one with `createContext` (server/platform/context-factory.ts). */
export interface ServerContext extends WriteDeps {
  readonly db: Db
  readonly clock: Clock
  readonly feed: ChangeFeed
  readonly payments: PaymentProvider
  readonly log: Log
  /** Wakes the auto top-up worker after a sale that queued a job has committed. */
  readonly kickTopups: () => void
}
