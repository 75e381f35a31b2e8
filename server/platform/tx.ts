import type { Clock } from './clock'
import type { Db, Sql } from '../db'
import type { ChangeFeed } from './feed'

/** A write transaction: SQL plus what must happen once it has committed. */
export interface Tx extends Sql {
  /** The clock read once at the start of the transaction: one instant for all its rows. */
  readonly now: Date
  /** This transaction appended to the municipality's change log: poke its tills after COMMIT. */
  touched(municipalityId: string): void
  /** Runs after COMMIT (never after a rollback), e.g. kicking the auto top-up worker. */
  afterCommit(fn: () => void): void
}

export interface WriteDeps {
  db: Db
  clock: Clock
  feed: ChangeFeed
}

/** SQLSTATEs after which the whole transaction may simply be run again. */
const RETRYABLE = new Set(['40001', '40P01'])
const ATTEMPTS = 3

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && RETRYABLE.has(code)
}

/**
 * Every server write goes through here. `fn` may run more than once (deadlock or serialization
 * failure), so it must not have effects outside the database; those go in `afterCommit`.
 */
export async function write<T>(deps: WriteDeps, fn: (tx: Tx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const touched = new Set<string>()
    const after: (() => void)[] = []
    try {
      const result = await deps.db.transaction((sql) =>
        fn({
          query: sql.query,
          exec: sql.exec,
          now: deps.clock.now(),
          touched: (id) => void touched.add(id),
          afterCommit: (f) => void after.push(f),
        }),
      )
      deps.feed.committed([...touched])
      for (const f of after) f()
      return result
    } catch (error) {
      if (attempt >= ATTEMPTS || !isRetryable(error)) throw error
    }
  }
}
