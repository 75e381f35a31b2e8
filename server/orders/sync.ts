/**
 * Orders on their way to the tills of their canteen (domain/sync.ts OrderData).
 *
 * An order's change row carries its canteen (`changes.location_id`): a pull sends it to that
 * canteen's tills only, in the page's `orders` (sync/pull.ts), and the snapshot selects the
 * canteen's orders of today and tomorrow (sync/snapshot.ts). A till does not hold next week's
 * orders: an order is *released* (its first change row written) once its pickup day is today or
 * tomorrow, by the checkout itself or by `releaseDueOrders` (the order worker, each minute);
 * every later change of a released order writes a row, in the transaction that makes it.
 *
 * Invariant, as for every change row (sync/changes.ts): written in the same transaction as the
 * write it reports, after the order's lock (`lockKey.entity('order', id)`) was taken.
 */
import { OrderData, type OrderStatus } from '../../domain/sync'
import type { Sql } from '../db'
import type { ChangeOrigin } from '../sync/changes'
import type { Tx } from '../platform/tx'
import { todayAndTomorrow } from './calendar'

interface OrderRow {
  id: string
  municipality_id: string
  location_id: string
  account_id: string
  holder_name: string
  photo_id: string | null
  pickup_day: string
  pickup_time: string | null
  number: number
  status: string
  payment: 'canteen-card' | 'payment-card'
  total: number
  capture_at: Date | null
  released: boolean
}

interface LineRow {
  order_id: string
  line_no: number
  product_id: string
  name: string
  quantity: number
  unit_price: number
  handed_out: number
  handed_out_by: string | null
  handed_out_at: Date | null
}

/** The states a till sees; an order still being authorised, or declined, never reaches one. */
const TILL_STATUSES: readonly string[] = ['awaiting-payment', 'paid', 'payment-failed', 'cancelled']

/** Orders as tills hold them, by id (staff named by name, as the till shows who handed out). */
export async function orderSnapshots(sql: Sql, ids: readonly string[]): Promise<Map<string, { row: OrderRow; data: OrderData }>> {
  if (ids.length === 0) return new Map()
  const { rows } = await sql.query<OrderRow>(
    `SELECT o.id, o.municipality_id, o.location_id, o.account_id, h.name AS holder_name, h.photo_id, o.pickup_day::text AS pickup_day,
            to_char(o.pickup_time, 'HH24:MI') AS pickup_time, o.number, o.status, o.payment, o.total, o.capture_at, o.released
       FROM orders o JOIN accounts a ON a.id = o.account_id JOIN holders h ON h.id = a.holder_id
      WHERE o.id = ANY($1::uuid[])`,
    [ids],
  )
  const lines = await sql.query<LineRow>(
    `SELECT l.order_id, l.line_no, l.product_id, l.name, l.quantity, l.unit_price, l.handed_out, s.name AS handed_out_by, l.handed_out_at
       FROM order_lines l LEFT JOIN staff s ON s.id = l.handed_out_by
      WHERE l.order_id = ANY($1::uuid[]) ORDER BY l.order_id, l.line_no`,
    [ids],
  )
  const linesOf = new Map<string, LineRow[]>()
  for (const l of lines.rows) linesOf.set(l.order_id, [...(linesOf.get(l.order_id) ?? []), l])
  const out = new Map<string, { row: OrderRow; data: OrderData }>()
  for (const o of rows) {
    if (!TILL_STATUSES.includes(o.status)) continue
    const data: OrderData = {
      locationId: o.location_id,
      accountId: o.account_id,
      holderName: o.holder_name,
      photoId: o.photo_id,
      pickupDay: o.pickup_day,
      number: o.number,
      status: o.status as OrderStatus,
      payment: o.payment,
      total: Number(o.total),
      captureAt: o.capture_at ? o.capture_at.toISOString() : null,
      pickupTime: o.pickup_time,
      lines: (linesOf.get(o.id) ?? []).map((l) => ({
        lineNo: l.line_no,
        productId: l.product_id,
        name: l.name,
        quantity: l.quantity,
        unitPrice: Number(l.unit_price),
        handedOut: l.handed_out,
        handedOutBy: l.handed_out_by,
        handedOutAt: l.handed_out_at ? l.handed_out_at.toISOString() : null,
      })),
    }
    out.set(o.id, { row: o, data: OrderData.parse(data) })
  }
  return out
}

/**
 * Appends the orders' current state to their canteens' change logs, for the orders that are
 * released and not of a day gone by; the others reach no till (yet). `origin`: the hand-out
 * push that caused it (lets the pull page acknowledge the seq).
 */
export async function recordOrderChanges(tx: Tx, ids: readonly string[], origin?: ChangeOrigin): Promise<void> {
  const found = await orderSnapshots(tx, ids)
  const { today } = todayAndTomorrow(tx.now)
  const rows = ids.flatMap((id) => {
    const o = found.get(id)
    return o && o.row.released && o.data.pickupDay >= today ? [{ id, row: o.row, payload: JSON.stringify(o.data) }] : []
  })
  if (rows.length === 0) return
  await tx.query(
    `INSERT INTO changes (municipality_id, location_id, entity, entity_id, payload, origin_terminal, origin_seq, created_at)
     SELECT t.municipality_id, t.location_id, 'order', t.entity_id, t.payload::jsonb, $4, $5, $6
       FROM unnest($1::text[], $2::text[], $3::text[], $7::text[]) WITH ORDINALITY AS t(municipality_id, location_id, entity_id, payload, n)
      ORDER BY t.n`,
    [rows.map((r) => r.row.municipality_id), rows.map((r) => r.row.location_id), rows.map((r) => r.id), origin?.terminalId ?? null, origin?.seq ?? null, tx.now, rows.map((r) => r.payload)],
  )
  for (const r of rows) tx.touched(r.row.municipality_id)
}

/**
 * Releases the orders whose pickup day is today or tomorrow and that no till has yet: marks them
 * and writes their first change rows. Safe to run any number of times (the `released` flag).
 */
export async function releaseOrders(tx: Tx, where: { orderId?: string } = {}): Promise<number> {
  const { tomorrow } = todayAndTomorrow(tx.now)
  const { rows } = await tx.query<{ id: string }>(
    `UPDATE orders SET released = true
      WHERE NOT released AND pickup_day <= $1::date AND status = ANY($2::text[]) AND ($3::uuid IS NULL OR id = $3::uuid)
      RETURNING id`,
    [tomorrow, TILL_STATUSES, where.orderId ?? null],
  )
  await recordOrderChanges(tx, rows.map((r) => r.id).sort())
  return rows.length
}

/** The snapshot's orders: the canteen's orders of today and tomorrow a till may see. */
export async function ordersForSnapshot(sql: Sql, locationId: string, now: Date): Promise<{ id: string; data: OrderData }[]> {
  const { today, tomorrow } = todayAndTomorrow(now)
  const { rows } = await sql.query<{ id: string }>(
    `SELECT id FROM orders WHERE location_id = $1 AND pickup_day BETWEEN $2::date AND $3::date AND released AND status = ANY($4::text[]) ORDER BY pickup_day, number`,
    [locationId, today, tomorrow, TILL_STATUSES],
  )
  const found = await orderSnapshots(sql, rows.map((r) => r.id))
  return rows.flatMap((r) => (found.has(r.id) ? [{ id: r.id, data: found.get(r.id)!.data }] : []))
}
