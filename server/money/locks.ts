import type { Sql } from '../db'

/**
 * Advisory locks per entity, taken BEFORE the transaction's first write.
 *
 * Why before: Postgres assigns a transaction id (xid) at its first write, and the change log is
 * ordered by that xid. Two transactions that take the same lock before writing get their xids in
 * lock order, i.e. in commit order. So for one till, the change row of seq N sorts before that of
 * seq N+1 (what makes `ackSeq` safe), and for one account, a later snapshot always sorts after an
 * earlier one (a till applying changes in order ends on the newest state).
 *
 * Keys are taken in sorted order (no deadlock between two multi-key writers). A writer that holds
 * an account lock never waits for a terminal lock (push takes the terminal first).
 */
export const lockKey = {
  terminal: (id: string) => `terminal:${id}`,
  account: (id: string) => `account:${id}`,
  entity: (entity: string, id: string) => `${entity}:${id}`,
}

export class LockOrderError extends Error {
  constructor(key: string) {
    super(`advisory lock ${key} taken after the transaction's first write: its xid would not follow lock order`)
    this.name = 'LockOrderError'
  }
}

/** All keys in one statement, in sorted order (a push batch locks hundreds of accounts). */
export async function lockEntities(tx: Sql, keys: readonly string[]): Promise<void> {
  const sorted = [...new Set(keys)].sort()
  if (sorted.length === 0) return
  // The xid is read before the locks are taken: this statement itself writes nothing.
  const { rows } = await tx.query<{ xid: string | null; locked: number }>(
    `SELECT pg_current_xact_id_if_assigned()::text AS xid,
            (SELECT count(pg_advisory_xact_lock(hashtextextended(current_schema() || ':' || k.key, 0)))
               FROM (SELECT key FROM unnest($1::text[]) WITH ORDINALITY AS u(key, n) ORDER BY n) AS k)::int AS locked`,
    [sorted],
  )
  if (rows[0]?.xid != null) throw new LockOrderError(sorted.join(', ').slice(0, 200))
  if (rows[0]?.locked !== sorted.length) throw new Error(`lockEntities: took ${rows[0]?.locked} of ${sorted.length} locks`)
}
