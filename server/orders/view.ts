/**
 * An order as the guardian sees it (the kiosk's "Vis ordrer"): the status with its Danish and
 * English label, when an order awaiting payment is drawn, and whether it may still be cancelled.
 */
import type { Sql } from '../db'

export type OrderState = 'pending' | 'declined' | 'awaiting-payment' | 'paid' | 'payment-failed' | 'cancelled'

export const STATUS_LABEL: Record<OrderState, { da: string; en: string }> = {
  pending: { da: 'Afventer godkendelse', en: 'Awaiting authorisation' },
  declined: { da: 'Afvist', en: 'Declined' },
  'awaiting-payment': { da: 'Afventer betaling', en: 'Awaiting payment' },
  paid: { da: 'Betalt', en: 'Paid' },
  'payment-failed': { da: 'Betaling fejlede', en: 'Payment failed' },
  cancelled: { da: 'Annulleret', en: 'Cancelled' },
}

export interface OrderView {
  id: string
  number: number
  accountId: string
  locationId: string
  locationName: string
  pickupDay: string
  /** 'HH:MM' (Copenhagen) as chosen at checkout; null: for the day. */
  pickupTime: string | null
  status: OrderState
  statusLabel: { da: string; en: string }
  payment: 'canteen-card' | 'payment-card'
  total: number
  /** When a payment card is drawn (null: canteen card). */
  captureAt: string | null
  cutoffAt: string
  /** Before the cut-off, paid or awaiting payment, nothing handed out. */
  cancellable: boolean
  failure: string | null
  createdAt: string
  lines: { lineNo: number; productId: string; name: string; quantity: number; unitPrice: number; handedOut: number }[]
}

interface Row {
  id: string
  number: number
  account_id: string
  location_id: string
  location_name: string
  pickup_day: string
  pickup_time: string | null
  status: OrderState
  payment: 'canteen-card' | 'payment-card'
  total: number
  capture_at: Date | null
  cutoff_at: Date
  failure: string | null
  created_at: Date
  lines: { lineNo: number; productId: string; name: string; quantity: number; unitPrice: number; handedOut: number }[]
}

const SELECT = `SELECT o.id, o.number, o.account_id, o.location_id, l.name AS location_name, o.pickup_day::text AS pickup_day,
                       to_char(o.pickup_time, 'HH24:MI') AS pickup_time, o.status, o.payment,
                       o.total, o.capture_at, o.cutoff_at, o.failure, o.created_at,
                       (SELECT coalesce(json_agg(json_build_object('lineNo', ol.line_no, 'productId', ol.product_id, 'name', ol.name, 'quantity', ol.quantity,
                                                                  'unitPrice', ol.unit_price, 'handedOut', ol.handed_out) ORDER BY ol.line_no), '[]')
                          FROM order_lines ol WHERE ol.order_id = o.id) AS lines
                  FROM orders o JOIN locations l ON l.id = o.location_id`

function toView(r: Row, now: Date): OrderView {
  const lines = r.lines.map((l) => ({ ...l, unitPrice: Number(l.unitPrice) }))
  return {
    id: r.id,
    number: r.number,
    accountId: r.account_id,
    locationId: r.location_id,
    locationName: r.location_name,
    pickupDay: r.pickup_day,
    pickupTime: r.pickup_time,
    status: r.status,
    statusLabel: STATUS_LABEL[r.status],
    payment: r.payment,
    total: Number(r.total),
    captureAt: r.payment === 'payment-card' && r.capture_at ? r.capture_at.toISOString() : null,
    cutoffAt: r.cutoff_at.toISOString(),
    cancellable: (r.status === 'paid' || r.status === 'awaiting-payment') && now.getTime() < r.cutoff_at.getTime() && lines.every((l) => l.handedOut === 0),
    failure: r.failure,
    createdAt: r.created_at.toISOString(),
    lines,
  }
}

export async function orderView(sql: Sql, orderId: string, now: Date): Promise<OrderView | null> {
  const { rows } = await sql.query<Row>(`${SELECT} WHERE o.id = $1`, [orderId])
  return rows[0] ? toView(rows[0], now) : null
}

/** The account's orders, newest pickup day first (an order being authorised is not listed). */
export async function ordersOfAccount(sql: Sql, accountId: string, now: Date): Promise<OrderView[]> {
  const { rows } = await sql.query<Row>(`${SELECT} WHERE o.account_id = $1 AND o.status <> 'pending' ORDER BY o.pickup_day DESC, o.number DESC`, [accountId])
  return rows.map((r) => toView(r, now))
}

/** A canteen's orders of a day (the back office, the kitchen), by pickup time, then number. */
export async function ordersOfDay(sql: Sql, locationId: string, day: string, now: Date): Promise<OrderView[]> {
  const { rows } = await sql.query<Row>(`${SELECT} WHERE o.location_id = $1 AND o.pickup_day = $2::date AND o.status NOT IN ('pending', 'declined') ORDER BY o.pickup_time NULLS LAST, o.number`, [locationId, day])
  return rows.map((r) => toView(r, now))
}
