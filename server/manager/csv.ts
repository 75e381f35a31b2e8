/**
 * The catalogue as CSV (issue 16 "Catalogue import and export"): csv-stringify writes it,
 * csv-parse reads it (no hand-written CSV). Columns:
 *
 *   id, name, category, barcode, allergens, active, orderable, price:<locationId>...
 *
 * `category` by name; `allergens` domain/allergens.ts codes separated by `;`; `active` and
 * `orderable` ja/nej (yes/no, true/false, 1/0 read too); one price column per canteen of the
 * manager's, in kroner with a decimal comma ("35,00"; a point is read too), empty: not sold
 * there. A file saved by a Danish spreadsheet with `;` between the columns is read as well.
 *
 * Import: each row is checked on its own; a bad row is reported with its line (and column) and
 * skipped, the rest is written in ONE transaction (commit) or only counted (preview: nothing is
 * written). A row with an id changes that product (another municipality's id: unknown), one
 * without creates a product; an unknown category is the row's error (categories are not made
 * here). A row that says what the product already is counts as unchanged and writes nothing, so
 * export then import changes nothing. Price changes take effect now; future ones are set one by
 * one (PUT /manager/products/:id/prices). Written in bulk: 2,000 rows are a few statements.
 */
import { randomUUID } from 'node:crypto'
import { parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'
import { ALLERGENS, type Allergen } from '../../domain/allergens'
import type { Sql } from '../db'
import { lockEntities, lockKey } from '../money/locks'
import { audit } from '../platform/audit'
import type { ServerContext } from '../platform/context'
import { write } from '../platform/tx'
import { recordChanges } from '../sync/changes'
import type { ManagerPrincipal } from './auth'
import { categoriesOf, isBarcodeClash, normaliseBarcode, normaliseName, productViews, type ManagerProduct } from './catalogue'

export const MAX_IMPORT_ROWS = 10_000
const FIXED = ['id', 'name', 'category', 'barcode', 'allergens', 'active', 'orderable'] as const
const PRICE_PREFIX = 'price:'

/** What is wrong with a line, for the screen to say in its own language (`message` is the English). */
export type ImportErrorCode =
  | 'unreadable'
  | 'empty'
  | 'too-many-rows'
  | 'column-twice'
  | 'price-column-not-yours'
  | 'column-unknown'
  | 'column-missing'
  | 'column-count'
  | 'id-unknown'
  | 'id-repeated'
  | 'name-invalid'
  | 'category-unknown'
  | 'barcode-invalid'
  | 'barcode-taken'
  | 'allergens-invalid'
  | 'yes-no'
  | 'price-invalid'
  | 'barcode-clash'

export interface ImportError {
  line: number
  column?: string
  code: ImportErrorCode
  /** The values the sentence names (a column, an id, a category, a barcode, a count). */
  params?: Record<string, string | number>
  message: string
}

export interface ImportResult {
  /** Data rows read (the header not counted). */
  rows: number
  created: number
  updated: number
  unchanged: number
  errors: ImportError[]
}

const yesNo = (b: boolean) => (b ? 'ja' : 'nej')
/** øre → kroner with a decimal comma: 3500 → "35,00". */
export const kroner = (ore: number) => `${Math.floor(ore / 100)},${String(ore % 100).padStart(2, '0')}`

async function managerLocations(sql: Sql, m: ManagerPrincipal): Promise<{ id: string; name: string }[]> {
  const { rows } = await sql.query<{ id: string; name: string }>('SELECT id, name FROM locations WHERE municipality_id = $1 AND id = ANY($2::text[]) ORDER BY name, id', [
    m.municipalityId,
    m.locationIds,
  ])
  return rows
}

export async function exportCatalogue(ctx: ServerContext, m: ManagerPrincipal): Promise<string> {
  const now = ctx.clock.now()
  const locations = await managerLocations(ctx.db, m)
  const categories = new Map((await categoriesOf(ctx.db, m.municipalityId)).map((c) => [c.id, c.name]))
  const products = await productViews(ctx.db, m, now)
  const header = [...FIXED, ...locations.map((l) => `${PRICE_PREFIX}${l.id}`)]
  const rows = products.map((p) => [
    p.id,
    p.name,
    categories.get(p.categoryId) ?? '',
    p.barcode ?? '',
    p.allergens.join(';'),
    yesNo(p.active),
    yesNo(p.orderable),
    ...locations.map((l) => (p.prices[l.id] === undefined ? '' : kroner(p.prices[l.id]!))),
  ])
  return stringify([header, ...rows])
}

/** "35,00", "35.5", "35" → øre; null when it is no amount of kroner. */
export function parseKroner(text: string): number | null {
  const m = /^(\d{1,7})(?:[.,](\d{1,2}))?$/.exec(text.trim())
  if (!m) return null
  return Number(m[1]) * 100 + (m[2] === undefined ? 0 : Number(m[2].padEnd(2, '0')))
}

function parseYesNo(text: string): boolean | null | undefined {
  const t = text.trim().toLowerCase()
  if (t === '') return undefined
  if (['ja', 'j', 'yes', 'y', 'true', '1'].includes(t)) return true
  if (['nej', 'n', 'no', 'false', '0'].includes(t)) return false
  return null
}

function parseAllergens(text: string): Allergen[] | null {
  const codes = text
    .split(/[;,]/)
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '')
  if (codes.some((c) => !(ALLERGENS as readonly string[]).includes(c))) return null
  return ALLERGENS.filter((a) => codes.includes(a))
}

/** What one good row asks for. */
interface RowPlan {
  line: number
  /** Existing product id, or a new one. */
  id: string
  isNew: boolean
  name: string
  categoryId: string
  barcode: string | null
  allergens: Allergen[]
  active: boolean
  /** undefined: as it is. */
  orderable: boolean | undefined
  /** Only the price columns the file has: øre, or null (no price there). */
  prices: Record<string, number | null>
  changed: boolean
}

interface Plan {
  rows: number
  errors: ImportError[]
  good: RowPlan[]
}

/** Reads the file against the catalogue as `sql` sees it at `now`; writes nothing. */
async function plan(sql: Sql, m: ManagerPrincipal, now: Date, csv: string): Promise<Plan> {
  const firstLine = csv.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? ''
  const delimiter = firstLine.includes(';') && !firstLine.includes(',') ? ';' : ','
  let records: { record: string[]; info: { lines: number; empty_lines: number } }[]
  try {
    records = parse(csv, { bom: true, delimiter, skip_empty_lines: true, relax_column_count: true, info: true }) as never
  } catch (error) {
    const e = error as { message?: string; lines?: number }
    return { rows: 0, errors: [{ line: e.lines ?? 1, code: 'unreadable', message: `not readable as CSV: ${e.message ?? String(error)}` }], good: [] }
  }
  if (records.length === 0) return { rows: 0, errors: [{ line: 1, code: 'empty', message: 'the file is empty: a header line is needed' }], good: [] }
  if (records.length - 1 > MAX_IMPORT_ROWS) return { rows: records.length - 1, errors: [{ line: 1, code: 'too-many-rows', params: { max: MAX_IMPORT_ROWS }, message: `at most ${MAX_IMPORT_ROWS} rows in one file` }], good: [] }

  // The header: known columns, each once; price columns of the manager's canteens only.
  const header = records[0]!.record.map((h) => h.trim())
  const headerErrors: ImportError[] = []
  const col = new Map<string, number>()
  for (const [i, h] of header.entries()) {
    if (col.has(h)) headerErrors.push({ line: 1, column: h, code: 'column-twice', message: `the column "${h}" is there twice` })
    col.set(h, i)
  }
  const priceColumns: { locationId: string; index: number }[] = []
  const locations = new Set((await managerLocations(sql, m)).map((l) => l.id))
  for (const [i, h] of header.entries()) {
    if ((FIXED as readonly string[]).includes(h)) continue
    if (h.startsWith(PRICE_PREFIX) && locations.has(h.slice(PRICE_PREFIX.length))) priceColumns.push({ locationId: h.slice(PRICE_PREFIX.length), index: i })
    else if (h.startsWith(PRICE_PREFIX)) headerErrors.push({ line: 1, column: h, code: 'price-column-not-yours', message: 'a price column of a canteen that is not one of yours' })
    else headerErrors.push({ line: 1, column: h, code: 'column-unknown', message: `an unknown column "${h}"` })
  }
  for (const needed of ['name', 'category']) if (!col.has(needed)) headerErrors.push({ line: 1, column: needed, code: 'column-missing', message: `the column "${needed}" is missing` })
  if (headerErrors.length > 0) return { rows: records.length - 1, errors: headerErrors, good: [] }

  const products = new Map((await productViews(sql, m, now)).map((p) => [p.id, p]))
  const categories = new Map<string, string>()
  for (const c of await categoriesOf(sql, m.municipalityId)) {
    const key = c.name.trim().toLowerCase()
    if (!categories.has(key)) categories.set(key, c.id)
  }
  const fileIds = new Set<string>()
  for (const r of records.slice(1)) {
    const id = (r.record[col.get('id') ?? -1] ?? '').trim()
    if (id && products.has(id)) fileIds.add(id)
  }
  // Barcodes held by products the file does not touch; rows claim theirs in file order.
  const barcodeOwner = new Map<string, string>()
  for (const p of products.values()) if (p.barcode && !fileIds.has(p.id)) barcodeOwner.set(p.barcode, p.id)

  const errors: ImportError[] = []
  const good: RowPlan[] = []
  const seenIds = new Set<string>()
  let prevEnd = 1
  let prevEmpty = records[0]!.info.empty_lines
  for (const { record, info } of records.slice(1)) {
    const line = prevEnd + 1 + (info.empty_lines - prevEmpty)
    prevEnd = info.lines
    prevEmpty = info.empty_lines
    const cell = (name: string) => (col.has(name) ? (record[col.get(name)!] ?? '') : '')
    const fail = (column: string | undefined, code: ImportErrorCode, message: string, params?: Record<string, string | number>) =>
      void errors.push({ line, ...(column ? { column } : {}), code, ...(params ? { params } : {}), message })
    if (record.length !== header.length) {
      fail(undefined, 'column-count', `${record.length} columns where the header has ${header.length}`, { found: record.length, wanted: header.length })
      continue
    }
    const id = cell('id').trim()
    const existing = id ? products.get(id) : undefined
    if (id && !existing) {
      fail('id', 'id-unknown', `no product with the id "${id}" in your municipality`, { id })
      continue
    }
    if (id && seenIds.has(id)) {
      fail('id', 'id-repeated', `the product "${id}" is on an earlier line too`, { id })
      continue
    }
    const name = normaliseName(cell('name'))
    if (name === null) {
      fail('name', 'name-invalid', 'a name is 1 to 120 characters')
      continue
    }
    const categoryId = categories.get(cell('category').trim().toLowerCase())
    if (!categoryId) {
      fail('category', 'category-unknown', `no category named "${cell('category').trim()}"`, { category: cell('category').trim() })
      continue
    }
    const barcode = col.has('barcode') ? normaliseBarcode(cell('barcode')) : (existing?.barcode ?? null)
    if (barcode === undefined) {
      fail('barcode', 'barcode-invalid', `"${cell('barcode').trim()}" is no EAN-13, EAN-8 or UPC-A barcode (check digit)`, { barcode: cell('barcode').trim() })
      continue
    }
    const productId = existing?.id ?? `p-${randomUUID()}`
    if (barcode !== null && barcodeOwner.has(barcode) && barcodeOwner.get(barcode) !== productId) {
      fail('barcode', 'barcode-taken', `the barcode ${barcode} belongs to another product`, { barcode })
      continue
    }
    const allergens = col.has('allergens') ? parseAllergens(cell('allergens')) : (existing?.allergens ?? [])
    if (allergens === null) {
      fail('allergens', 'allergens-invalid', `allergens are codes separated by ";": ${ALLERGENS.join(', ')}`)
      continue
    }
    const active = parseYesNo(cell('active'))
    const orderable = parseYesNo(cell('orderable'))
    if (active === null) {
      fail('active', 'yes-no', 'active is "ja" or "nej"')
      continue
    }
    if (orderable === null) {
      fail('orderable', 'yes-no', 'orderable is "ja" or "nej"')
      continue
    }
    const prices: Record<string, number | null> = {}
    let badPrice: string | null = null
    for (const { locationId, index } of priceColumns) {
      const text = (record[index] ?? '').trim()
      if (text === '') prices[locationId] = null
      else {
        const ore = parseKroner(text)
        if (ore === null) badPrice = header[index]!
        else prices[locationId] = ore
      }
    }
    if (badPrice !== null) {
      fail(badPrice, 'price-invalid', 'a price is kroner like "35,00" (0 or more), or empty: not sold there')
      continue
    }
    seenIds.add(productId)
    if (barcode !== null) barcodeOwner.set(barcode, productId)
    const row: RowPlan = {
      line,
      id: productId,
      isNew: !existing,
      name,
      categoryId,
      barcode,
      allergens,
      active: active ?? existing?.active ?? true,
      orderable: orderable ?? (existing ? undefined : false),
      prices,
      changed: true,
    }
    row.changed = !existing || differs(row, existing)
    good.push(row)
  }
  return { rows: records.length - 1, errors, good }
}

function differs(row: RowPlan, p: ManagerProduct): boolean {
  if (row.name !== p.name || row.categoryId !== p.categoryId || row.barcode !== p.barcode || row.active !== p.active) return true
  if (row.allergens.join(';') !== p.allergens.join(';')) return true
  if (row.orderable !== undefined && row.orderable !== p.orderable) return true
  return Object.entries(row.prices).some(([loc, price]) => (p.prices[loc] ?? null) !== price)
}

/** Preview (`commit` false: nothing written) or import of a catalogue file; see the file's comment. */
export async function importCatalogue(ctx: ServerContext, m: ManagerPrincipal, csv: string, commit: boolean): Promise<ImportResult> {
  const summary = (p: Plan): ImportResult => ({
    rows: p.rows,
    created: p.good.filter((r) => r.isNew).length,
    updated: p.good.filter((r) => !r.isNew && r.changed).length,
    unchanged: p.good.filter((r) => !r.changed).length,
    errors: p.errors,
  })
  if (!commit) return summary(await plan(ctx.db, m, ctx.clock.now(), csv))
  try {
    return await commitImport(ctx, m, csv, summary)
  } catch (error) {
    // Another manager gave a new product one of the file's barcodes meanwhile: the index says no
    // and the whole import is rolled back.
    if (!isBarcodeClash(error)) throw error
    const p = await plan(ctx.db, m, ctx.clock.now(), csv)
    return { ...summary(p), created: 0, updated: 0, unchanged: 0, errors: [...p.errors, { line: 1, column: 'barcode', code: 'barcode-clash', message: 'a barcode of the file was given to another product meanwhile: nothing was imported; try again' }] }
  }
}

async function commitImport(ctx: ServerContext, m: ManagerPrincipal, csv: string, summary: (p: Plan) => ImportResult): Promise<ImportResult> {
  return write(ctx, async (tx) => {
    // The municipality's products are locked before the file is read against them (new ones need none: nobody knows their ids).
    const named = await tx.query<{ id: string }>('SELECT id FROM products WHERE municipality_id = $1', [m.municipalityId])
    await lockEntities(
      tx,
      named.rows.map((r) => lockKey.entity('product', r.id)),
    )
    const p = await plan(tx, m, tx.now, csv)
    const rows = p.good.filter((r) => r.changed)
    if (rows.length === 0) return summary(p)
    const created = rows.filter((r) => r.isNew)
    const updated = rows.filter((r) => !r.isNew)
    const allergens = (list: RowPlan[]) => list.map((r) => JSON.stringify(r.allergens))
    if (created.length > 0) {
      await tx.query(
        `INSERT INTO products (id, municipality_id, category_id, name, barcode, available, allergens, sort)
         SELECT t.id, $1, t.category_id, t.name, t.barcode, t.active, ARRAY(SELECT jsonb_array_elements_text(t.allergens::jsonb)),
                (SELECT coalesce(max(sort), 0) FROM products WHERE municipality_id = $1) + t.n
           FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::text[]) WITH ORDINALITY AS t(id, category_id, name, barcode, active, allergens, n)`,
        [
          m.municipalityId,
          created.map((r) => r.id),
          created.map((r) => r.categoryId),
          created.map((r) => r.name),
          created.map((r) => r.barcode),
          created.map((r) => r.active),
          allergens(created),
        ],
      )
    }
    if (updated.length > 0) {
      // Barcodes that move let go first, so two products may swap theirs in one file (the unique index checks each row at once).
      await tx.query('UPDATE products SET barcode = NULL WHERE municipality_id = $1 AND id = ANY($2::text[]) AND barcode IS NOT NULL', [
        m.municipalityId,
        updated.map((r) => r.id),
      ])
      await tx.query(
        `UPDATE products p SET category_id = t.category_id, name = t.name, barcode = t.barcode, available = t.active,
                allergens = ARRAY(SELECT jsonb_array_elements_text(t.allergens::jsonb))
           FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::text[]) AS t(id, category_id, name, barcode, active, allergens)
          WHERE p.id = t.id AND p.municipality_id = $1`,
        [
          m.municipalityId,
          updated.map((r) => r.id),
          updated.map((r) => r.categoryId),
          updated.map((r) => r.name),
          updated.map((r) => r.barcode),
          updated.map((r) => r.active),
          allergens(updated),
        ],
      )
    }
    // Prices from now on: set where the file says another price, removed where it says none.
    const existing = new Map((await productViews(tx, m, tx.now, updated.map((r) => r.id))).map((v) => [v.id, v]))
    const set: { id: string; loc: string; price: number }[] = []
    const removed: { id: string; loc: string }[] = []
    for (const r of rows) {
      for (const [loc, price] of Object.entries(r.prices)) {
        const now = existing.get(r.id)?.prices[loc] ?? null
        if (price === now) continue
        if (price === null) removed.push({ id: r.id, loc })
        else set.push({ id: r.id, loc, price })
      }
    }
    if (set.length > 0) {
      await tx.query(
        `INSERT INTO product_prices (product_id, location_id, price, valid_from) SELECT t.id, t.loc, t.price, $4 FROM unnest($1::text[], $2::text[], $3::bigint[]) AS t(id, loc, price)
         ON CONFLICT (product_id, location_id) DO UPDATE SET price = EXCLUDED.price, valid_from = EXCLUDED.valid_from`,
        [set.map((s) => s.id), set.map((s) => s.loc), set.map((s) => s.price), tx.now],
      )
    }
    if (removed.length > 0) {
      // Since when it is not sold there, by the server's clock (the deletion trigger then adds nothing).
      await tx.query(
        `INSERT INTO product_price_history (product_id, location_id, valid_from, price) SELECT t.id, t.loc, $3, NULL FROM unnest($1::text[], $2::text[]) AS t(id, loc)
         ON CONFLICT (product_id, location_id, valid_from) DO UPDATE SET price = NULL`,
        [removed.map((s) => s.id), removed.map((s) => s.loc), tx.now],
      )
      await tx.query('DELETE FROM product_prices pp USING unnest($1::text[], $2::text[]) AS t(id, loc) WHERE pp.product_id = t.id AND pp.location_id = t.loc', [
        removed.map((s) => s.id),
        removed.map((s) => s.loc),
      ])
    }
    const orderable = rows.filter((r) => r.orderable !== undefined)
    if (orderable.length > 0) {
      await tx.query('DELETE FROM orderable_products WHERE product_id = ANY($1::text[]) AND location_id = ANY($2::text[])', [orderable.map((r) => r.id), m.locationIds])
      const on = orderable.filter((r) => r.orderable).map((r) => r.id)
      if (on.length > 0) {
        await tx.query('INSERT INTO orderable_products (location_id, product_id) SELECT l, p FROM unnest($2::text[]) AS l, unnest($1::text[]) AS p ON CONFLICT DO NOTHING', [
          on,
          m.locationIds,
        ])
      }
    }
    await recordChanges(
      tx,
      'product',
      rows.map((r) => r.id),
    )
    const result = summary(p)
    await audit(tx, {
      municipalityId: m.municipalityId,
      actor: `staff:${m.staffId}`,
      action: 'catalogue.imported',
      details: { rows: result.rows, created: result.created, updated: result.updated, unchanged: result.unchanged, errors: result.errors.length },
      at: tx.now,
    })
    return result
  })
}
