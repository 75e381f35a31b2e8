/**
 * GET /sync/snapshot: the municipality as a till holds it, read in ONE repeatable-read
 * transaction, for a till that has never pulled (domain/sync.ts SnapshotResponse).
 *
 * The cursor it hands out is `<xmin>:0`, xmin being the oldest transaction still running when
 * the snapshot was taken. Every change row below it is in the snapshot (its transaction had
 * finished). A row at or above it may be in the snapshot too (committed out of order): the
 * till's pull from the cursor sends it again, and applying it again is harmless, because every
 * writer locks an entity before its first write (locks.ts): of two rows of one entity both
 * above xmin, the later one sorts later, so the till ends on the newest state. A row that
 * commits after the snapshot is above xmin, so it is never missed.
 *
 * `ackSeq` is the till's `last_applied_seq` in the same snapshot: all of those sales are in its
 * balances. Accounts and cards are built into JSON by Postgres (as a pull page is), the few
 * other entities by the readers the change log uses, so a snapshot and a change agree.
 */
import type { Change, Entity, SnapshotResponse } from '../../domain/sync'
import { categorySnapshots, locationSnapshots, productSnapshots, staffSnapshots, type Snapshots } from './changes'
import type { ServerContext } from '../platform/context'
import type { Sql } from '../db'
import type { Terminal } from '../enrolment/enrol'
import { spendPeriodsAt } from '../money/spend'

/** `$2` is the till's canteen: a till holds only the staff who work there (their PIN hashes). */
const SMALL: { entity: Entity; table: string; where?: string; read: (sql: Sql, ids: readonly string[]) => Promise<Snapshots> }[] = [
  { entity: 'location', table: 'locations', read: locationSnapshots },
  { entity: 'category', table: 'categories', read: categorySnapshots },
  { entity: 'product', table: 'products', read: productSnapshots },
  { entity: 'staff', table: 'staff', where: '$2 = ANY(location_ids)', read: staffSnapshots },
]

/** The snapshot as JSON text (accounts and cards spliced in as Postgres wrote them). */
export async function snapshot(ctx: ServerContext, terminal: Terminal): Promise<string> {
  const now = ctx.clock.now()
  const { keys, periods } = spendPeriodsAt(now)
  return ctx.db.transaction(async (tx) => {
    await tx.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY')
    // The first query takes the snapshot every later one reads.
    const head = await tx.query<{ xmin: string; last_applied_seq: number }>(
      'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin, last_applied_seq FROM terminals WHERE id = $1',
      [terminal.id],
    )
    const { xmin, last_applied_seq } = head.rows[0]!
    const changes: Change[] = []
    for (const { entity, table, where, read } of SMALL) {
      const ids = where
        ? await tx.query<{ id: string }>(`SELECT id FROM ${table} WHERE municipality_id = $1 AND ${where} ORDER BY id`, [terminal.municipalityId, terminal.locationId])
        : await tx.query<{ id: string }>(`SELECT id FROM ${table} WHERE municipality_id = $1 ORDER BY id`, [terminal.municipalityId])
      const found = await read(tx, ids.rows.map((r) => r.id))
      for (const { id } of ids.rows) changes.push({ entity, id, data: found.get(id)!.data } as Change)
    }
    // All aggregates of one query see the rows in the same order, so the columns line up.
    const accounts = await tx.query<{ json: string }>(
      `SELECT json_build_object(
                'id', coalesce(json_agg(a.id), '[]'), 'holderName', coalesce(json_agg(h.name), '[]'),
                'photoId', coalesce(json_agg(h.photo_id), '[]'), 'status', coalesce(json_agg(a.status), '[]'),
                'balance', coalesce(json_agg(a.balance), '[]'), 'limitDay', coalesce(json_agg(a.limit_day), '[]'),
                'limitWeek', coalesce(json_agg(a.limit_week), '[]'), 'limitMonth', coalesce(json_agg(a.limit_month), '[]'),
                'spentDay', coalesce(json_agg(coalesce(sd.amount, 0)), '[]'), 'spentWeek', coalesce(json_agg(coalesce(sw.amount, 0)), '[]'),
                'spentMonth', coalesce(json_agg(coalesce(sm.amount, 0)), '[]'),
                'deniedCategoryIds', coalesce(json_agg(a.denied_category_ids), '[]'),
                'allowedLocationIds', coalesce(json_agg(a.allowed_location_ids), '[]'),
                'note', coalesce(json_agg(a.note), '[]'))::text AS json
         FROM accounts a
         JOIN holders h ON h.id = a.holder_id
         LEFT JOIN account_spend sd ON sd.account_id = a.id AND sd.period = $2
         LEFT JOIN account_spend sw ON sw.account_id = a.id AND sw.period = $3
         LEFT JOIN account_spend sm ON sm.account_id = a.id AND sm.period = $4
        WHERE a.municipality_id = $1`,
      [terminal.municipalityId, periods.day, periods.week, periods.month],
    )
    const cards = await tx.query<{ json: string }>(
      `SELECT json_build_object('number', coalesce(json_agg(c.number), '[]'), 'accountId', coalesce(json_agg(c.account_id), '[]'),
                                'status', coalesce(json_agg(c.status), '[]'))::text AS json
         FROM cards c JOIN accounts a ON a.id = c.account_id
        WHERE a.municipality_id = $1`,
      [terminal.municipalityId],
    )
    const rest: Omit<SnapshotResponse, 'accounts' | 'cards'> = {
      cursor: `${xmin}:0`,
      ackSeq: Number(last_applied_seq),
      serverTime: now.toISOString(),
      periods: keys,
      changes,
    }
    return `{"accounts":${accounts.rows[0]!.json},"cards":${cards.rows[0]!.json},${JSON.stringify(rest).slice(1)}`
  })
}
