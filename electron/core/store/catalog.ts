import type { Catalog, Product } from '../api/contract'
import { stmt, type Db } from './db'
import { DEFAULT_SALE_CAPS, type SaleCaps } from '../../../domain/checkout'
import { storedAllergens } from './allergens'
import { SaleCapsData } from '../../../domain/sync'

interface ProductRow {
  id: string
  name: string
  category_id: string
  prices: string
  schedule: string
  barcode: string | null
  image: string | null
  allergens: string
}

const COLUMNS = 'id, name, category_id, prices, schedule, barcode, image, allergens'

/**
 * Products sold at this canteen at `nowMs` (the till's clock): available and priced here, at the
 * price of that moment (a scheduled change takes effect at its time, offline too).
 */
export function readCatalog(db: Db, locationId: string | null, nowMs: number): Catalog {
  const categories = db.prepare('SELECT id, name, colour FROM categories ORDER BY sort, name').all() as Catalog['categories']
  const rows = db.prepare(`SELECT ${COLUMNS} FROM products WHERE available = 1 ORDER BY sort, name`).all() as ProductRow[]
  const products: Product[] = []
  for (const row of rows) {
    const product = productOf(row, locationId, nowMs)
    if (product) products.push(product)
  }
  const used = new Set(products.map((p) => p.categoryId))
  return { categories: categories.filter((c) => used.has(c.id)), products }
}

/** The products among `ids` sold here at `nowMs`, at that moment's price (what a sale charges). */
export function readProducts(db: Db, ids: readonly string[], locationId: string | null, nowMs: number): Map<string, Product> {
  const byId = stmt(db, `SELECT ${COLUMNS} FROM products WHERE id = ? AND available = 1`)
  const found = new Map<string, Product>()
  for (const id of ids) {
    const row = byId.get(id) as ProductRow | undefined
    const product = row ? productOf(row, locationId, nowMs) : null
    if (product) found.set(id, product)
  }
  return found
}

function productOf(row: ProductRow, locationId: string | null, nowMs: number): Product | null {
  const price = priceAt(row, locationId, nowMs)
  if (price === null) return null
  return { id: row.id, name: row.name, categoryId: row.category_id, price, barcode: row.barcode, image: row.image, allergens: storedAllergens(row.allergens) }
}

/**
 * The price at the canteen at `nowMs`: the latest scheduled change whose time has come (null in
 * it: not sold from then), else the price of the last pull; null: not sold here.
 */
export function priceAt(row: { prices: string; schedule: string }, locationId: string | null, nowMs: number): number | null {
  if (!locationId) return null
  const schedule = (JSON.parse(row.schedule) as Record<string, [number, number | null][]>)[locationId] ?? []
  let due: [number, number | null] | null = null
  for (const change of schedule) if (change[0] <= nowMs && (due === null || change[0] >= due[0])) due = change
  if (due) return due[1]
  const prices = JSON.parse(row.prices) as Record<string, number>
  return prices[locationId] ?? null
}


/**
 * The caps on one sale at this canteen, as the server last sent them with the location (its
 * municipality's settings), or the defaults the server applies when none came.
 */
export function saleCapsAt(db: Db, locationId: string): SaleCaps {
  const row = stmt(db, 'SELECT sale_caps FROM locations WHERE id = ?').get(locationId) as { sale_caps: string | null } | undefined
  if (!row?.sale_caps) return DEFAULT_SALE_CAPS
  const parsed = SaleCapsData.safeParse(JSON.parse(row.sale_caps))
  return parsed.success ? parsed.data : DEFAULT_SALE_CAPS
}
