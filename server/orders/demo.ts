/**
 * The demo's webshop: at each demo canteen a few orderable products (hot meals and sandwiches
 * the canteen prices), the cut-offs a school would set (Monday's orders close at 12:00 on the
 * Friday before, Tuesday to Friday at 09:00 on the day), pickup at 10:30, 11:30 or 12:15 until
 * 13:00, and lines not picked up credited back. Only what the canteen prices: a product without a price there is not
 * sold there.
 */
import type { Db } from '../db'

export const DEMO_ORDER_CATEGORIES = ['c-varm-mad', 'c-sandwich', 'c-salat']
/** The demo canteens' pickup times (before the window's end, 13:00). */
export const DEMO_PICKUP_TIMES = ['10:30', '11:30', '12:15']
const PER_CATEGORY = 3

export async function seedDemoWebshop(db: Db, municipalityId: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO orderable_products (location_id, product_id)
       SELECT location_id, product_id FROM (
         SELECT pp.location_id, p.id AS product_id, row_number() OVER (PARTITION BY pp.location_id, p.category_id ORDER BY p.sort, p.id) AS n
           FROM products p JOIN product_prices pp ON pp.product_id = p.id
          WHERE p.municipality_id = $1 AND p.category_id = ANY($2::text[]) AND p.available) ranked
        WHERE n <= $3
       ON CONFLICT DO NOTHING`,
      [municipalityId, DEMO_ORDER_CATEGORIES, PER_CATEGORY],
    )
    await tx.query(
      `INSERT INTO order_cutoffs (location_id, weekday, days_before, at)
       SELECT l.id, w.weekday, w.days_before, w.at::time
         FROM locations l, (VALUES (1, 3, '12:00'), (2, 0, '09:00'), (3, 0, '09:00'), (4, 0, '09:00'), (5, 0, '09:00')) AS w(weekday, days_before, at)
        WHERE l.municipality_id = $1
       ON CONFLICT DO NOTHING`,
      [municipalityId],
    )
    await tx.query(
      `INSERT INTO order_settings (location_id, pickup_end, credit_uncollected, pickup_times)
       SELECT id, '13:00', true, $2::time[] FROM locations WHERE municipality_id = $1 ON CONFLICT DO NOTHING`,
      [municipalityId, DEMO_PICKUP_TIMES],
    )
  })
}
