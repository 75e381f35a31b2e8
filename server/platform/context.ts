import type { Clock } from './clock'
import type { Db } from '../db'
import type { ChangeFeed } from './feed'
import type { PaymentProvider } from '../payments/provider'
import type { Mailer } from './mailer'
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
  /** null: payments are off (no provider configured): top-ups are refused, auto top-ups wait. */
  readonly payments: PaymentProvider | null
  /** null: no mail is sent (receipts included); chosen explicitly (platform/mailer.ts). */
  readonly mailer: Mailer | null
  /** The key CPR numbers are hashed under (platform/crypto.ts resolveCprKey); never in the database. */
  readonly cprKey: string
  readonly log: Log
  /** Wakes the auto top-up worker after a sale that queued a job has committed. */
  readonly kickTopups: () => void
}
