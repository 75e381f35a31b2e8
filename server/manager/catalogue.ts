/**
 * The catalogue as a manager keeps it (issue 16 "Products", "Categories"): categories with order
 * and colour, products with barcode, picture, allergens, active and orderable, and prices per
 * canteen that change now or from a future time. Every write locks the entities it changes,
 * writes their change rows (the tills hold the catalogue; the live poke follows the commit) and
 * an audit entry as `staff:<id>`, in one transaction. A refusal changes nothing.
 *
 * Scope: the session's municipality; an id of another municipality answers like a missing one.
 * Prices are the session's canteens' only: another canteen of the municipality is
 * 'canteen-not-yours', one of no municipality of theirs 'location-unknown'.
 *
 * Prices over time (migration 0017): `product_prices` is today's price, the history is every price
 * from its instant. A change from a future time is a history row only; the tills get it in the
 * product's `schedule` and switch by themselves; `promoteDuePrices` moves it into `product_prices`
 * once due (a timer started with the routes). What the manager sees as "now" is read from the
 * history at the server's clock, so it is right to the second whether or not the timer has run.
 *
 * Deleting: only a product that no sale or order names and that was never on sale anywhere (a
 * till may have sold it offline, and that sale must still be accepted): else 'product-has-sales',
 * and the manager retires it (`active: false`), which hides it from the tills.
 */
import { randomUUID } from 'node:crypto'
import sharp from 'sharp'
import { AllergenList, type Allergen } from '../../domain/allergens'
import { canonicalBarcode } from '../../domain/ean'
import { ProductData } from '../../domain/sync'
import type { Sql } from '../db'
import { lockEntities, lockKey } from '../money/locks'
import { audit } from '../platform/audit'
import type { ServerContext } from '../platform/context'
import { ok, refuse, type Result } from '../platform/result'
import { write, type Tx } from '../platform/tx'
import { recordChanges } from '../sync/changes'
import { setPrice } from '../sync/prices'
import type { ManagerPrincipal } from './auth'
import { createdBefore } from './create-once'

/** How far in the past a `from` may lie and still mean "now" (a till's clock a little behind). */
export const FROM_TOLERANCE_MS = 60_000
/** Pending changes per product and canteen (the till's schedule holds at most 100). */
export const MAX_PENDING_CHANGES = 20
export const IMAGE_SIDE = 320
export const MAX_IMAGE_BYTES = 8 * 1024 * 1024
const MAX_INPUT_PIXELS = 50_000_000
const IMAGE_FORMATS = new Set(['jpeg', 'png', 'webp'])
const IMAGE_QUALITIES = [80, 65, 50]
const COLOUR = /^#[0-9a-fA-F]{6}$/

export interface ManagerCategory {
  id: string
  name: string
  sort: number
  colour: string | null
}

export interface ManagerProduct {
  id: string
  name: string
  categoryId: string
  barcode: string | null
  image: string | null
  allergens: Allergen[]
  active: boolean
  orderable: boolean
  /** øre at each of the manager's canteens now; absent: not sold there. */
  prices: Record<string, number>
  /** Changes from a future time per canteen, oldest first; price null: not sold there from then. */
  upcoming: Record<string, { from: string; price: number | null }[]>
  hasSales: boolean
}

export interface Catalogue {
  locations: { id: string; name: string }[]
  categories: ManagerCategory[]
  products: ManagerProduct[]
}

export type CatalogueRefusal =
  | 'category-unknown'
  | 'category-in-use'
  | 'order-invalid'
  | 'name-invalid'
  | 'colour-invalid'
  | 'product-unknown'
  | 'barcode-invalid'
  | 'barcode-taken'
  | 'location-unknown'
  | 'canteen-not-yours'
  | 'price-invalid'
  | 'from-in-past'
  | 'schedule-full'
  | 'change-unknown'
  | 'already-in-effect'
  | 'image-invalid'
  | 'product-has-sales'
  | 'id-taken'

const actor = (m: ManagerPrincipal) => `staff:${m.staffId}`

/** Trimmed, inner runs of white space as one space, 1..120 characters; else null. */
export function normaliseName(name: string): string | null {
  const trimmed = name.trim().replace(/\s+/g, ' ')
  return trimmed.length >= 1 && trimmed.length <= 120 ? trimmed : null
}

/** `#rrggbb` in lower case, null for none; undefined: not a colour. */
export function normaliseColour(colour: string | null): string | null | undefined {
  if (colour === null) return null
  return COLOUR.test(colour) ? colour.toLowerCase() : undefined
}

/** The barcode as stored (EAN-13/EAN-8, UPC-A as EAN-13), null for none; undefined: not a valid barcode. */
export function normaliseBarcode(barcode: string | null | undefined): string | null | undefined {
  if (barcode === null || barcode === undefined || barcode.trim() === '') return null
  return canonicalBarcode(barcode) ?? undefined
}

export const isPrice = (price: number) => Number.isSafeInteger(price) && price >= 0

// --- reading ---------------------------------------------------------------------------------

export async function categoriesOf(sql: Sql, municipalityId: string): Promise<ManagerCategory[]> {
  const { rows } = await sql.query<ManagerCategory>('SELECT id, name, sort, colour FROM categories WHERE municipality_id = $1 ORDER BY sort, name, id', [
    municipalityId,
  ])
  return rows
}

/**
 * The products (all of the municipality's, or those of `ids`) as the manager sees them at `now`:
 * prices and changes at the manager's canteens only.
 */
export async function productViews(sql: Sql, m: ManagerPrincipal, now: Date, ids: readonly string[] | null = null): Promise<ManagerProduct[]> {
  const { rows } = await sql.query<{
    id: string
    name: string
    category_id: string
    barcode: string | null
    image: string | null
    allergens: string[]
    available: boolean
    orderable: boolean
    has_sales: boolean
  }>(
    `SELECT p.id, p.name, p.category_id, p.barcode, p.image, p.allergens, p.available,
            EXISTS (SELECT 1 FROM orderable_products op WHERE op.product_id = p.id AND op.location_id = ANY($2::text[])) AS orderable,
            (EXISTS (SELECT 1 FROM sale_lines sl WHERE sl.product_id = p.id) OR EXISTS (SELECT 1 FROM order_lines ol WHERE ol.product_id = p.id)) AS has_sales
       FROM products p
      WHERE p.municipality_id = $1 AND ($3::text[] IS NULL OR p.id = ANY($3::text[]))
      ORDER BY p.sort, p.name, p.id`,
    [m.municipalityId, m.locationIds, ids],
  )
  const history = await sql.query<{ product_id: string; location_id: string; valid_from: Date; price: string | number | null; due: boolean }>(
    `SELECT h.product_id, h.location_id, h.valid_from, h.price, h.valid_from <= $3 AS due
       FROM product_price_history h JOIN products p ON p.id = h.product_id
      WHERE p.municipality_id = $1 AND h.location_id = ANY($2::text[]) AND ($4::text[] IS NULL OR h.product_id = ANY($4::text[]))
        AND (h.valid_from > $3 OR h.valid_from = (SELECT max(l.valid_from) FROM product_price_history l
                                                    WHERE l.product_id = h.product_id AND l.location_id = h.location_id AND l.valid_from <= $3))
      ORDER BY h.product_id, h.location_id, h.valid_from`,
    [m.municipalityId, m.locationIds, now, ids],
  )
  const prices = new Map<string, Record<string, number>>()
  const upcoming = new Map<string, Record<string, { from: string; price: number | null }[]>>()
  for (const h of history.rows) {
    const price = h.price === null ? null : Number(h.price)
    if (h.due) {
      if (price !== null) (prices.get(h.product_id) ?? prices.set(h.product_id, {}).get(h.product_id)!)[h.location_id] = price
    } else {
      const own = upcoming.get(h.product_id) ?? upcoming.set(h.product_id, {}).get(h.product_id)!
      ;(own[h.location_id] ??= []).push({ from: new Date(h.valid_from).toISOString(), price })
    }
  }
  return rows.map((p) => ({
    id: p.id,
    name: p.name,
    categoryId: p.category_id,
    barcode: p.barcode,
    image: p.image,
    allergens: AllergenList.parse(p.allergens),
    active: p.available,
    orderable: p.orderable,
    prices: prices.get(p.id) ?? {},
    upcoming: upcoming.get(p.id) ?? {},
    hasSales: p.has_sales,
  }))
}

export async function catalogueOf(ctx: ServerContext, m: ManagerPrincipal): Promise<Catalogue> {
  const now = ctx.clock.now()
  const locations = await ctx.db.query<{ id: string; name: string }>(
    'SELECT id, name FROM locations WHERE municipality_id = $1 AND id = ANY($2::text[]) ORDER BY name, id',
    [m.municipalityId, m.locationIds],
  )
  return { locations: locations.rows, categories: await categoriesOf(ctx.db, m.municipalityId), products: await productViews(ctx.db, m, now) }
}

async function productView(sql: Sql, m: ManagerPrincipal, now: Date, id: string): Promise<ManagerProduct> {
  const [view] = await productViews(sql, m, now, [id])
  if (!view) throw new Error(`catalogue: product ${id} is gone within its own transaction`)
  return view
}

/** Canteen ids a manager names: each the municipality's (else location-unknown) and theirs (else canteen-not-yours). */
async function checkCanteens(sql: Sql, m: ManagerPrincipal, ids: readonly string[]): Promise<Result<void, 'location-unknown' | 'canteen-not-yours'>> {
  if (ids.length === 0) return ok(undefined)
  const { rows } = await sql.query<{ id: string }>('SELECT id FROM locations WHERE municipality_id = $1 AND id = ANY($2::text[])', [m.municipalityId, ids])
  const known = new Set(rows.map((r) => r.id))
  if (ids.some((id) => !known.has(id))) return refuse('location-unknown')
  if (ids.some((id) => !m.locationIds.includes(id))) return refuse('canteen-not-yours')
  return ok(undefined)
}

async function categoryExists(sql: Sql, m: ManagerPrincipal, id: string): Promise<boolean> {
  const { rows } = await sql.query('SELECT 1 FROM categories WHERE id = $1 AND municipality_id = $2', [id, m.municipalityId])
  return rows.length > 0
}

async function barcodeTaken(sql: Sql, m: ManagerPrincipal, barcode: string, exceptId: string | null): Promise<boolean> {
  const { rows } = await sql.query('SELECT 1 FROM products WHERE municipality_id = $1 AND barcode = $2 AND id IS DISTINCT FROM $3', [m.municipalityId, barcode, exceptId])
  return rows.length > 0
}

/** A unique violation on the barcode index (two managers at once): the same refusal as the check's. */
export function isBarcodeClash(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string; message?: string } | null
  return e?.code === '23505' && (e.constraint === 'products_barcode_unique' || (e.message ?? '').includes('products_barcode_unique'))
}

// --- categories ------------------------------------------------------------------------------

export async function createCategory(
  ctx: ServerContext,
  m: ManagerPrincipal,
  input: { id?: string; name: string; colour: string | null },
): Promise<Result<ManagerCategory, CatalogueRefusal>> {
  const name = normaliseName(input.name)
  if (name === null) return refuse('name-invalid')
  const colour = normaliseColour(input.colour)
  if (colour === undefined) return refuse('colour-invalid')
  const id = input.id ?? `cat-${randomUUID()}`
  return write(ctx, async (tx) => {
    await lockEntities(tx, [lockKey.entity('category', id)])
    // A retry of a create that went through (create-once.ts): the category as it is now.
    const before = await createdBefore(tx, 'categories', id, m.municipalityId)
    if (before === 'taken') return refuse('id-taken')
    if (before === 'ours') {
      const { rows } = await tx.query<ManagerCategory>('SELECT id, name, sort, colour FROM categories WHERE id = $1', [id])
      return ok({ ...rows[0]!, sort: Number(rows[0]!.sort) })
    }
    const { rows } = await tx.query<{ sort: number }>('SELECT coalesce(max(sort), 0) + 1 AS sort FROM categories WHERE municipality_id = $1', [m.municipalityId])
    const sort = Number(rows[0]!.sort)
    await tx.query('INSERT INTO categories (id, municipality_id, name, sort, colour) VALUES ($1, $2, $3, $4, $5)', [id, m.municipalityId, name, sort, colour])
    await recordChanges(tx, 'category', [id])
    await audit(tx, { municipalityId: m.municipalityId, actor: actor(m), action: 'catalogue.category-created', entity: 'category', entityId: id, details: { name, colour }, at: tx.now })
    return ok({ id, name, sort, colour })
  })
}

export async function updateCategory(ctx: ServerContext, m: ManagerPrincipal, id: string, input: { name?: string; colour?: string | null }): Promise<Result<ManagerCategory, CatalogueRefusal>> {
  const name = input.name === undefined ? undefined : normaliseName(input.name)
  if (name === null) return refuse('name-invalid')
  const colour = input.colour === undefined ? undefined : normaliseColour(input.colour)
  if (input.colour !== undefined && colour === undefined) return refuse('colour-invalid')
  return write(ctx, async (tx) => {
    await lockEntities(tx, [lockKey.entity('category', id)])
    const { rows } = await tx.query<ManagerCategory>(
      `UPDATE categories SET name = coalesce($3, name), colour = CASE WHEN $4 THEN $5 ELSE colour END
        WHERE id = $1 AND municipality_id = $2 RETURNING id, name, sort, colour`,
      [id, m.municipalityId, name ?? null, input.colour !== undefined, colour ?? null],
    )
    if (!rows[0]) return refuse('category-unknown')
    await recordChanges(tx, 'category', [id])
    await audit(tx, { municipalityId: m.municipalityId, actor: actor(m), action: 'catalogue.category-changed', entity: 'category', entityId: id, details: { ...input }, at: tx.now })
    return ok(rows[0])
  })
}

/** The municipality's categories in a new order: `ids` must be all of them, each once. */
export async function orderCategories(ctx: ServerContext, m: ManagerPrincipal, ids: readonly string[]): Promise<Result<ManagerCategory[], CatalogueRefusal>> {
  if (new Set(ids).size !== ids.length) return refuse('order-invalid')
  return write(ctx, async (tx) => {
    await lockEntities(tx, ids.map((id) => lockKey.entity('category', id)))
    const current = await categoriesOf(tx, m.municipalityId)
    if (current.length !== ids.length || current.some((c) => !ids.includes(c.id))) return refuse('order-invalid')
    const moved = ids.filter((id, i) => current.find((c) => c.id === id)!.sort !== i + 1)
    await tx.query('UPDATE categories c SET sort = t.n FROM unnest($1::text[]) WITH ORDINALITY AS t(id, n) WHERE c.id = t.id AND c.municipality_id = $2', [ids, m.municipalityId])
    await recordChanges(tx, 'category', moved)
    await audit(tx, { municipalityId: m.municipalityId, actor: actor(m), action: 'catalogue.categories-ordered', details: { ids }, at: tx.now })
    return ok(await categoriesOf(tx, m.municipalityId))
  })
}

export async function deleteCategory(ctx: ServerContext, m: ManagerPrincipal, id: string): Promise<Result<null, CatalogueRefusal>> {
  return write(ctx, async (tx) => {
    await lockEntities(tx, [lockKey.entity('category', id)])
    if (!(await categoryExists(tx, m, id))) return refuse('category-unknown')
    const used = await tx.query('SELECT 1 FROM products WHERE category_id = $1 LIMIT 1', [id])
    if (used.rows.length > 0) return refuse('category-in-use')
    await tx.query('DELETE FROM categories WHERE id = $1', [id])
    await recordChanges(tx, 'category', [id], { municipalityId: m.municipalityId })
    await audit(tx, { municipalityId: m.municipalityId, actor: actor(m), action: 'catalogue.category-deleted', entity: 'category', entityId: id, at: tx.now })
    return ok(null)
  })
}

// --- products --------------------------------------------------------------------------------

export interface NewProduct {
  /** Chosen by the screen, so a retry finds the first try's product (create-once.ts). */
  id?: string
  name: string
  categoryId: string
  barcode?: string | null
  allergens: readonly Allergen[]
  active: boolean
  orderable: boolean
  prices: Record<string, number>
}

export interface ProductChange {
  name?: string
  categoryId?: string
  barcode?: string | null
  allergens?: readonly Allergen[]
  active?: boolean
  orderable?: boolean
}

/** The product's webshop rows at the manager's canteens: all of them when orderable, none when not. */
async function setOrderable(tx: Tx, m: ManagerPrincipal, ids: readonly string[], orderable: boolean): Promise<void> {
  await tx.query('DELETE FROM orderable_products WHERE product_id = ANY($1::text[]) AND location_id = ANY($2::text[])', [ids, m.locationIds])
  if (orderable) {
    await tx.query(
      'INSERT INTO orderable_products (location_id, product_id) SELECT l, p FROM unnest($2::text[]) AS l, unnest($1::text[]) AS p ON CONFLICT DO NOTHING',
      [ids, m.locationIds],
    )
  }
}

export async function createProduct(ctx: ServerContext, m: ManagerPrincipal, input: NewProduct): Promise<Result<ManagerProduct, CatalogueRefusal>> {
  const name = normaliseName(input.name)
  if (name === null) return refuse('name-invalid')
  const barcode = normaliseBarcode(input.barcode)
  if (barcode === undefined) return refuse('barcode-invalid')
  if (Object.values(input.prices).some((p) => !isPrice(p))) return refuse('price-invalid')
  const allergens = AllergenList.parse(input.allergens)
  const id = input.id ?? `p-${randomUUID()}`
  try {
    return await write(ctx, async (tx) => {
      await lockEntities(tx, [lockKey.entity('product', id)])
      // A retry of a create that went through (create-once.ts): the product as it is now.
      const before = await createdBefore(tx, 'products', id, m.municipalityId)
      if (before === 'taken') return refuse('id-taken')
      if (before === 'ours') return ok(await productView(tx, m, tx.now, id))
      if (!(await categoryExists(tx, m, input.categoryId))) return refuse('category-unknown')
      const places = await checkCanteens(tx, m, Object.keys(input.prices))
      if (!places.ok) return places
      if (barcode !== null && (await barcodeTaken(tx, m, barcode, null))) return refuse('barcode-taken')
      await tx.query(
        `INSERT INTO products (id, municipality_id, category_id, name, barcode, available, allergens, sort)
         SELECT $1, $2, $3, $4, $5, $6, $7, coalesce(max(sort), 0) + 1 FROM products WHERE municipality_id = $2`,
        [id, m.municipalityId, input.categoryId, name, barcode, input.active, allergens],
      )
      for (const [locationId, price] of Object.entries(input.prices)) {
        await tx.query('INSERT INTO product_prices (product_id, location_id, price, valid_from) VALUES ($1, $2, $3, $4)', [id, locationId, price, tx.now])
      }
      if (input.orderable) await setOrderable(tx, m, [id], true)
      await recordChanges(tx, 'product', [id])
      await audit(tx, {
        municipalityId: m.municipalityId,
        actor: actor(m),
        action: 'catalogue.product-created',
        entity: 'product',
        entityId: id,
        details: { name, categoryId: input.categoryId, barcode, allergens, active: input.active, orderable: input.orderable, prices: input.prices },
        at: tx.now,
      })
      return ok(await productView(tx, m, tx.now, id))
    })
  } catch (error) {
    if (isBarcodeClash(error)) return refuse('barcode-taken')
    throw error
  }
}

/** Locks and finds a product of the manager's municipality (another's is 'product-unknown', like a missing one). */
async function ownProduct(tx: Tx, m: ManagerPrincipal, id: string): Promise<boolean> {
  await lockEntities(tx, [lockKey.entity('product', id)])
  const { rows } = await tx.query('SELECT 1 FROM products WHERE id = $1 AND municipality_id = $2 FOR UPDATE', [id, m.municipalityId])
  return rows.length > 0
}

export async function updateProduct(ctx: ServerContext, m: ManagerPrincipal, id: string, input: ProductChange): Promise<Result<ManagerProduct, CatalogueRefusal>> {
  const name = input.name === undefined ? undefined : normaliseName(input.name)
  if (name === null) return refuse('name-invalid')
  const barcode = input.barcode === undefined ? undefined : normaliseBarcode(input.barcode)
  if (input.barcode !== undefined && barcode === undefined) return refuse('barcode-invalid')
  const allergens = input.allergens === undefined ? undefined : AllergenList.parse(input.allergens)
  try {
    return await write(ctx, async (tx) => {
      if (!(await ownProduct(tx, m, id))) return refuse('product-unknown')
      if (input.categoryId !== undefined && !(await categoryExists(tx, m, input.categoryId))) return refuse('category-unknown')
      if (barcode && (await barcodeTaken(tx, m, barcode, id))) return refuse('barcode-taken')
      await tx.query(
        `UPDATE products SET name = coalesce($2, name), category_id = coalesce($3, category_id),
                barcode = CASE WHEN $4 THEN $5 ELSE barcode END, allergens = coalesce($6, allergens), available = coalesce($7, available)
          WHERE id = $1`,
        [id, name ?? null, input.categoryId ?? null, input.barcode !== undefined, barcode ?? null, allergens ?? null, input.active ?? null],
      )
      if (input.orderable !== undefined) await setOrderable(tx, m, [id], input.orderable)
      await recordChanges(tx, 'product', [id])
      await audit(tx, { municipalityId: m.municipalityId, actor: actor(m), action: 'catalogue.product-changed', entity: 'product', entityId: id, details: { ...input }, at: tx.now })
      return ok(await productView(tx, m, tx.now, id))
    })
  } catch (error) {
    if (isBarcodeClash(error)) return refuse('barcode-taken')
    throw error
  }
}

export interface PriceChange {
  locationId: string
  /** øre; null: not sold there from `from` on. */
  price: number | null
  /** From when; absent: now. More than FROM_TOLERANCE_MS in the past: 'from-in-past'. */
  from?: Date
}

/**
 * A price now (the history's trigger keeps the record) or from a future time (a history row
 * only; the tills switch by themselves at its time, the server promotes it then).
 */
export async function setProductPrice(ctx: ServerContext, m: ManagerPrincipal, id: string, change: PriceChange): Promise<Result<ManagerProduct, CatalogueRefusal>> {
  if (change.price !== null && !isPrice(change.price)) return refuse('price-invalid')
  if (change.from !== undefined && Number.isNaN(change.from.getTime())) return refuse('from-in-past')
  return write(ctx, async (tx) => {
    if (!(await ownProduct(tx, m, id))) return refuse('product-unknown')
    const places = await checkCanteens(tx, m, [change.locationId])
    if (!places.ok) return places
    const nowMs = tx.now.getTime()
    const from = change.from
    if (from && from.getTime() < nowMs - FROM_TOLERANCE_MS) return refuse('from-in-past')
    const future = from !== undefined && from.getTime() > nowMs
    if (future) {
      const pending = await tx.query<{ n: string }>(
        'SELECT count(*) AS n FROM product_price_history WHERE product_id = $1 AND location_id = $2 AND valid_from > $3 AND valid_from <> $4',
        [id, change.locationId, tx.now, from],
      )
      if (Number(pending.rows[0]!.n) >= MAX_PENDING_CHANGES) return refuse('schedule-full')
      await tx.query(
        `INSERT INTO product_price_history (product_id, location_id, valid_from, price) VALUES ($1, $2, $3, $4)
         ON CONFLICT (product_id, location_id, valid_from) DO UPDATE SET price = EXCLUDED.price`,
        [id, change.locationId, from, change.price],
      )
      await recordChanges(tx, 'product', [id])
    } else {
      await setPrice(tx, id, change.locationId, change.price)
    }
    await audit(tx, {
      municipalityId: m.municipalityId,
      actor: actor(m),
      action: future ? 'catalogue.price-scheduled' : 'catalogue.price-set',
      entity: 'product',
      entityId: id,
      details: { locationId: change.locationId, price: change.price, from: (future ? from! : tx.now).toISOString() },
      at: tx.now,
    })
    return ok(await productView(tx, m, tx.now, id))
  })
}

/** Cancels a change from a future time; one whose time has come is 'already-in-effect'. */
export async function cancelPriceChange(ctx: ServerContext, m: ManagerPrincipal, id: string, locationId: string, from: Date): Promise<Result<ManagerProduct, CatalogueRefusal>> {
  if (Number.isNaN(from.getTime())) return refuse('change-unknown')
  return write(ctx, async (tx) => {
    if (!(await ownProduct(tx, m, id))) return refuse('product-unknown')
    const places = await checkCanteens(tx, m, [locationId])
    if (!places.ok) return places
    const { rows } = await tx.query<{ due: boolean }>(
      'SELECT valid_from <= $4 AS due FROM product_price_history WHERE product_id = $1 AND location_id = $2 AND valid_from = $3',
      [id, locationId, from, tx.now],
    )
    if (!rows[0]) return refuse('change-unknown')
    if (rows[0].due) return refuse('already-in-effect')
    await tx.query('DELETE FROM product_price_history WHERE product_id = $1 AND location_id = $2 AND valid_from = $3', [id, locationId, from])
    await recordChanges(tx, 'product', [id])
    await audit(tx, {
      municipalityId: m.municipalityId,
      actor: actor(m),
      action: 'catalogue.price-cancelled',
      entity: 'product',
      entityId: id,
      details: { locationId, from: from.toISOString() },
      at: tx.now,
    })
    return ok(await productView(tx, m, tx.now, id))
  })
}

/**
 * The stored picture made from an upload (base64 of a JPEG, PNG or WebP, or such a data: URL):
 * upright, cropped to cover a IMAGE_SIDE square, JPEG without metadata, small enough for a
 * till's product row. Anything else: 'image-invalid'.
 */
export async function prepareProductImage(data: string): Promise<Result<string, 'image-invalid'>> {
  const text = data.replace(/^data:image\/(jpeg|png|webp);base64,/, '')
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0 || (text.length / 4) * 3 > MAX_IMAGE_BYTES + 2) return refuse('image-invalid')
  const bytes = Buffer.from(text, 'base64')
  if (bytes.length === 0 || bytes.length > MAX_IMAGE_BYTES) return refuse('image-invalid')
  const options = { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' as const }
  try {
    const meta = await sharp(bytes, options).metadata()
    if (!meta.format || !IMAGE_FORMATS.has(meta.format) || !meta.width || !meta.height) return refuse('image-invalid')
    for (const quality of IMAGE_QUALITIES) {
      const jpeg = await sharp(bytes, options)
        .rotate()
        .resize(IMAGE_SIDE, IMAGE_SIDE, { fit: 'cover' })
        .flatten({ background: '#ffffff' })
        .jpeg({ quality, mozjpeg: true })
        .toBuffer()
      const dataUrl = `data:image/jpeg;base64,${jpeg.toString('base64')}`
      if (ProductData.shape.image.safeParse(dataUrl).success) return ok(dataUrl)
    }
    return refuse('image-invalid')
  } catch {
    // Not an image sharp can read (or a truncated one): the sender's fault.
    return refuse('image-invalid')
  }
}

/** A new picture (`image` from prepareProductImage) or none (null). */
export async function setProductImage(ctx: ServerContext, m: ManagerPrincipal, id: string, image: string | null): Promise<Result<ManagerProduct, CatalogueRefusal>> {
  return write(ctx, async (tx) => {
    if (!(await ownProduct(tx, m, id))) return refuse('product-unknown')
    await tx.query('UPDATE products SET image = $2 WHERE id = $1', [id, image])
    await recordChanges(tx, 'product', [id])
    await audit(tx, {
      municipalityId: m.municipalityId,
      actor: actor(m),
      action: image ? 'catalogue.image-set' : 'catalogue.image-removed',
      entity: 'product',
      entityId: id,
      details: image ? { bytes: Math.floor((image.length * 3) / 4) } : {},
      at: tx.now,
    })
    return ok(await productView(tx, m, tx.now, id))
  })
}

export async function deleteProduct(ctx: ServerContext, m: ManagerPrincipal, id: string): Promise<Result<null, CatalogueRefusal>> {
  return write(ctx, async (tx) => {
    if (!(await ownProduct(tx, m, id))) return refuse('product-unknown')
    const { rows } = await tx.query<{ named: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM sale_lines WHERE product_id = $1)
           OR EXISTS (SELECT 1 FROM order_lines WHERE product_id = $1)
           OR EXISTS (SELECT 1 FROM product_price_history WHERE product_id = $1 AND price IS NOT NULL AND valid_from <= $2) AS named`,
      [id, tx.now],
    )
    if (rows[0]!.named) return refuse('product-has-sales')
    await tx.query('DELETE FROM products WHERE id = $1', [id])
    await recordChanges(tx, 'product', [id], { municipalityId: m.municipalityId })
    await audit(tx, { municipalityId: m.municipalityId, actor: actor(m), action: 'catalogue.product-deleted', entity: 'product', entityId: id, at: tx.now })
    return ok(null)
  })
}

// --- future prices coming due ---------------------------------------------------------------

/**
 * Moves every price change whose time has come into `product_prices` (price null: the row goes)
 * and records the products' changes, so the webshop menu and the tills' data follow. Idempotent:
 * a second run, or a second server, finds nothing left to do. Answers how many products moved.
 */
export async function promoteDuePrices(ctx: ServerContext): Promise<number> {
  return write(ctx, async (tx) => {
    const due = await tx.query<{ product_id: string; location_id: string; valid_from: Date; price: string | number | null; current: boolean }>(
      `SELECT h.product_id, h.location_id, h.valid_from, h.price, pp.product_id IS NOT NULL AS current
         FROM product_price_history h
         LEFT JOIN product_prices pp ON pp.product_id = h.product_id AND pp.location_id = h.location_id
        WHERE h.valid_from <= $1 AND h.valid_from > coalesce(pp.valid_from, '-infinity')
          AND (h.price IS NOT NULL OR pp.product_id IS NOT NULL)
          AND NOT EXISTS (SELECT 1 FROM product_price_history l
                           WHERE l.product_id = h.product_id AND l.location_id = h.location_id AND l.valid_from > h.valid_from AND l.valid_from <= $1)`,
      [tx.now],
    )
    if (due.rows.length === 0) return 0
    const ids = [...new Set(due.rows.map((r) => r.product_id))].sort()
    await lockEntities(tx, ids.map((id) => lockKey.entity('product', id)))
    for (const r of due.rows) {
      if (r.price === null) {
        await tx.query('DELETE FROM product_prices WHERE product_id = $1 AND location_id = $2 AND valid_from < $3', [r.product_id, r.location_id, r.valid_from])
      } else {
        await tx.query(
          `INSERT INTO product_prices (product_id, location_id, price, valid_from) VALUES ($1, $2, $3, $4)
           ON CONFLICT (product_id, location_id) DO UPDATE SET price = EXCLUDED.price, valid_from = EXCLUDED.valid_from
           WHERE product_prices.valid_from < EXCLUDED.valid_from`,
          [r.product_id, r.location_id, Number(r.price), r.valid_from],
        )
      }
    }
    await recordChanges(tx, 'product', ids)
    return ids.length
  })
}

/** The instant of the next change still to come, if any. */
export async function nextPriceChange(sql: Sql, now: Date): Promise<Date | null> {
  const { rows } = await sql.query<{ at: Date | null }>(`SELECT min(valid_from) AS at FROM product_price_history WHERE valid_from > $1 AND valid_from <> 'infinity'`, [now])
  return rows[0]?.at ? new Date(rows[0].at) : null
}

export const PROMOTION_RECHECK_MS = 60_000

/**
 * The promotion timer: at the next change's time (by the server's clock) and at least once a
 * minute. Returns its stop. Errors are logged; the next round tries again.
 */
export function startPricePromotion(ctx: ServerContext): { stop(): Promise<void>; tick(): Promise<void> } {
  let timer: NodeJS.Timeout | null = null
  let stopped = false
  let running: Promise<void> = Promise.resolve()
  const round = async () => {
    try {
      await promoteDuePrices(ctx)
      const next = await nextPriceChange(ctx.db, ctx.clock.now())
      return next ? Math.max(0, Math.min(next.getTime() - ctx.clock.now().getTime(), PROMOTION_RECHECK_MS)) : PROMOTION_RECHECK_MS
    } catch (err) {
      ctx.log.error({ err }, 'price promotion: a round failed')
      return PROMOTION_RECHECK_MS
    }
  }
  const schedule = () => {
    if (stopped) return
    running = round().then((delay) => {
      if (!stopped) timer = setTimeout(schedule, delay + 5).unref()
    })
  }
  schedule()
  return {
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      await running
    },
    async tick() {
      await running
      await round()
    },
  }
}
