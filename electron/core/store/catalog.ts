import type { Catalog, Product } from '../api/contract'
import { stmt, type Db } from './db'
import { DEFAULT_SALE_CAPS, type SaleCaps } from '../../../domain/checkout'
import { SaleCapsData } from '../../../domain/sync'

interface ProductRow {
  id: string
  name: string
  category_id: string
  prices: string
  barcode: string | null
  image: string | null
}

/** Products sold at this canteen: available and priced here. */
export function readCatalog(db: Db, locationId: string | null): Catalog {
  const categories = db.prepare('SELECT id, name FROM categories ORDER BY sort, name').all() as Catalog['categories']
  const rows = db
    .prepare('SELECT id, name, category_id, prices, barcode, image FROM products WHERE available = 1 ORDER BY sort, name')
    .all() as ProductRow[]
  const products: Product[] = []
  for (const row of rows) {
    const price = priceAt(row.prices, locationId)
    if (price === null) continue
    products.push({ id: row.id, name: row.name, categoryId: row.category_id, price, barcode: row.barcode, image: row.image })
  }
  const used = new Set(products.map((p) => p.categoryId))
  return { categories: categories.filter((c) => used.has(c.id)), products }
}

export function readProducts(db: Db, ids: readonly string[], locationId: string | null): Map<string, Product> {
  const byId = stmt(db, 'SELECT id, name, category_id, prices, barcode, image FROM products WHERE id = ? AND available = 1')
  const found = new Map<string, Product>()
  for (const id of ids) {
    const row = byId.get(id) as ProductRow | undefined
    const price = row ? priceAt(row.prices, locationId) : null
    if (row && price !== null) {
      found.set(id, { id, name: row.name, categoryId: row.category_id, price, barcode: row.barcode, image: row.image })
    }
  }
  return found
}

function priceAt(pricesJson: string, locationId: string | null): number | null {
  if (!locationId) return null
  const prices = JSON.parse(pricesJson) as Record<string, number>
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
