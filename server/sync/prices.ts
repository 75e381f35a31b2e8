/**
 * The catalogue's prices over time (migration 0006): what a till could have held when it sold.
 *
 * A till sells at the price of its last pull. Offline, that may be yesterday's price: honest.
 * So a line's unit price is accepted when it was the product's price at the sale's canteen at
 * some moment a till selling at `at` could have pulled it: from STALE_CATALOGUE_MS before `at`
 * (how long a till may sell offline on old data) to CLOCK_AHEAD_MS after it (a till's clock a
 * little behind). It is `stale` when it was not the price at `at` itself. Any other price is one
 * no till could have held.
 */
import type { Tx } from '../platform/tx'
import { recordChanges } from './changes'

export const STALE_CATALOGUE_MS = 7 * 24 * 3600_000
export const CLOCK_AHEAD_MS = 10 * 60_000

/** One price a product had at a canteen: from `fromMs` (null: since always) until the next one. */
interface PriceSpan {
  fromMs: number | null
  price: number | null
}

/** A product's prices at one canteen, oldest first, keyed by product id. */
export type PriceHistory = Map<string, PriceSpan[]>

/**
 * A product's prices at one canteen over time, as a row source for a UNION (apply-sale.ts reads
 * it with the other references of a push batch): `$3` the product ids, `$4` the canteen; one row per product, kind 'prices',
 * detail `[[fromMs | null, price | null], ...]` oldest first.
 */
export const PRICE_HISTORY_ROWS = `SELECT 'prices', product_id,
       jsonb_agg(jsonb_build_array(CASE WHEN valid_from = '-infinity' THEN NULL ELSE floor(extract(epoch FROM valid_from) * 1000)::bigint END, price) ORDER BY valid_from)
  FROM product_price_history WHERE location_id = $4 AND product_id = ANY($3::text[])
 GROUP BY product_id`

export function priceHistoryOf(rows: readonly { id: string; detail: unknown }[]): PriceHistory {
  const history: PriceHistory = new Map()
  for (const r of rows) {
    const spans = (r.detail as [number | string | null, number | string | null][]).map(([from, price]) => ({
      fromMs: from === null ? null : Number(from),
      price: price === null ? null : Number(price),
    }))
    history.set(r.id, spans)
  }
  return history
}

export type PriceVerdict = 'current' | 'stale' | 'impossible'

/** Whether a till selling at `atMs` could have held `unitPrice` for the product (see the file's comment). */
export function checkPrice(spans: readonly PriceSpan[] | undefined, unitPrice: number, atMs: number): PriceVerdict {
  if (!spans) return 'impossible'
  const windowFrom = atMs - STALE_CATALOGUE_MS
  const windowTo = atMs + CLOCK_AHEAD_MS
  let verdict: PriceVerdict = 'impossible'
  for (const [i, span] of spans.entries()) {
    const from = span.fromMs ?? -Infinity
    const until = spans[i + 1]?.fromMs ?? Infinity
    if (span.price !== unitPrice) continue
    if (from <= atMs && atMs < until) return 'current'
    if (from <= windowTo && windowFrom < until) verdict = 'stale'
  }
  return verdict
}

/**
 * Sets a product's price at a canteen from now on (the transaction's clock), keeps the history
 * (the migration's trigger) and tells the tills. The caller takes the product's lock
 * (`lockKey.entity('product', id)`) before its transaction's first write. `price` null: no
 * longer sold there.
 */
export async function setPrice(tx: Tx, productId: string, locationId: string, price: number | null): Promise<void> {
  if (price === null) {
    // The trigger remembers a deletion at the database's time; the history is by the server's clock.
    await tx.query(
      `INSERT INTO product_price_history (product_id, location_id, valid_from, price) VALUES ($1, $2, $3, NULL)
       ON CONFLICT (product_id, location_id, valid_from) DO UPDATE SET price = NULL`,
      [productId, locationId, tx.now],
    )
    await tx.query('DELETE FROM product_prices WHERE product_id = $1 AND location_id = $2', [productId, locationId])
  } else {
    if (!Number.isSafeInteger(price) || price < 0) throw new TypeError(`setPrice: not a price in øre: ${price}`)
    await tx.query(
      `INSERT INTO product_prices (product_id, location_id, price, valid_from) VALUES ($1, $2, $3, $4)
       ON CONFLICT (product_id, location_id) DO UPDATE SET price = EXCLUDED.price, valid_from = EXCLUDED.valid_from`,
      [productId, locationId, price, tx.now],
    )
  }
  await recordChanges(tx, 'product', [productId])
}
