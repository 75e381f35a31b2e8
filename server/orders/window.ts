/**
 * The end of a pickup day's window: the lines not picked up, listed for the canteen, and (when
 * the canteen's `credit_uncollected` setting is on) credited back to the account through the
 * ledger, onto the parent's statement, once: `orders.window_closed_at` is set in the same
 * transaction as the credit (guarded UPDATE), and the ledger's unique payment_ref
 * `order-uncollected:<id>` would refuse a second credit even so.
 *
 * Only paid orders count: an order awaiting payment or whose payment failed was never paid, so
 * nothing is owed back; a cancelled one was credited when it was cancelled.
 */
import { postLedger } from '../money/ledger'
import { lockEntities, lockKey } from '../money/locks'
import { audit } from '../platform/audit'
import type { ServerContext } from '../platform/context'
import type { Sql } from '../db'
import { write } from '../platform/tx'
import { recordChange } from '../sync/changes'
import { addDays, copenhagenInstant, todayAndTomorrow } from './calendar'
import { orderLock } from './checkout'

export interface UncollectedLine {
  orderId: string
  number: number
  /** The order's pickup time ('HH:MM'), null: for the day. */
  pickupTime: string | null
  accountId: string
  holderName: string
  lineNo: number
  productId: string
  name: string
  /** pieces not handed out */
  left: number
  /** øre */
  amount: number
}

export async function uncollectedLines(sql: Sql, locationId: string, day: string): Promise<UncollectedLine[]> {
  const { rows } = await sql.query<{ order_id: string; number: number; pickup_time: string | null; account_id: string; holder_name: string; line_no: number; product_id: string; name: string; left: number; amount: number }>(
    `SELECT o.id AS order_id, o.number, to_char(o.pickup_time, 'HH24:MI') AS pickup_time, o.account_id, h.name AS holder_name, l.line_no, l.product_id, l.name,
            (l.quantity - l.handed_out) AS left, (l.quantity - l.handed_out) * l.unit_price AS amount
       FROM orders o JOIN order_lines l ON l.order_id = o.id JOIN accounts a ON a.id = o.account_id JOIN holders h ON h.id = a.holder_id
      WHERE o.location_id = $1 AND o.pickup_day = $2::date AND o.status = 'paid' AND l.handed_out < l.quantity
      ORDER BY o.number, l.line_no`,
    [locationId, day],
  )
  return rows.map((r) => ({ orderId: r.order_id, number: r.number, pickupTime: r.pickup_time, accountId: r.account_id, holderName: r.holder_name, lineNo: r.line_no, productId: r.product_id, name: r.name, left: r.left, amount: Number(r.amount) }))
}

export interface WindowClosed {
  orders: number
  credited: number
  /** øre credited in all */
  amount: number
}

/** Closes the pickup window of a canteen's day: marks each paid order, crediting what was not picked up if the canteen says so. */
export async function closePickupWindow(ctx: ServerContext, locationId: string, day: string, actor = 'system:orders'): Promise<WindowClosed> {
  const setting = await ctx.db.query<{ credit_uncollected: boolean }>('SELECT credit_uncollected FROM order_settings WHERE location_id = $1', [locationId])
  const credit = setting.rows[0]?.credit_uncollected ?? false
  const { rows } = await ctx.db.query<{ id: string; account_id: string }>(
    `SELECT id, account_id FROM orders WHERE location_id = $1 AND pickup_day = $2::date AND status = 'paid' AND window_closed_at IS NULL ORDER BY number`,
    [locationId, day],
  )
  const result: WindowClosed = { orders: 0, credited: 0, amount: 0 }
  for (const o of rows) {
    const done = await write(ctx, async (tx) => {
      await lockEntities(tx, [lockKey.account(o.account_id), orderLock(o.id)])
      const closed = await tx.query<{ municipality_id: string; number: number; left_amount: number }>(
        `UPDATE orders SET window_closed_at = $2 WHERE id = $1 AND window_closed_at IS NULL AND status = 'paid'
         RETURNING municipality_id, number, (SELECT coalesce(sum((quantity - handed_out) * unit_price), 0) FROM order_lines WHERE order_id = $1) AS left_amount`,
        [o.id, tx.now],
      )
      const c = closed.rows[0]
      if (!c) return null
      const amount = Number(c.left_amount)
      if (credit && amount > 0) {
        await postLedger(tx, { accountId: o.account_id, kind: 'refund', amount, paymentRef: `order-uncollected:${o.id}`, note: `Ikke afhentet: webshop-ordre ${c.number} (${day})`, at: tx.now })
        await recordChange(tx, 'account', o.account_id)
      }
      await audit(tx, { municipalityId: c.municipality_id, actor, action: 'order.window-closed', entity: 'order', entityId: o.id, details: { uncollected: amount, credited: credit && amount > 0 }, at: tx.now })
      return { amount: credit ? amount : 0 }
    })
    if (!done) continue
    result.orders++
    if (done.amount > 0) {
      result.credited++
      result.amount += done.amount
    }
  }
  return result
}

/** The worker's part: every canteen's windows that have ended (today's after its pickup end, and earlier days). */
export async function closeEndedWindows(ctx: ServerContext): Promise<number> {
  const now = ctx.clock.now()
  const { today } = todayAndTomorrow(now)
  const { rows } = await ctx.db.query<{ location_id: string; day: string; pickup_end: string }>(
    `SELECT DISTINCT o.location_id, o.pickup_day::text AS day, to_char(coalesce(s.pickup_end, '14:00'), 'HH24:MI') AS pickup_end
       FROM orders o LEFT JOIN order_settings s ON s.location_id = o.location_id
      WHERE o.status = 'paid' AND o.window_closed_at IS NULL AND o.pickup_day <= $1::date AND o.pickup_day >= $2::date`,
    [today, addDays(today, -30)],
  )
  let n = 0
  for (const r of rows) {
    if (r.day === today && now.getTime() < copenhagenInstant(r.day, r.pickup_end).getTime()) continue
    n += (await closePickupWindow(ctx, r.location_id, r.day)).orders
  }
  return n
}
