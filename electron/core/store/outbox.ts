import type { Mutation, MutationResult } from '../../../domain/sync'
import type { Db } from './db'
import { getNumberSetting } from './settings'

/**
 * The highest seq of this till whose effects a pulled balance already holds: outbox rows above
 * it still count at the till (balance, spend, offline cap), rows up to it no longer do.
 */
export const ackedSeq = (db: Db): number => getNumberSetting(db, 'acked_seq', 0)

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
 *
 * One rejection is not one: `duplicate-sale` means the server already holds this very sale (same
 * sale id), booked under this till's previous terminal before it was enrolled again, its answer
 * lost. For the till's bookkeeping it is applied: its delta counts until a pull acknowledges the
 * seq (the snapshot after the re-enrolment does, with a balance that includes it).
 */
export function recordPushResults(db: Db, results: readonly MutationResult[]): void {
  const update = db.prepare(`UPDATE outbox SET status = ?, reason = ?, flags = ? WHERE seq = ? AND mutation_id = ?`)
  db.transaction(() => {
    for (const r of results) {
      const booked = r.status === 'rejected' && r.reason === ALREADY_BOOKED
      const flags = booked ? [...r.flags, ALREADY_BOOKED] : r.flags
      update.run(booked ? 'applied' : r.status, booked ? null : r.reason, flags.length ? JSON.stringify(flags) : null, r.seq, r.id)
    }
  })()
}

const ALREADY_BOOKED = 'duplicate-sale'

/**
 * The first seq this till will push next: its oldest unanswered row, or the one after its last
 * row (AUTOINCREMENT never reuses a seq). Told to the server when the till is enrolled again.
 */
export function nextPushSeq(db: Db): number {
  const row = db
    .prepare(
      `SELECT COALESCE((SELECT MIN(seq) FROM outbox WHERE status = 'pending'),
                       (SELECT seq FROM sqlite_sequence WHERE name = 'outbox') + 1,
                       1) AS next`,
    )
    .get() as { next: number }
  return row.next
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
