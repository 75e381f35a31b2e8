/**
 * Baselines on the till side: plain better-sqlite3, the till's own schema (so the columns and
 * indexes are the same), WAL + synchronous=FULL as the till sets them, prepared statements, one
 * transaction. No sync code at all: the floor the till's pull path is compared against.
 */
import { createHash } from 'node:crypto'
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { periodKeys } from '../domain/periods'
import { MIGRATIONS } from '../electron/core/store/migrations'
import type { DemoData } from '../server/demo/demo'

export type Bare = Database.Database

export function openBare(dir: string): Bare {
  const db = new Database(join(dir, 'bare.sqlite'))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  for (const m of MIGRATIONS) db.exec(m.sql)
  return db
}

/** One account row as the till stores it (electron/core/store/pull.ts), in column order. */
export type AccountRow = [
  id: string,
  holderName: string,
  photoId: string | null,
  status: string,
  balance: number,
  day: number | null,
  week: number | null,
  month: number | null,
  spent: string,
  denied: string,
  allowed: string | null,
  syncedAt: string,
]

export interface TillRows {
  locations: [string, string][]
  categories: [string, string, number][]
  products: [string, string, string, string, string | null, number, string | null, number][]
  staff: [string, string, string, string, string, number][]
  accounts: AccountRow[]
  cards: [string, string, string][]
}

/** The rows an initial pull of `data` leaves in a till, with every value already serialised. */
export function tillRows(data: DemoData, at = new Date()): TillRows {
  const keys = periodKeys(at)
  const spent = JSON.stringify({ day: { key: keys.day, amount: 0 }, week: { key: keys.week, amount: 0 }, month: { key: keys.month, amount: 0 } })
  const syncedAt = at.toISOString()
  // A scrypt hash has this shape and about this length; the baseline never checks a PIN.
  const pinHash = `scrypt$${'s'.repeat(24)}$${'h'.repeat(44)}`
  return {
    locations: data.locations.map((l) => [l.id, l.name]),
    categories: data.categories.map((c) => [c.id, c.name, c.sort]),
    products: data.products.map((p) => [p.id, p.name, p.categoryId, JSON.stringify(p.prices), p.barcode, 1, null, p.sort]),
    staff: data.staff.map((s) => [s.id, s.name, pinHash, JSON.stringify(s.roles), JSON.stringify(s.locationIds), 1]),
    accounts: data.holders.map((h) => [
      h.accountId,
      h.name,
      h.photo === null ? null : createHash('sha256').update(h.photo).digest('hex'),
      h.status,
      h.balance,
      h.limits.day,
      h.limits.week,
      h.limits.month,
      spent,
      JSON.stringify(h.deniedCategoryIds),
      h.allowedLocationIds === null ? null : JSON.stringify(h.allowedLocationIds),
      syncedAt,
    ]),
    cards: data.holders.flatMap((h) => h.cards.map((c): [string, string, string] => [c.number, h.accountId, c.status])),
  }
}

const ACCOUNT_INSERT = `INSERT INTO accounts (id, holder_name, photo_id, status, balance, limit_day, limit_week, limit_month, spent, denied_categories, allowed_locations, synced_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

/** Plain INSERTs of every row, one transaction. */
export function bulkInsert(db: Bare, rows: TillRows): number {
  const location = db.prepare('INSERT INTO locations (id, name) VALUES (?, ?)')
  const category = db.prepare('INSERT INTO categories (id, name, sort) VALUES (?, ?, ?)')
  const product = db.prepare('INSERT INTO products (id, name, category_id, prices, barcode, available, image, sort) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
  const staff = db.prepare('INSERT INTO staff (id, name, pin_hash, roles, location_ids, active) VALUES (?, ?, ?, ?, ?, ?)')
  const account = db.prepare(ACCOUNT_INSERT)
  const card = db.prepare('INSERT INTO cards (number, account_id, status) VALUES (?, ?, ?)')
  let n = 0
  db.transaction(() => {
    for (const r of rows.locations) n += location.run(r).changes
    for (const r of rows.categories) n += category.run(r).changes
    for (const r of rows.products) n += product.run(r).changes
    for (const r of rows.staff) n += staff.run(r).changes
    for (const r of rows.accounts) n += account.run(r).changes
    for (const r of rows.cards) n += card.run(r).changes
  })()
  return n
}

/** The same upsert the till's pull applies to an account, for `rows`, one transaction. */
export function upsertAccounts(db: Bare, rows: readonly AccountRow[]): number {
  const upsert = db.prepare(
    `${ACCOUNT_INSERT}
     ON CONFLICT (id) DO UPDATE SET holder_name = excluded.holder_name, photo_id = excluded.photo_id, status = excluded.status,
       balance = excluded.balance, limit_day = excluded.limit_day, limit_week = excluded.limit_week, limit_month = excluded.limit_month,
       spent = excluded.spent, denied_categories = excluded.denied_categories, allowed_locations = excluded.allowed_locations,
       synced_at = excluded.synced_at`,
  )
  let n = 0
  db.transaction(() => {
    for (const r of rows) n += upsert.run(r).changes
  })()
  return n
}

/** Every account row of a till store (or a bare copy), keyed by id, in AccountRow shape. */
export function readAccountRows(db: Database.Database, ids: readonly string[]): AccountRow[] {
  const stmt = db.prepare(
    `SELECT id, holder_name, photo_id, status, balance, limit_day, limit_week, limit_month, spent, denied_categories, allowed_locations, synced_at
       FROM accounts WHERE id = ?`,
  )
  stmt.raw(true)
  return ids.map((id) => {
    const row = stmt.get(id) as AccountRow | undefined
    if (!row) throw new Error(`account ${id} is missing from the till`)
    return row
  })
}

export function countRows(db: Database.Database): Record<'accounts' | 'cards' | 'products' | 'staff' | 'locations' | 'categories', number> {
  const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n
  return {
    accounts: count('accounts'),
    cards: count('cards'),
    products: count('products'),
    staff: count('staff'),
    locations: count('locations'),
    categories: count('categories'),
  }
}
