import type { Sql } from './db'

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

export async function lockEntities(tx: Sql, keys: readonly string[]): Promise<void> {
  for (const key of [...new Set(keys)].sort()) {
    const { rows } = await tx.query<{ xid: string | null }>(
      `SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ':' || $1, 0)),
              pg_current_xact_id_if_assigned()::text AS xid`,
      [key],
    )
    if (rows[0]?.xid != null) throw new LockOrderError(key)
  }
}
