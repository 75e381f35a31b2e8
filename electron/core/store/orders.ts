import type { OrderChange, OrderData, OrderHandoutPayload, OrderStatus } from '../../../domain/sync'
import { stmt, type Db } from './db'
import { ackedSeq } from './outbox'

/**
 * The canteen's webshop orders at the till (migration 0010) and this till's hand-outs of them.
 * What the counter shows as handed out = the server's `handed_out` + this till's hand-outs the
 * server has not reported back yet (held, pending, or applied above acked_seq); a rejected
 * hand-out counts for nothing and its reason is shown.
 */

export interface PickupLine {
  lineNo: number
  productId: string
  name: string
  quantity: number
  unitPrice: number
  /** Handed out, the server's count and this till's own unacknowledged hand-outs together. */
  handedOut: number
  /** Who handed out (the last one) and when, as the server knows it. */
  handedOutBy: string | null
  handedOutAt: string | null
}

export interface PickupOrder {
  id: string
  number: number
  accountId: string
  holderName: string
  photoId: string | null
  /** The photo's data URL, or null (none, or not fetched yet). */
  photo: string | null
  pickupDay: string
  /** 'HH:MM' as the parent chose it; null: for the day. */
  pickupTime: string | null
  status: OrderStatus
  payment: 'canteen-card' | 'payment-card'
  total: number
  captureAt: string | null
  lines: PickupLine[]
  /** Nothing left to hand out. */
  complete: boolean
  /** This till's latest hand-out of the order that the server refused, with its reason. */
  rejected: { reason: string; at: string } | null
}

// ---- pulled state --------------------------------------------------------------------------

/** Applies orders of a pull page or snapshot; the caller's transaction makes it one with the page. */
export function applyOrderChanges(db: Db, changes: readonly OrderChange[], syncedAt: string): number {
  const upsertOrder = stmt(
    db,
    `INSERT INTO orders (id, location_id, account_id, holder_name, photo_id, pickup_day, pickup_time, number, status, payment, total, capture_at, synced_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET location_id = excluded.location_id, account_id = excluded.account_id, holder_name = excluded.holder_name,
       photo_id = excluded.photo_id, pickup_day = excluded.pickup_day, pickup_time = excluded.pickup_time, number = excluded.number, status = excluded.status,
       payment = excluded.payment, total = excluded.total, capture_at = excluded.capture_at, synced_at = excluded.synced_at`,
  )
  const delLines = stmt(db, `DELETE FROM order_lines WHERE order_id = ?`)
  const insLine = stmt(
    db,
    `INSERT INTO order_lines (order_id, line_no, product_id, name, quantity, unit_price, handed_out, handed_out_by, handed_out_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  const delOrder = stmt(db, `DELETE FROM orders WHERE id = ?`)
  for (const c of changes) {
    if ('deleted' in c) {
      delOrder.run(c.id)
      continue
    }
    const o: OrderData = c.data
    // A server before pickup times sends none: the order is for the day.
    upsertOrder.run(c.id, o.locationId, o.accountId, o.holderName, o.photoId, o.pickupDay, o.pickupTime ?? null, o.number, o.status, o.payment, o.total, o.captureAt, syncedAt)
    delLines.run(c.id)
    for (const l of o.lines) insLine.run(c.id, l.lineNo, l.productId, l.name, l.quantity, l.unitPrice, l.handedOut, l.handedOutBy, l.handedOutAt)
  }
  return changes.length
}

/** A snapshot holds all the canteen's current orders: what it lacks is gone. Inside the snapshot's transaction. */
export function replaceOrders(db: Db, changes: readonly OrderChange[], syncedAt: string): void {
  stmt(db, `DELETE FROM orders`).run()
  applyOrderChanges(db, changes, syncedAt)
}

/** Orders of days before `today` are of no more use at the counter (the server writes no row for a day gone by). */
export function dropOrdersBefore(db: Db, today: string): number {
  return stmt(db, `DELETE FROM orders WHERE pickup_day < ?`).run(today).changes
}

// ---- reading -------------------------------------------------------------------------------

interface OrderRow {
  id: string
  number: number
  account_id: string
  holder_name: string
  photo_id: string | null
  photo: string | null
  pickup_day: string
  pickup_time: string | null
  status: OrderStatus
  payment: 'canteen-card' | 'payment-card'
  total: number
  capture_at: string | null
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
  handed_out_at: string | null
}
interface HandoutRow {
  order_id: string
  lines: string
  at: string
  seq: number | null
  status: 'pending' | 'applied' | 'rejected' | null
  reason: string | null
}

const ORDER_COLS = `o.id, o.number, o.account_id, o.holder_name, o.photo_id, p.data AS photo, o.pickup_day, o.pickup_time, o.status, o.payment, o.total, o.capture_at`

/** Orders matching `where` (on `o`), with lines and this till's own hand-outs counted in; by day, pickup time (none last), number. */
function readOrders(db: Db, where: string, params: unknown[]): PickupOrder[] {
  const rows = stmt(db, `SELECT ${ORDER_COLS} FROM orders o LEFT JOIN photos p ON p.id = o.photo_id WHERE ${where} ORDER BY o.pickup_day, o.pickup_time IS NULL, o.pickup_time, o.number`).all(
    ...params,
  ) as OrderRow[]
  if (rows.length === 0) return []
  const ids = rows.map((r) => r.id)
  const idList = JSON.stringify(ids)
  const lines = stmt(db, `SELECT * FROM order_lines WHERE order_id IN (SELECT value FROM json_each(?)) ORDER BY order_id, line_no`).all(idList) as LineRow[]
  const handouts = stmt(
    db,
    `SELECT h.order_id, h.lines, h.at, h.seq, ob.status, ob.reason FROM order_handouts h LEFT JOIN outbox ob ON ob.seq = h.seq
      WHERE h.order_id IN (SELECT value FROM json_each(?)) ORDER BY h.at`,
  ).all(idList) as HandoutRow[]
  const acked = ackedSeq(db)
  const own = new Map<string, number>()
  const rejected = new Map<string, { reason: string; at: string }>()
  for (const h of handouts) {
    // Held (no seq yet), pending, or applied but not yet in a pulled state: this till's own count.
    const counts = h.seq === null || h.status === 'pending' || (h.status === 'applied' && h.seq > acked)
    if (h.status === 'rejected') rejected.set(h.order_id, { reason: h.reason ?? 'rejected', at: h.at })
    if (!counts) continue
    for (const l of JSON.parse(h.lines) as { lineNo: number; quantity: number }[]) {
      const k = `${h.order_id}#${l.lineNo}`
      own.set(k, (own.get(k) ?? 0) + l.quantity)
    }
  }
  const byOrder = new Map<string, PickupLine[]>()
  for (const l of lines) {
    const list = byOrder.get(l.order_id) ?? []
    list.push({
      lineNo: l.line_no,
      productId: l.product_id,
      name: l.name,
      quantity: l.quantity,
      unitPrice: l.unit_price,
      handedOut: Math.min(l.quantity, l.handed_out + (own.get(`${l.order_id}#${l.line_no}`) ?? 0)),
      handedOutBy: l.handed_out_by,
      handedOutAt: l.handed_out_at,
    })
    byOrder.set(l.order_id, list)
  }
  return rows.map((r) => {
    const ls = byOrder.get(r.id) ?? []
    return {
      id: r.id,
      number: r.number,
      accountId: r.account_id,
      holderName: r.holder_name,
      photoId: r.photo_id,
      photo: r.photo,
      pickupDay: r.pickup_day,
      pickupTime: r.pickup_time,
      status: r.status,
      payment: r.payment,
      total: r.total,
      captureAt: r.capture_at,
      lines: ls,
      complete: ls.length > 0 && ls.every((l) => l.handedOut >= l.quantity),
      rejected: rejected.get(r.id) ?? null,
    }
  })
}

export function ordersOfDay(db: Db, day: string, locationId: string | null): PickupOrder[] {
  return locationId === null ? readOrders(db, `o.pickup_day = ?`, [day]) : readOrders(db, `o.pickup_day = ? AND o.location_id = ?`, [day, locationId])
}

export function orderById(db: Db, id: string): PickupOrder | null {
  return readOrders(db, `o.id = ?`, [id])[0] ?? null
}

export function ordersOfAccount(db: Db, accountId: string, day: string, locationId: string | null): PickupOrder[] {
  return ordersOfDay(db, day, locationId).filter((o) => o.accountId === accountId)
}

// ---- hand-outs -----------------------------------------------------------------------------

export interface HandoutInput {
  id: string
  orderId: string
  /** Lines and quantities to hand out now; empty: all that is left of the order. */
  lines: { lineNo: number; quantity: number }[]
  staffId: string
  staffName: string
  at: string
}

export type HandoutOutcome =
  | { ok: true; handoutId: string; lines: { lineNo: number; quantity: number }[] }
  | { ok: false; reason: 'order-unknown' | 'order-not-today' | 'nothing-left' | 'line-unknown' | 'quantity-too-large' }
  | { ok: false; reason: 'order-not-paid'; status: OrderStatus }

/**
 * Records a hand-out (held for the undo window, seq NULL). The check of what is left and the
 * write are one IMMEDIATE transaction: two taps cannot hand out the same pieces twice.
 */
export function recordHandout(db: Db, h: HandoutInput, today: string): HandoutOutcome {
  return db
    .transaction((): HandoutOutcome => {
      const order = orderById(db, h.orderId)
      if (!order) return { ok: false, reason: 'order-unknown' }
      if (order.status !== 'paid') return { ok: false, reason: 'order-not-paid', status: order.status }
      if (order.pickupDay !== today) return { ok: false, reason: 'order-not-today' }
      const left = new Map(order.lines.map((l) => [l.lineNo, l.quantity - l.handedOut]))
      let lines = h.lines
      if (lines.length === 0) lines = order.lines.filter((l) => l.quantity > l.handedOut).map((l) => ({ lineNo: l.lineNo, quantity: Math.min(20, l.quantity - l.handedOut) }))
      if (lines.length === 0) return { ok: false, reason: 'nothing-left' }
      for (const l of lines) {
        const rest = left.get(l.lineNo)
        if (rest === undefined) return { ok: false, reason: 'line-unknown' }
        if (rest <= 0) return { ok: false, reason: 'nothing-left' }
        if (l.quantity > rest) return { ok: false, reason: 'quantity-too-large' }
      }
      stmt(db, `INSERT INTO order_handouts (id, order_id, lines, staff_id, staff_name, at, seq) VALUES (?, ?, ?, ?, ?, ?, NULL)`).run(
        h.id,
        h.orderId,
        JSON.stringify(lines),
        h.staffId,
        h.staffName,
        h.at,
      )
      return { ok: true, handoutId: h.id, lines }
    })
    .immediate()
}

export type UndoOutcome = { ok: true } | { ok: false; reason: 'handout-unknown' | 'already-sent' }

/** Takes a held hand-out back: only while it has no outbox row (nothing of it can have reached the server). */
export function undoHandout(db: Db, handoutId: string): UndoOutcome {
  return db
    .transaction((): UndoOutcome => {
      const row = stmt(db, `SELECT seq FROM order_handouts WHERE id = ?`).get(handoutId) as { seq: number | null } | undefined
      if (!row) return { ok: false, reason: 'handout-unknown' }
      if (row.seq !== null) return { ok: false, reason: 'already-sent' }
      stmt(db, `DELETE FROM order_handouts WHERE id = ? AND seq IS NULL`).run(handoutId)
      return { ok: true }
    })
    .immediate()
}

/**
 * Writes the `order.handout` outbox row of every held hand-out made at or before `heldBefore`
 * (ISO; all of them when null), in the order they were made, each in the same transaction as
 * the hand-out's seq: a released hand-out has exactly one outbox row. Returns how many.
 */
export function releaseHandouts(db: Db, heldBefore: string | null, mutationId: () => string): number {
  return db
    .transaction(() => {
      const held = stmt(db, `SELECT id, order_id, lines, staff_id, at FROM order_handouts WHERE seq IS NULL AND (? IS NULL OR at <= ?) ORDER BY at, rowid`).all(
        heldBefore,
        heldBefore,
      ) as { id: string; order_id: string; lines: string; staff_id: string; at: string }[]
      const insert = stmt(db, `INSERT INTO outbox (mutation_id, kind, payload, created_at) VALUES (?, 'order.handout', ?, ?)`)
      const setSeq = stmt(db, `UPDATE order_handouts SET seq = ? WHERE id = ?`)
      for (const h of held) {
        const payload: OrderHandoutPayload = { orderId: h.order_id, lines: JSON.parse(h.lines), handedOutAt: h.at, staffId: h.staff_id }
        const { lastInsertRowid } = insert.run(mutationId(), JSON.stringify(payload), h.at)
        setSeq.run(Number(lastInsertRowid), h.id)
      }
      return held.length
    })
    .immediate()
}

/** The earliest time a held hand-out was made, or null: when the next release is due. */
export function oldestHeldAt(db: Db): string | null {
  return (stmt(db, `SELECT MIN(at) AS at FROM order_handouts WHERE seq IS NULL`).get() as { at: string | null }).at
}

/** The hand-out's own state: held (undo possible), pending, applied, or rejected with the server's reason. */
export function handoutState(db: Db, handoutId: string): { state: 'held' | 'pending' | 'applied' | 'rejected'; reason: string | null; at: string } | null {
  const row = stmt(db, `SELECT h.at, h.seq, ob.status, ob.reason FROM order_handouts h LEFT JOIN outbox ob ON ob.seq = h.seq WHERE h.id = ?`).get(handoutId) as
    | { at: string; seq: number | null; status: 'pending' | 'applied' | 'rejected' | null; reason: string | null }
    | undefined
  if (!row) return null
  if (row.seq === null) return { state: 'held', reason: null, at: row.at }
  return { state: row.status ?? 'applied', reason: row.reason, at: row.at }
}

// ---- the kitchen's list --------------------------------------------------------------------

export interface PreparationRow {
  productId: string
  name: string
  quantity: number
  handedOut: number
}
export interface PreparationSlot {
  /** 'HH:MM'; null: the orders without a time ("uden tidspunkt"), for the day. */
  pickupTime: string | null
  products: PreparationRow[]
  orderCount: number
}
export interface Preparation {
  day: string
  /** The day's totals per product. */
  products: PreparationRow[]
  /** The same per pickup time, earliest first, the orders without a time last; empty when there are no orders. */
  byPickupTime: PreparationSlot[]
}

type PrepOrder = Pick<PickupOrder, 'status' | 'pickupTime' | 'lines'>

function totals(orders: readonly PrepOrder[]): PreparationRow[] {
  const byProduct = new Map<string, PreparationRow>()
  for (const o of orders) {
    for (const l of o.lines) {
      const t = byProduct.get(l.productId) ?? { productId: l.productId, name: l.name, quantity: 0, handedOut: 0 }
      t.quantity += l.quantity
      t.handedOut += l.handedOut
      byProduct.set(l.productId, t)
    }
  }
  return [...byProduct.values()].sort((a, b) => a.name.localeCompare(b.name, 'da') || (a.productId < b.productId ? -1 : 1))
}

/**
 * The kitchen's list of orders: totals per product for the day and per pickup time, from paid and
 * awaiting-payment orders (a failed or cancelled one is not made). The slots add up to the day.
 */
export function preparationOf(day: string, orders: readonly PrepOrder[]): Preparation {
  const made = orders.filter((o) => o.status === 'paid' || o.status === 'awaiting-payment')
  const slots = new Map<string | null, PrepOrder[]>()
  for (const o of made) slots.set(o.pickupTime, [...(slots.get(o.pickupTime) ?? []), o])
  // 'HH:MM' sorts as text; the orders without a time come last.
  const keys = [...slots.keys()].sort((a, b) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0))
  return {
    day,
    products: totals(made),
    byPickupTime: keys.map((k) => ({ pickupTime: k, products: totals(slots.get(k)!), orderCount: slots.get(k)!.length })),
  }
}

export function preparation(db: Db, day: string, locationId: string | null): Preparation {
  return preparationOf(day, ordersOfDay(db, day, locationId))
}
