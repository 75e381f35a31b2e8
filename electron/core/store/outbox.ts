import type { Mutation, MutationResult } from '../../../domain/sync'
import type { Db } from './db'

interface OutboxRow {
  seq: number
  mutation_id: string
  kind: string
  payload: string
}

/** The next mutations to upload, in seq order. */
export function pendingMutations(db: Db, limit: number): Mutation[] {
  const rows = db
    .prepare(`SELECT seq, mutation_id, kind, payload FROM outbox WHERE status = 'pending' ORDER BY seq LIMIT ?`)
    .all(limit) as OutboxRow[]
  return rows.map((r) => ({ seq: r.seq, id: r.mutation_id, kind: r.kind, payload: JSON.parse(r.payload) }) as Mutation)
}

/**
 * Marks what the server answered. `applied` stops the upload but keeps the delta counting until
 * a pull reports the seq (the pulled balance does not include it yet); `rejected` sets the
 * mutation aside with its reason and its delta stops counting at once: the server never applied it.
 */
export function recordPushResults(db: Db, results: readonly MutationResult[]): void {
  const update = db.prepare(`UPDATE outbox SET status = ?, reason = ?, flags = ? WHERE seq = ? AND mutation_id = ?`)
  db.transaction(() => {
    for (const r of results) update.run(r.status, r.reason, r.flags.length ? JSON.stringify(r.flags) : null, r.seq, r.id)
  })()
}

export interface OutboxCounts {
  pending: number
  oldestPendingAt: string | null
  rejected: number
}

export function outboxCounts(db: Db): OutboxCounts {
  return db
    .prepare(
      `SELECT COUNT(*) FILTER (WHERE status = 'pending') AS pending,
              MIN(created_at) FILTER (WHERE status = 'pending') AS oldestPendingAt,
              COUNT(*) FILTER (WHERE status = 'rejected') AS rejected
         FROM outbox`,
    )
    .get() as OutboxCounts
}
