import type { Mutation, MutationResult } from '../../../domain/sync'
import { stmt, type Db } from './db'
import { getNumberSetting, setSetting } from './settings'

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
  const rows = stmt(db, `SELECT seq, mutation_id, kind, payload FROM outbox WHERE status = 'pending' ORDER BY seq LIMIT ?`).all(limit) as OutboxRow[]
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
  const update = stmt(db, `UPDATE outbox SET status = ?, reason = ?, flags = ? WHERE seq = ? AND mutation_id = ?`)
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
  const row = stmt(
    db,
    `SELECT COALESCE((SELECT MIN(seq) FROM outbox WHERE status = 'pending'),
                     (SELECT seq FROM sqlite_sequence WHERE name = 'outbox') + 1,
                     1) AS next`,
  ).get() as { next: number }
  return row.next
}

export interface OutboxCounts {
  pending: number
  oldestPendingAt: string | null
  rejected: number
}

/**
 * The sync status's counts, read on the outbox's (status, seq) index: each count touches only
 * the rows of its own status (the pending ones, the few set aside), never the acknowledged
 * history, which grows by every sale of every day. A whole-table count here ran on every sync
 * and status call and made each sale slower than the one before it (issue 14).
 */
export function outboxCounts(db: Db): OutboxCounts {
  const pending = stmt(db, `SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox WHERE status = 'pending'`).get() as {
    n: number
    oldest: string | null
  }
  const rejected = stmt(db, `SELECT COUNT(*) AS n FROM outbox WHERE status = 'rejected'`).get() as { n: number }
  return { pending: pending.n, oldestPendingAt: pending.oldest, rejected: rejected.n }
}

export interface PruneResult {
  /** Rows deleted: acknowledged, of a closed day, that nothing local points to. */
  deleted: number
  /** Rows kept for the sale or void that points to them, with their payload dropped. */
  compacted: number
}

/**
 * Prunes the acknowledged outbox once its days are closed; the till's outbox otherwise keeps a
 * row per sale forever. Called at the day close (after the Z report is written) with the day
 * just closed; any later call with the same or an earlier day finds nothing more to do.
 *
 * A row qualifies when all of these hold:
 * - the server applied it AND a pull acknowledged it (`status = 'applied'`, `seq <= acked_seq`):
 *   its effects are in the pulled balance and it is never sent again. Pending rows wait for
 *   their upload; rejected rows stay, set aside and visible, whatever their age.
 * - its day is closed: its Copenhagen `day_key` is `closedThroughDay` or earlier, or (a row with
 *   no day, such as a `day.close`) it was written before the Z report of such a day.
 *
 * Of those, a row that `sales.seq` or `sale_voids.seq` points to (foreign keys) stays, as the
 * record of its sale's sync state (the recent sales list, the X/Z reports read it), but its
 * payload is emptied: the sale itself lives on in `sales` and `sale_lines`, and an acknowledged
 * row's payload is never read again. Every other qualifying row is deleted. A Z report keeps
 * its own copy of the day (`z_reports.report`), and the parent's statement is the server's
 * ledger: neither needs the outbox. One transaction; AUTOINCREMENT never hands out a pruned seq.
 *
 * `closedThroughDay` is a day key, `YYYY-MM-DD` (domain/periods.ts).
 */
export function pruneClosedOutbox(db: Db, closedThroughDay: string): PruneResult {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(closedThroughDay)) throw new RangeError(`pruneClosedOutbox: not a day key: ${closedThroughDay}`)
  return db.transaction((): PruneResult => {
    const acked = ackedSeq(db)
    const closedSeq = (stmt(db, `SELECT COALESCE(MAX(seq), 0) AS seq FROM z_reports WHERE day_key <= ?`).get(closedThroughDay) as { seq: number }).seq
    // Rows up to `floor` were settled by an earlier prune: each close reads only the seqs after
    // it (a range of the primary key), about a day's rows, not the whole history again.
    const floor = getNumberSetting(db, 'outbox_pruned_seq', 0)
    const params = { acked, day: closedThroughDay, closedSeq, floor }
    const compacted = stmt(db, `UPDATE outbox AS o SET payload = '' WHERE ${QUALIFIES} AND o.payload <> '' AND ${REFERENCED}`).run(params).changes
    const deleted = stmt(db, `DELETE FROM outbox AS o WHERE ${QUALIFIES} AND NOT ${REFERENCED}`).run(params).changes
    // The new floor: below the first row still unsettled (pending, not yet acknowledged, or of a
    // day still open). A rejected row stays set aside as it is: settled. Rows below the floor can
    // never qualify again: only pending rows change status, and none is below the floor.
    const next = stmt(
      db,
      `SELECT MIN(seq) - 1 AS floor FROM (
         SELECT MIN(seq) AS seq FROM outbox WHERE status = 'pending'
         UNION ALL SELECT * FROM (SELECT o.seq FROM outbox AS o WHERE o.seq > @floor AND o.status = 'applied' AND NOT (${QUALIFIES}) ORDER BY o.seq LIMIT 1)
         UNION ALL SELECT @acked + 1)`,
    ).get(params) as { floor: number }
    if (next.floor > floor) setSetting(db, 'outbox_pruned_seq', next.floor)
    return { deleted, compacted }
  }).immediate()
}

/** An acknowledged row of a closed day after the settled floor (`@floor`; see pruneClosedOutbox). */
const QUALIFIES = `o.seq > @floor AND o.seq <= @acked AND o.status = 'applied'
  AND (o.day_key <= @day OR (o.day_key IS NULL AND o.seq <= @closedSeq))`
const REFERENCED = `(EXISTS (SELECT 1 FROM sales s WHERE s.seq = o.seq) OR EXISTS (SELECT 1 FROM sale_voids v WHERE v.seq = o.seq))`
