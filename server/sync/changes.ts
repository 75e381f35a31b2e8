/**
 * The change log: one row per write of something a till holds, carrying the FULL entity as the
 * till stores it (domain/sync.ts shapes), or NULL when it was deleted. Tills pull it in
 * (txid, id) order (sync/pull.ts).
 *
 * Invariant: every server write that changes an entity a till holds calls `recordChange` for it
 * in the same transaction, after its own writes and after taking the entity's advisory lock
 * (locks.ts): the snapshot read here is then the state this transaction commits.
 *
 * Readers take many ids at once, so a bulk load (the demo: 520 accounts) costs a few statements,
 * not thousands.
 */
import type { z } from 'zod'
import type { Allergen } from '../../domain/allergens'
import { AllergenList } from '../../domain/allergens'
import { AccountData, CardData, CategoryData, LocationData, ProductData, StaffData, type Entity } from '../../domain/sync'
import type { Sql } from '../db'
import { spendPeriodsAt } from '../money/spend'
import type { Tx } from '../platform/tx'
import { saleCapsOf } from './sale-caps'

export interface Snapshot {
  municipalityId: string
  data: unknown
}

export type Snapshots = Map<string, Snapshot>
type Reader = (sql: Sql, ids: readonly string[], now: Date) => Promise<Snapshots>

function byId<R extends { id: string; municipality_id: string }>(rows: R[], data: (row: R) => unknown): Snapshots {
  return new Map(rows.map((r) => [r.id, { municipalityId: r.municipality_id, data: data(r) }]))
}

/** The columns of `accounts` that the till's rules read (apply-sale.ts reads the same). */
export interface AccountRulesRow {
  status: 'active' | 'blocked'
  balance: number
  limit_day: number | null
  limit_week: number | null
  limit_month: number | null
  denied_category_ids: string[]
  allowed_location_ids: string[] | null
}

/** An account row with its holder, as the snapshot needs it. */
export interface AccountSnapshotRow extends AccountRulesRow {
  id: string
  municipality_id: string
  holder_name: string
  photo_id: string | null
  note: string | null
  allergens: Allergen[]
}

/** The SELECT list and FROM of `AccountSnapshotRow` (apply-sale.ts reads it together with the card). */
export const ACCOUNT_SNAPSHOT_COLUMNS = `a.id, a.municipality_id, a.status, a.balance, a.limit_day, a.limit_week, a.limit_month,
            a.denied_category_ids, a.allowed_location_ids, h.name AS holder_name, h.photo_id, a.note, a.allergens`

/**
 * The account as a till stores it, with the spend of the periods current when the row is written
 * (`current = spendPeriodsAt(now)`, computed once per batch: it is not cheap); a till ignores a
 * period that has ended. `spent(period)` is the account_spend amount of a period.
 */
export function accountData(a: AccountSnapshotRow, spent: (period: string) => number, current: ReturnType<typeof spendPeriodsAt>): AccountData {
  const { keys, periods } = current
  return {
    holderName: a.holder_name,
    photoId: a.photo_id,
    status: a.status,
    balance: Number(a.balance),
    limits: { day: a.limit_day, week: a.limit_week, month: a.limit_month },
    spent: {
      day: { key: keys.day, amount: spent(periods.day) },
      week: { key: keys.week, amount: spent(periods.week) },
      month: { key: keys.month, amount: spent(periods.month) },
    },
    deniedCategoryIds: a.denied_category_ids,
    allowedLocationIds: a.allowed_location_ids,
    note: a.note,
    allergens: a.allergens,
  }
}

export async function accountSnapshots(sql: Sql, ids: readonly string[], now: Date): Promise<Snapshots> {
  const { rows } = await sql.query<AccountSnapshotRow>(
    `SELECT ${ACCOUNT_SNAPSHOT_COLUMNS} FROM accounts a JOIN holders h ON h.id = a.holder_id WHERE a.id = ANY($1::text[])`,
    [ids],
  )
  const current = spendPeriodsAt(now)
  const { periods } = current
  const spend = await sql.query<{ account_id: string; period: string; amount: number }>(
    'SELECT account_id, period, amount FROM account_spend WHERE account_id = ANY($1::text[]) AND period = ANY($2::text[])',
    [ids, [periods.day, periods.week, periods.month]],
  )
  const spent = new Map(spend.rows.map((r) => [`${r.account_id} ${r.period}`, Number(r.amount)]))
  return byId(rows, (a) => accountData(a, (period) => spent.get(`${a.id} ${period}`) ?? 0, current))
}

export async function cardSnapshots(sql: Sql, numbers: readonly string[]): Promise<Snapshots> {
  const { rows } = await sql.query<{ id: string; municipality_id: string; account_id: string; status: 'active' | 'replaced' | 'lost' }>(
    `SELECT c.number AS id, a.municipality_id, c.account_id, c.status
       FROM cards c JOIN accounts a ON a.id = c.account_id
      WHERE c.number = ANY($1::text[])`,
    [numbers],
  )
  return byId(rows, (c): z.infer<typeof CardData> => ({ accountId: c.account_id, status: c.status }))
}

export async function categorySnapshots(sql: Sql, ids: readonly string[]): Promise<Snapshots> {
  const { rows } = await sql.query<{ id: string; municipality_id: string; name: string; sort: number; colour: string | null }>(
    'SELECT id, municipality_id, name, sort, colour FROM categories WHERE id = ANY($1::text[])',
    [ids],
  )
  return byId(rows, (c): z.infer<typeof CategoryData> => ({ name: c.name, sort: c.sort, colour: c.colour }))
}

/**
 * A product as the till stores it: today's prices (`product_prices`) and, per canteen, the
 * history rows after them (`schedule`: changes from a future time, and any that came due but
 * the server has not yet moved into `product_prices`, manager/catalogue.ts promoteDuePrices).
 * "After them": after today's price's own `valid_from`, or where the product has no price, after
 * the latest "not sold from" row that has come (`now`; absent: the database's clock).
 */
export async function productSnapshots(sql: Sql, ids: readonly string[], now?: Date): Promise<Snapshots> {
  const { rows } = await sql.query<{
    id: string
    municipality_id: string
    name: string
    category_id: string
    barcode: string | null
    available: boolean
    image: string | null
    sort: number
    allergens: string[]
  }>('SELECT id, municipality_id, name, category_id, barcode, available, image, sort, allergens FROM products WHERE id = ANY($1::text[])', [ids])
  const prices = await sql.query<{ product_id: string; location_id: string; price: number }>(
    'SELECT product_id, location_id, price FROM product_prices WHERE product_id = ANY($1::text[]) ORDER BY product_id, location_id',
    [ids],
  )
  const pricesOf = new Map<string, Record<string, number>>()
  for (const r of prices.rows) {
    const own = pricesOf.get(r.product_id) ?? {}
    own[r.location_id] = Number(r.price)
    pricesOf.set(r.product_id, own)
  }
  const pending = await sql.query<{ product_id: string; location_id: string; from_ms: string; price: string | number | null }>(
    `SELECT h.product_id, h.location_id, floor(extract(epoch FROM h.valid_from) * 1000)::bigint AS from_ms, h.price
       FROM product_price_history h
       LEFT JOIN product_prices pp ON pp.product_id = h.product_id AND pp.location_id = h.location_id
      WHERE h.product_id = ANY($1::text[]) AND h.valid_from <> 'infinity'
        AND h.valid_from > coalesce(
              pp.valid_from,
              (SELECT max(n.valid_from) FROM product_price_history n
                WHERE n.product_id = h.product_id AND n.location_id = h.location_id AND n.price IS NULL AND n.valid_from <= coalesce($2::timestamptz, now())),
              '-infinity')
      ORDER BY h.product_id, h.location_id, h.valid_from`,
    [ids, now ?? null],
  )
  const scheduleOf = new Map<string, Record<string, [number, number | null][]>>()
  for (const r of pending.rows) {
    const own = scheduleOf.get(r.product_id) ?? {}
    ;(own[r.location_id] ??= []).push([Number(r.from_ms), r.price === null ? null : Number(r.price)])
    scheduleOf.set(r.product_id, own)
  }
  return byId(rows, (p): z.infer<typeof ProductData> => ({
    name: p.name,
    categoryId: p.category_id,
    prices: pricesOf.get(p.id) ?? {},
    barcode: p.barcode,
    available: p.available,
    image: p.image,
    sort: p.sort,
    allergens: AllergenList.parse(p.allergens),
    schedule: scheduleOf.get(p.id) ?? {},
  }))
}

export async function locationSnapshots(sql: Sql, ids: readonly string[]): Promise<Snapshots> {
  const { rows } = await sql.query<{ id: string; municipality_id: string; name: string; cash_allowed: boolean; settings: unknown }>(
    'SELECT l.id, l.municipality_id, l.name, l.cash_allowed, m.settings FROM locations l JOIN municipalities m ON m.id = l.municipality_id WHERE l.id = ANY($1::text[])',
    [ids],
  )
  return byId(rows, (l): z.infer<typeof LocationData> => ({ name: l.name, saleCaps: saleCapsOf(l.settings), cashAllowed: l.cash_allowed }))
}

export async function staffSnapshots(sql: Sql, ids: readonly string[]): Promise<Snapshots> {
  const { rows } = await sql.query<{
    id: string
    municipality_id: string
    name: string
    pin_hash: string
    roles: ('cashier' | 'pickup' | 'manager')[]
    location_ids: string[]
    active: boolean
  }>('SELECT id, municipality_id, name, pin_hash, roles, location_ids, active FROM staff WHERE id = ANY($1::text[])', [ids])
  return byId(rows, (s): z.infer<typeof StaffData> => ({
    name: s.name,
    pinHash: s.pin_hash,
    roles: s.roles,
    locationIds: s.location_ids,
    active: s.active,
  }))
}

const readers: Record<Entity, Reader> = {
  account: accountSnapshots,
  card: (sql, ids) => cardSnapshots(sql, ids),
  category: (sql, ids) => categorySnapshots(sql, ids),
  product: productSnapshots,
  location: (sql, ids) => locationSnapshots(sql, ids),
  staff: (sql, ids) => staffSnapshots(sql, ids),
}

/** The wire schemas: a payload the till would refuse is a server bug, caught where it is written. */
const schemas: Record<Entity, z.ZodType> = {
  account: AccountData,
  card: CardData,
  category: CategoryData,
  product: ProductData,
  location: LocationData,
  staff: StaffData,
}

export interface ChangeOrigin {
  terminalId: string
  seq: number
}

export interface RecordChangeOptions {
  /**
   * The pushed mutation that caused this change (lets a pull page acknowledge it); a list gives
   * each id its own (a push batch: each account's newest sale of the batch).
   */
  origin?: ChangeOrigin | readonly ChangeOrigin[]
  /** Needed only when an entity is gone (a deletion): the snapshot cannot say where it lived. */
  municipalityId?: string
}

/**
 * Appends the entities' current state (or their deletion) to their municipalities' change logs, in
 * `ids` order. `snapshots`: the state as the caller already holds it, read under the entities'
 * locks and moved by exactly this transaction's writes (a push batch); otherwise it is read here.
 */
export async function recordChanges(tx: Tx, entity: Entity, ids: readonly string[], opts: RecordChangeOptions = {}, snapshots?: Snapshots): Promise<void> {
  if (ids.length === 0) return
  snapshots ??= await readers[entity](tx, ids, tx.now)
  const rows = ids.map((id) => {
    const snapshot = snapshots.get(id)
    const municipalityId = snapshot?.municipalityId ?? opts.municipalityId
    if (municipalityId === undefined) throw new Error(`recordChange: ${entity} ${id} does not exist and no municipality was given`)
    return { municipalityId, payload: snapshot ? JSON.stringify(schemas[entity].parse(snapshot.data)) : null }
  })
  const origins = ids.map((_, i) => (Array.isArray(opts.origin) ? opts.origin[i] : (opts.origin as ChangeOrigin | undefined)) ?? null)
  if (Array.isArray(opts.origin) && opts.origin.length !== ids.length) throw new Error(`recordChanges: ${opts.origin.length} origins for ${ids.length} ids`)
  await tx.query(
    `INSERT INTO changes (municipality_id, entity, entity_id, payload, origin_terminal, origin_seq, created_at)
     SELECT t.municipality_id, $2, t.entity_id, t.payload::jsonb, t.origin_terminal, t.origin_seq, $7
       FROM unnest($1::text[], $3::text[], $4::text[], $5::text[], $6::bigint[]) WITH ORDINALITY
         AS t(municipality_id, entity_id, payload, origin_terminal, origin_seq, n)
      ORDER BY t.n`,
    [
      rows.map((r) => r.municipalityId),
      entity,
      ids,
      rows.map((r) => r.payload),
      origins.map((o) => o?.terminalId ?? null),
      origins.map((o) => o?.seq ?? null),
      tx.now,
    ],
  )
  for (const r of rows) tx.touched(r.municipalityId)
}

export function recordChange(tx: Tx, entity: Entity, id: string, opts: RecordChangeOptions = {}): Promise<void> {
  return recordChanges(tx, entity, [id], opts)
}
