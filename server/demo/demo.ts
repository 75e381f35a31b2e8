/**
 * Demo data (resources/demo/demo.json) into an empty database, in ONE transaction: a half-loaded
 * demo is worse than none. Each holder's balance arrives as a `deposit` ledger entry (the ledger
 * stays the truth), and every entity a till holds gets its change row, so a till enrolled
 * afterwards pulls the whole demo from cursor "0:0".
 */
import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { CARD_NUMBER } from '../../domain/card'
import { AllergenList } from '../../domain/allergens'
import { PhotoData } from '../../domain/sync'
import { systemClock, type Clock } from '../platform/clock'
import { recordChanges } from '../sync/changes'
import { DEMO_CPR_KEY, cprDigest, hashPin } from '../platform/crypto'
import type { Db } from '../db'
import { ChangeFeed } from '../platform/feed'
import { postLedgerMany } from '../money/ledger'
import { write, type Tx } from '../platform/tx'
import { seedDemoWebshop } from '../orders/demo'

const id = z.string().min(1).max(64)
const ore = z.number().int().safe()

export const DemoData = z.object({
  municipality: z.object({ id, name: z.string().min(1) }),
  /** `cashAllowed`: guests may pay cash there (locations.cash_allowed); left out, card only. */
  locations: z.array(z.object({ id, name: z.string().min(1), cashAllowed: z.boolean().default(false) })).min(1),
  categories: z.array(z.object({ id, name: z.string().min(1), sort: z.number().int(), colour: z.string().regex(/^#[0-9a-f]{6}$/).nullable().default(null) })),
  products: z.array(
    z.object({
      id,
      name: z.string().min(1),
      categoryId: id,
      prices: z.record(id, ore.min(0)),
      barcode: z.string().max(64).nullable(),
      allergens: AllergenList.default([]),
      sort: z.number().int(),
    }),
  ),
  staff: z.array(
    z.object({
      id,
      name: z.string().min(1),
      pin: z.string().regex(/^[0-9]{4,8}$/),
      roles: z.array(z.enum(['cashier', 'pickup', 'manager'])),
      locationIds: z.array(id),
    }),
  ),
  holders: z.array(
    z.object({
      accountId: id,
      name: z.string().min(1),
      photo: PhotoData.nullable(),
      cpr: z.string().regex(/^[0-9]{10}$/),
      balance: ore.min(0),
      status: z.enum(['active', 'blocked']),
      limits: z.object({ day: ore.min(0).nullable(), week: ore.min(0).nullable(), month: ore.min(0).nullable() }),
      deniedCategoryIds: z.array(id),
      allowedLocationIds: z.array(id).nullable(),
      cards: z.array(z.object({ number: z.string().regex(CARD_NUMBER), status: z.enum(['active', 'replaced', 'lost']) })),
    }),
  ),
  guardians: z.array(
    z.object({
      id,
      name: z.string().min(1),
      email: z.email(),
      accountIds: z.array(id),
      /** A kiosk PIN already chosen (demo: the guardian of DEMO0001 signs in with card + 2468). */
      kioskPin: z.string().regex(/^[0-9]{4,8}$/).optional(),
    }),
  ),
})
/** The file as written (colours and allergens may be left out); `ParsedDemo` as loaded. */
export type DemoData = z.input<typeof DemoData>
type ParsedDemo = z.output<typeof DemoData>

export const DEMO_FILE = new URL('../../resources/demo/demo.json', import.meta.url)

export async function readDemoFile(path: string | URL = DEMO_FILE): Promise<ParsedDemo> {
  return DemoData.parse(JSON.parse(await readFile(path, 'utf8')))
}

export interface LoadedCounts {
  locations: number
  categories: number
  products: number
  staff: number
  holders: number
  cards: number
  guardians: number
}

/**
 * One INSERT per table: rows travel as one JSON array and `jsonb_to_recordset` turns it into a
 * relation. `columns` declares the record type, e.g. 'id text, sort int'.
 */
async function insertRows(tx: Tx, table: string, columns: string, rows: readonly Record<string, unknown>[]): Promise<void> {
  if (rows.length === 0) return
  const names = columns.split(',').map((c) => c.trim().split(/\s+/)[0]).join(', ')
  await tx.query(`INSERT INTO ${table} (${names}) SELECT ${names} FROM jsonb_to_recordset($1::text::jsonb) AS r(${columns})`, [JSON.stringify(rows)])
}

async function insertCatalogue(tx: Tx, m: string, data: ParsedDemo): Promise<void> {
  await insertRows(
    tx,
    'locations',
    'id text, municipality_id text, name text, cash_allowed boolean',
    data.locations.map((l) => ({ id: l.id, municipality_id: m, name: l.name, cash_allowed: l.cashAllowed })),
  )
  await insertRows(tx, 'categories', 'id text, municipality_id text, name text, sort int, colour text', data.categories.map((c) => ({ ...c, municipality_id: m })))
  await insertRows(
    tx,
    'products',
    'id text, municipality_id text, category_id text, name text, barcode text, allergens text[], sort int',
    data.products.map((p) => ({ id: p.id, municipality_id: m, category_id: p.categoryId, name: p.name, barcode: p.barcode, allergens: p.allergens, sort: p.sort })),
  )
  await insertRows(
    tx,
    'product_prices',
    'product_id text, location_id text, price bigint',
    data.products.flatMap((p) => Object.entries(p.prices).map(([location_id, price]) => ({ product_id: p.id, location_id, price }))),
  )
}

async function insertStaff(tx: Tx, m: string, data: ParsedDemo, pinHashes: Map<string, string>): Promise<void> {
  await insertRows(
    tx,
    'staff',
    'id text, municipality_id text, name text, pin_hash text, roles text[], location_ids text[]',
    data.staff.map((s) => ({ id: s.id, municipality_id: m, name: s.name, pin_hash: pinHashes.get(s.id), roles: s.roles, location_ids: s.locationIds })),
  )
}

const holderId = (accountId: string) => `holder-${accountId}`

async function insertHolders(tx: Tx, m: string, data: ParsedDemo, cprKey: string): Promise<void> {
  await insertRows(
    tx,
    'holders',
    'id text, municipality_id text, name text, photo text, cpr_hmac text',
    data.holders.map((h) => ({ id: holderId(h.accountId), municipality_id: m, name: h.name, photo: h.photo, cpr_hmac: cprDigest(cprKey, h.cpr).hmac })),
  )
  await insertRows(
    tx,
    'accounts',
    'id text, holder_id text, municipality_id text, status text, limit_day bigint, limit_week bigint, limit_month bigint, denied_category_ids text[], allowed_location_ids text[]',
    data.holders.map((h) => ({
      id: h.accountId,
      holder_id: holderId(h.accountId),
      municipality_id: m,
      status: h.status,
      limit_day: h.limits.day,
      limit_week: h.limits.week,
      limit_month: h.limits.month,
      denied_category_ids: h.deniedCategoryIds,
      allowed_location_ids: h.allowedLocationIds,
    })),
  )
  // The opening balance is money paid in: a deposit in the ledger, never a bare balance.
  await postLedgerMany(
    tx,
    data.holders.filter((h) => h.balance > 0).map((h) => ({ accountId: h.accountId, kind: 'deposit', amount: h.balance, note: 'demo opening balance', at: tx.now })),
  )
  await insertRows(
    tx,
    'cards',
    'number text, account_id text, status text',
    data.holders.flatMap((h) => h.cards.map((c) => ({ number: c.number, account_id: h.accountId, status: c.status }))),
  )
}

async function insertGuardians(tx: Tx, m: string, data: ParsedDemo, pinHashes: Map<string, string>): Promise<void> {
  await insertRows(
    tx,
    'guardians',
    'id text, municipality_id text, name text, email text, pin_hash text',
    data.guardians.map((g) => ({ id: g.id, municipality_id: m, name: g.name, email: g.email, pin_hash: pinHashes.get(`guardian:${g.id}`) ?? null })),
  )
  await insertRows(
    tx,
    'guardian_accounts',
    'guardian_id text, account_id text',
    data.guardians.flatMap((g) => g.accountIds.map((account_id) => ({ guardian_id: g.id, account_id }))),
  )
}

/** Every entity a till holds gets its change row, so a till pulls the whole data set from "0:0". */
async function recordAll(tx: Tx, data: ParsedDemo): Promise<void> {
  await recordChanges(tx, 'location', data.locations.map((l) => l.id))
  await recordChanges(tx, 'category', data.categories.map((c) => c.id))
  await recordChanges(tx, 'product', data.products.map((p) => p.id))
  await recordChanges(tx, 'staff', data.staff.map((s) => s.id))
  await recordChanges(tx, 'account', data.holders.map((h) => h.accountId))
  await recordChanges(tx, 'card', data.holders.flatMap((h) => h.cards.map((c) => c.number)))
}

/**
 * Inserts one municipality's data set. Used by `loadDemo` (empty database) and by test fixtures
 * (many municipalities side by side in one database). No advisory locks: the rows are new, no
 * other transaction can be writing them.
 */
export interface InsertOptions {
  clock?: Clock
  feed?: ChangeFeed
  requireEmpty?: boolean
  /** The key the CPR numbers are hashed under (default: the demo key: demo and test data only). */
  cprKey?: string
}

export async function insertMunicipality(db: Db, input: DemoData, opts: InsertOptions = {}): Promise<LoadedCounts> {
  const data = DemoData.parse(input)
  // scrypt is deliberately slow; hash before the transaction so it does not hold the database.
  const pinHashes = new Map(
    await Promise.all([
      ...data.staff.map(async (s) => [s.id, await hashPin(s.pin)] as const),
      ...data.guardians.flatMap((g) => (g.kioskPin ? [(async () => [`guardian:${g.id}`, await hashPin(g.kioskPin!)] as const)()] : [])),
    ]),
  )
  const deps = { db, clock: opts.clock ?? systemClock, feed: opts.feed ?? new ChangeFeed() }
  await write(deps, async (tx) => {
    if (opts.requireEmpty) {
      const { rows } = await tx.query('SELECT 1 FROM municipalities LIMIT 1')
      if (rows.length > 0) throw new Error('loadDemo: the database is not empty')
    }
    const m = data.municipality.id
    await tx.query('INSERT INTO municipalities (id, name, created_at) VALUES ($1, $2, $3)', [m, data.municipality.name, tx.now])
    await insertCatalogue(tx, m, data)
    await insertStaff(tx, m, data, pinHashes)
    await insertHolders(tx, m, data, opts.cprKey ?? DEMO_CPR_KEY)
    await insertGuardians(tx, m, data, pinHashes)
    await recordAll(tx, data)
  })
  // PGlite has no autovacuum: without fresh statistics the planner sorts the whole change log
  // for every pull page instead of walking its index.
  if (db.kind === 'pglite') await db.exec('ANALYZE')
  return {
    locations: data.locations.length,
    categories: data.categories.length,
    products: data.products.length,
    staff: data.staff.length,
    holders: data.holders.length,
    cards: data.holders.reduce((n, h) => n + h.cards.length, 0),
    guardians: data.guardians.length,
  }
}

/** Loads the demo into an empty database (throws if it is not empty). */
export async function loadDemo(db: Db, data: DemoData, opts: { clock?: Clock; cprKey?: string } = {}): Promise<LoadedCounts> {
  const counts = await insertMunicipality(db, data, { ...opts, requireEmpty: true })
  // The webshop of the demo canteens (server/orders/demo.ts).
  await seedDemoWebshop(db, data.municipality.id)
  return counts
}

export async function isEmpty(db: Db): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM municipalities LIMIT 1')
  return rows.length === 0
}
