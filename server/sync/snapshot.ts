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
import type { Change, Entity, SnapshotHead } from '../../domain/sync'
import type { PeriodKeys } from '../../domain/periods'
import { categorySnapshots, locationSnapshots, productSnapshots, staffSnapshots, type Snapshots } from './changes'
import type { ServerContext } from '../platform/context'
import type { Sql } from '../db'
import type { Terminal } from '../enrolment/enrol'
import { spendPeriodsAt } from '../money/spend'
import { ordersForSnapshot } from '../orders/sync'

/** `$2` is the till's canteen: a till holds only the staff who work there (their PIN hashes). */
const SMALL: { entity: Entity; table: string; where?: string; read: (sql: Sql, ids: readonly string[], now: Date) => Promise<Snapshots> }[] = [
  { entity: 'location', table: 'locations', read: locationSnapshots },
  { entity: 'category', table: 'categories', read: categorySnapshots },
  { entity: 'product', table: 'products', read: productSnapshots },
  { entity: 'staff', table: 'staff', where: '$2 = ANY(location_ids)', read: staffSnapshots },
]

/**
 * What both forms of the snapshot open with, read first in their REPEATABLE READ, READ ONLY
 * transaction (its first query takes the moment every later one reads): the cursor to pull from
 * next, the till's acknowledged seq, the small entities, and the canteen's webshop orders of
 * today and tomorrow (absent when there are none: the answer is as before orders).
 */
async function snapshotHead(tx: Sql, terminal: Terminal, now: Date, keys: PeriodKeys): Promise<SnapshotHead> {
  await tx.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY')
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
    const found = await read(tx, ids.rows.map((r) => r.id), now)
    for (const { id } of ids.rows) changes.push({ entity, id, data: found.get(id)!.data } as Change)
  }
  const orders = await ordersForSnapshot(tx, terminal.locationId, now)
  return { cursor: `${xmin}:0`, ackSeq: Number(last_applied_seq), serverTime: now.toISOString(), periods: keys, changes, ...(orders.length > 0 ? { orders } : {}) }
}

/** The snapshot as JSON text (accounts and cards spliced in as Postgres wrote them). */
export async function snapshot(ctx: ServerContext, terminal: Terminal): Promise<string> {
  const now = ctx.clock.now()
  const { keys, periods } = spendPeriodsAt(now)
  return ctx.db.transaction(async (tx) => {
    const rest = await snapshotHead(tx, terminal, now, keys)
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
                'note', coalesce(json_agg(a.note), '[]'), 'allergens', coalesce(json_agg(nullif(a.allergens, '{}')), '[]'))::text AS json
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
    return `{"accounts":${accounts.rows[0]!.json},"cards":${cards.rows[0]!.json},${JSON.stringify(rest).slice(1)}`
  })
}

/**
 * Postgres's json_agg puts a newline between elements; in JSON a raw newline can only be
 * whitespace between tokens (inside a string it is escaped), so removing it changes nothing
 * but keeps the line one line.
 */
const oneLine = (json: string) => json.replace(/\n/g, '')

/** Rows per NDJSON line of accounts or cards: a line of 2,000 accounts is about 400 KB. */
export const SNAPSHOT_CHUNK = 2000

/**
 * The same snapshot as NDJSON lines (domain/sync.ts SnapshotLine), for a till that stores it as
 * it arrives. The same REPEATABLE READ transaction, so the same moment; the accounts and cards
 * are read in chunks by key (keyset paging: each chunk starts after the last key of the one
 * before), each built into its line's JSON by Postgres. The lines are collected and the
 * transaction ends before the first byte is sent: a slow till never holds the database (on
 * PGlite its only connection) for the time of its download. The route streams the lines out.
 */
export async function snapshotLines(ctx: ServerContext, terminal: Terminal, chunk = SNAPSHOT_CHUNK): Promise<string[]> {
  const now = ctx.clock.now()
  const { keys, periods } = spendPeriodsAt(now)
  return ctx.db.transaction(async (tx) => {
    const first = await snapshotHead(tx, terminal, now, keys)
    const lines = [JSON.stringify({ head: first })]
    const sent = { accounts: 0, cards: 0 }
    for (let after = ''; ; ) {
      // Every aggregate orders by the key, so the columns line up row for row.
      const { rows } = await tx.query<{ json: string | null; last: string | null; n: number }>(
        `WITH page AS (
           SELECT a.id, h.name, h.photo_id, a.status, a.balance, a.limit_day, a.limit_week, a.limit_month,
                  coalesce(sd.amount, 0) AS spent_day, coalesce(sw.amount, 0) AS spent_week, coalesce(sm.amount, 0) AS spent_month,
                  a.denied_category_ids, a.allowed_location_ids, a.note, a.allergens
             FROM accounts a
             JOIN holders h ON h.id = a.holder_id
             LEFT JOIN account_spend sd ON sd.account_id = a.id AND sd.period = $2
             LEFT JOIN account_spend sw ON sw.account_id = a.id AND sw.period = $3
             LEFT JOIN account_spend sm ON sm.account_id = a.id AND sm.period = $4
            WHERE a.municipality_id = $1 AND a.id > $5
            ORDER BY a.id
            LIMIT $6)
         SELECT json_build_object('accounts', json_build_object(
                  'id', json_agg(id ORDER BY id), 'holderName', json_agg(name ORDER BY id), 'photoId', json_agg(photo_id ORDER BY id),
                  'status', json_agg(status ORDER BY id), 'balance', json_agg(balance ORDER BY id),
                  'limitDay', json_agg(limit_day ORDER BY id), 'limitWeek', json_agg(limit_week ORDER BY id), 'limitMonth', json_agg(limit_month ORDER BY id),
                  'spentDay', json_agg(spent_day ORDER BY id), 'spentWeek', json_agg(spent_week ORDER BY id), 'spentMonth', json_agg(spent_month ORDER BY id),
                  'deniedCategoryIds', json_agg(denied_category_ids ORDER BY id), 'allowedLocationIds', json_agg(allowed_location_ids ORDER BY id),
                  'note', json_agg(note ORDER BY id), 'allergens', json_agg(nullif(allergens, '{}') ORDER BY id)))::text AS json,
                max(id) AS last, count(*)::int AS n
           FROM page`,
        [terminal.municipalityId, periods.day, periods.week, periods.month, after, chunk],
      )
      const page = rows[0]!
      if (page.n === 0) break
      lines.push(oneLine(page.json!))
      sent.accounts += page.n
      after = page.last!
      if (page.n < chunk) break
    }
    for (let after = ''; ; ) {
      const { rows } = await tx.query<{ json: string | null; last: string | null; n: number }>(
        `WITH page AS (
           SELECT c.number, c.account_id, c.status
             FROM cards c JOIN accounts a ON a.id = c.account_id
            WHERE a.municipality_id = $1 AND c.number > $2
            ORDER BY c.number
            LIMIT $3)
         SELECT json_build_object('cards', json_build_object(
                  'number', json_agg(number ORDER BY number), 'accountId', json_agg(account_id ORDER BY number),
                  'status', json_agg(status ORDER BY number)))::text AS json,
                max(number) AS last, count(*)::int AS n
           FROM page`,
        [terminal.municipalityId, after, chunk],
      )
      const page = rows[0]!
      if (page.n === 0) break
      lines.push(oneLine(page.json!))
      sent.cards += page.n
      after = page.last!
      if (page.n < chunk) break
    }
    lines.push(JSON.stringify({ end: sent }))
    return lines
  })
}
