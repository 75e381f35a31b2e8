/**
 * The back office's side of the webshop, per canteen: what may be ordered, closed days,
 * cut-offs per weekday, the pickup settings, and the kitchen's preparation list. Each write is
 * one transaction with an audit entry naming the admin. Changing what may be ordered changes no
 * order already placed (its lines carry their own name and price).
 */
import { DayKey } from '../../domain/sync'
import type { Sql } from '../db'
import { audit } from '../platform/audit'
import type { ServerContext } from '../platform/context'
import { ok, refuse, type Result } from '../platform/result'
import { write } from '../platform/tx'
import type { CutoffRule } from './calendar'
import { cutoffRules } from './menu'

export interface OrderSettings {
  locationId: string
  productIds: string[]
  cutoffs: CutoffRule[]
  closedDays: { day: string; reason: string }[]
  pickupEnd: string
  /** The canteen's pickup times of day ('HH:MM', sorted); empty: an order is for the day. */
  pickupTimes: string[]
  creditUncollected: boolean
}

export async function orderSettings(sql: Sql, locationId: string): Promise<OrderSettings> {
  const products = await sql.query<{ product_id: string }>('SELECT product_id FROM orderable_products WHERE location_id = $1 ORDER BY product_id', [locationId])
  const closed = await sql.query<{ day: string; reason: string }>('SELECT day::text AS day, reason FROM order_closed_days WHERE location_id = $1 ORDER BY day', [locationId])
  const s = await sql.query<{ pickup_end: string; credit_uncollected: boolean; pickup_times: string[] }>(
    `SELECT to_char(pickup_end, 'HH24:MI') AS pickup_end, credit_uncollected,
            ARRAY(SELECT to_char(t, 'HH24:MI') FROM unnest(pickup_times) AS t ORDER BY t) AS pickup_times
       FROM order_settings WHERE location_id = $1`,
    [locationId],
  )
  return {
    locationId,
    productIds: products.rows.map((r) => r.product_id),
    cutoffs: await cutoffRules(sql, locationId),
    closedDays: closed.rows,
    pickupEnd: s.rows[0]?.pickup_end ?? '14:00',
    pickupTimes: s.rows[0]?.pickup_times ?? [],
    creditUncollected: s.rows[0]?.credit_uncollected ?? false,
  }
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/
/** More would not fit the kiosk's row of buttons, and no kitchen plans a day in more slots. */
export const MAX_PICKUP_TIMES = 8

export interface OrderSettingsInput {
  productIds?: string[]
  cutoffs?: CutoffRule[]
  pickupEnd?: string
  pickupTimes?: string[]
  creditUncollected?: boolean
}

export type SettingsRefusal = 'product-unknown' | 'cutoff-invalid' | 'time-invalid' | 'day-invalid' | 'pickup-times-invalid'

/** 'HH:MM' times, each once, at most MAX_PICKUP_TIMES, each before the window's end; sorted. Null: not such a list. */
export function pickupTimeList(times: readonly string[], pickupEnd: string): string[] | null {
  if (times.length > MAX_PICKUP_TIMES || times.some((t) => !TIME.test(t) || t >= pickupEnd)) return null
  if (new Set(times).size !== times.length) return null
  return [...times].sort()
}

/** Replaces what the input names (each list whole); the rest stays. */
export async function setOrderSettings(ctx: ServerContext, municipalityId: string, locationId: string, input: OrderSettingsInput, actor: string): Promise<Result<OrderSettings, SettingsRefusal>> {
  if (input.pickupEnd !== undefined && !TIME.test(input.pickupEnd)) return refuse('time-invalid')
  if (input.cutoffs?.some((c) => !TIME.test(c.time) || !Number.isInteger(c.weekday) || c.weekday < 1 || c.weekday > 7 || !Number.isInteger(c.daysBefore) || c.daysBefore < 0 || c.daysBefore > 14)) {
    return refuse('cutoff-invalid')
  }
  if (input.cutoffs && new Set(input.cutoffs.map((c) => c.weekday)).size !== input.cutoffs.length) return refuse('cutoff-invalid')
  if (input.pickupTimes?.some((t) => !TIME.test(t))) return refuse('pickup-times-invalid')
  const done = await write(ctx, async (tx): Promise<Result<null, SettingsRefusal>> => {
    // The times and the window's end are checked together, as they will stand: a new end before
    // a time already set is refused as well as a time after the end. Under the settings row's lock.
    let pickupTimes: string[] | null = null
    if (input.pickupTimes !== undefined || input.pickupEnd !== undefined) {
      const now = await tx.query<{ pickup_end: string; pickup_times: string[] }>(
        `SELECT to_char(pickup_end, 'HH24:MI') AS pickup_end, ARRAY(SELECT to_char(t, 'HH24:MI') FROM unnest(pickup_times) AS t) AS pickup_times
           FROM order_settings WHERE location_id = $1 FOR UPDATE`,
        [locationId],
      )
      pickupTimes = pickupTimeList(input.pickupTimes ?? now.rows[0]?.pickup_times ?? [], input.pickupEnd ?? now.rows[0]?.pickup_end ?? '14:00')
      if (pickupTimes === null) return refuse('pickup-times-invalid')
    }
    if (input.productIds) {
      // Orderable = a product of the municipality with a price at this canteen.
      const { rows } = await tx.query<{ id: string }>(
        'SELECT p.id FROM products p JOIN product_prices pp ON pp.product_id = p.id AND pp.location_id = $2 WHERE p.id = ANY($1::text[]) AND p.municipality_id = $3',
        [input.productIds, locationId, municipalityId],
      )
      if (rows.length !== new Set(input.productIds).size) return refuse('product-unknown')
      await tx.query('DELETE FROM orderable_products WHERE location_id = $1', [locationId])
      await tx.query('INSERT INTO orderable_products (location_id, product_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING', [locationId, input.productIds])
    }
    if (input.cutoffs) {
      await tx.query('DELETE FROM order_cutoffs WHERE location_id = $1', [locationId])
      for (const c of input.cutoffs) {
        await tx.query('INSERT INTO order_cutoffs (location_id, weekday, days_before, at) VALUES ($1, $2, $3, $4::time)', [locationId, c.weekday, c.daysBefore, c.time])
      }
    }
    if (input.pickupEnd !== undefined || input.creditUncollected !== undefined || input.pickupTimes !== undefined) {
      await tx.query(
        `INSERT INTO order_settings (location_id, pickup_end, credit_uncollected, pickup_times) VALUES ($1, coalesce($2::time, '14:00'), coalesce($3, false), coalesce($4::time[], '{}'))
         ON CONFLICT (location_id) DO UPDATE SET pickup_end = coalesce($2::time, order_settings.pickup_end), credit_uncollected = coalesce($3, order_settings.credit_uncollected),
           pickup_times = coalesce($4::time[], order_settings.pickup_times)`,
        [locationId, input.pickupEnd ?? null, input.creditUncollected ?? null, input.pickupTimes === undefined ? null : pickupTimes],
      )
    }
    await audit(tx, { municipalityId, actor, action: 'orders.settings', entity: 'location', entityId: locationId, details: { ...input }, at: tx.now })
    return ok(null)
  })
  if (!done.ok) return done
  return ok(await orderSettings(ctx.db, locationId))
}

export async function setClosedDay(ctx: ServerContext, municipalityId: string, locationId: string, day: string, closed: { reason: string } | null, actor: string): Promise<Result<OrderSettings, 'day-invalid'>> {
  if (!DayKey.safeParse(day).success) return refuse('day-invalid')
  await write(ctx, async (tx) => {
    if (closed) {
      await tx.query(
        'INSERT INTO order_closed_days (location_id, day, reason) VALUES ($1, $2::date, $3) ON CONFLICT (location_id, day) DO UPDATE SET reason = excluded.reason',
        [locationId, day, closed.reason],
      )
    } else {
      await tx.query('DELETE FROM order_closed_days WHERE location_id = $1 AND day = $2::date', [locationId, day])
    }
    await audit(tx, { municipalityId, actor, action: closed ? 'orders.day-closed' : 'orders.day-opened', entity: 'location', entityId: locationId, details: { day, reason: closed?.reason ?? null }, at: tx.now })
  })
  return ok(await orderSettings(ctx.db, locationId))
}

export interface PreparationRow {
  productId: string
  name: string
  /** pieces ordered, paid or awaiting payment (the kitchen makes both; a failed payment is not made) */
  quantity: number
  /** of which paid */
  paid: number
  handedOut: number
}

/** The kitchen's list: totals per product for a canteen's day, from orders whose committed state is paid or awaiting payment. */
export async function preparationList(sql: Sql, locationId: string, day: string): Promise<PreparationRow[]> {
  const { rows } = await sql.query<{ product_id: string; name: string; quantity: number; paid: number; handed_out: number }>(
    `SELECT l.product_id, min(l.name) AS name, sum(l.quantity)::int AS quantity,
            (sum(l.quantity) FILTER (WHERE o.status = 'paid'))::int AS paid, sum(l.handed_out)::int AS handed_out
       FROM orders o JOIN order_lines l ON l.order_id = o.id
      WHERE o.location_id = $1 AND o.pickup_day = $2::date AND o.status IN ('paid', 'awaiting-payment')
      GROUP BY l.product_id ORDER BY min(l.name), l.product_id`,
    [locationId, day],
  )
  return rows.map((r) => ({ productId: r.product_id, name: r.name, quantity: r.quantity, paid: r.paid ?? 0, handedOut: r.handed_out }))
}

export interface PreparationTime {
  /** 'HH:MM'; null: the orders for the day without a time (a canteen without times, or placed before it had them). */
  pickupTime: string | null
  products: PreparationRow[]
}

/** The same list per pickup time, earliest first, the orders without a time last. */
export async function preparationByTime(sql: Sql, locationId: string, day: string): Promise<PreparationTime[]> {
  const { rows } = await sql.query<{ pickup_time: string | null; product_id: string; name: string; quantity: number; paid: number; handed_out: number }>(
    `SELECT to_char(o.pickup_time, 'HH24:MI') AS pickup_time, l.product_id, min(l.name) AS name, sum(l.quantity)::int AS quantity,
            (sum(l.quantity) FILTER (WHERE o.status = 'paid'))::int AS paid, sum(l.handed_out)::int AS handed_out
       FROM orders o JOIN order_lines l ON l.order_id = o.id
      WHERE o.location_id = $1 AND o.pickup_day = $2::date AND o.status IN ('paid', 'awaiting-payment')
      GROUP BY o.pickup_time, l.product_id ORDER BY o.pickup_time NULLS LAST, min(l.name), l.product_id`,
    [locationId, day],
  )
  const out: PreparationTime[] = []
  for (const r of rows) {
    let slot = out[out.length - 1]
    if (!slot || slot.pickupTime !== r.pickup_time) out.push((slot = { pickupTime: r.pickup_time, products: [] }))
    slot.products.push({ productId: r.product_id, name: r.name, quantity: r.quantity, paid: r.paid ?? 0, handedOut: r.handed_out })
  }
  return out
}
