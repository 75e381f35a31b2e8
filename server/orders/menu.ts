/**
 * What a guardian may order: the canteens an account may order at, and a canteen's menu for a
 * pickup day (its orderable products with the canteen's prices, whether the day is closed, and
 * when ordering for it closes). Reads only; checkout.ts reads the same under its locks.
 * A product with one of the child's allergens is left out of the child's menu altogether (not
 * shown as unavailable): the webshop does not offer it to that child.
 */
import type { Allergen } from '../../domain/allergens'
import { DayKey } from '../../domain/sync'
import type { Sql } from '../db'
import { ok, refuse, type Result } from '../platform/result'
import type { GuardianPrincipal } from '../guardian/session'
import { ORDER_HORIZON_DAYS, addDays, cutoffAt, todayAndTomorrow, type CutoffRule } from './calendar'

/** The account's rules as checkout needs them, if the guardian may act for it (else null: 'account-unknown'). */
export interface LinkedAccount {
  id: string
  municipalityId: string
  status: 'active' | 'blocked'
  balance: number
  limits: { day: number | null; week: number | null; month: number | null }
  deniedCategoryIds: string[]
  allowedLocationIds: string[] | null
  /** The child's allergens: a product with one of them is not offered, and checkout refuses it ('allergen'). */
  allergens: Allergen[]
}

export async function linkedAccount(sql: Sql, g: GuardianPrincipal, accountId: string): Promise<LinkedAccount | null> {
  const { rows } = await sql.query<{
    id: string
    municipality_id: string
    status: 'active' | 'blocked'
    balance: number
    limit_day: number | null
    limit_week: number | null
    limit_month: number | null
    denied_category_ids: string[]
    allowed_location_ids: string[] | null
    allergens: Allergen[]
  }>(
    `SELECT a.id, a.municipality_id, a.status, a.balance, a.limit_day, a.limit_week, a.limit_month, a.denied_category_ids, a.allowed_location_ids, a.allergens
       FROM guardian_accounts ga JOIN accounts a ON a.id = ga.account_id
      WHERE ga.guardian_id = $1 AND ga.account_id = $2 AND a.municipality_id = $3`,
    [g.id, accountId, g.municipalityId],
  )
  const a = rows[0]
  if (!a) return null
  const n = (v: number | null) => (v === null ? null : Number(v))
  return {
    id: a.id,
    municipalityId: a.municipality_id,
    status: a.status,
    balance: Number(a.balance),
    limits: { day: n(a.limit_day), week: n(a.limit_week), month: n(a.limit_month) },
    deniedCategoryIds: a.denied_category_ids,
    allowedLocationIds: a.allowed_location_ids,
    allergens: a.allergens,
  }
}

export interface OrderCanteen {
  id: string
  name: string
}

/** The canteens of the municipality that sell in the webshop and where the account may be used. */
export async function orderCanteens(sql: Sql, account: LinkedAccount): Promise<OrderCanteen[]> {
  const { rows } = await sql.query<OrderCanteen>(
    `SELECT l.id, l.name FROM locations l
      WHERE l.municipality_id = $1 AND ($2::text[] IS NULL OR l.id = ANY($2::text[]))
        AND EXISTS (SELECT 1 FROM orderable_products op WHERE op.location_id = l.id)
      ORDER BY l.name, l.id`,
    [account.municipalityId, account.allowedLocationIds],
  )
  return rows
}

export interface MenuProduct {
  id: string
  name: string
  categoryId: string
  /** øre, the canteen's price */
  price: number
  /** False: the account's permissions deny its category (checkout refuses it: `product-not-permitted`). */
  permitted: boolean
}

export interface Menu {
  locationId: string
  locationName: string
  day: string
  /** A closed day (holiday, closing day): nothing can be ordered; `closedReason` as the canteen wrote it. */
  closed: boolean
  closedReason: string | null
  /** When ordering for this day closes (and when a payment card is drawn). */
  cutoffAt: string
  /** Open for orders now: not closed, before the cut-off, within the horizon. */
  open: boolean
  /** The canteen's pickup times ('HH:MM', sorted): checkout needs one of them. Empty: the order is for the day. */
  pickupTimes: string[]
  products: MenuProduct[]
}

/** The canteen's pickup times, sorted ('HH:MM'); none when it has no settings. */
export async function pickupTimesOf(sql: Sql, locationId: string): Promise<string[]> {
  const { rows } = await sql.query<{ t: string }>(
    `SELECT to_char(t, 'HH24:MI') AS t FROM order_settings s, unnest(s.pickup_times) AS t WHERE s.location_id = $1 ORDER BY t`,
    [locationId],
  )
  return rows.map((r) => r.t)
}

export async function cutoffRules(sql: Sql, locationId: string): Promise<CutoffRule[]> {
  const { rows } = await sql.query<{ weekday: number; days_before: number; at: string }>(
    `SELECT weekday, days_before, to_char(at, 'HH24:MI') AS at FROM order_cutoffs WHERE location_id = $1 ORDER BY weekday`,
    [locationId],
  )
  return rows.map((r) => ({ weekday: r.weekday, daysBefore: r.days_before, time: r.at }))
}

export type MenuRefusal = 'account-unknown' | 'location-unknown' | 'day-invalid'

/** The menu, or why not. `now` decides `open`. */
export async function menuOf(sql: Sql, account: LinkedAccount, locationId: string, day: string, now: Date): Promise<Result<Menu, MenuRefusal>> {
  if (!DayKey.safeParse(day).success) return refuse('day-invalid')
  const loc = await sql.query<{ name: string }>('SELECT name FROM locations WHERE id = $1 AND municipality_id = $2', [locationId, account.municipalityId])
  if (!loc.rows[0]) return refuse('location-unknown')
  const closed = await sql.query<{ reason: string }>('SELECT reason FROM order_closed_days WHERE location_id = $1 AND day = $2::date', [locationId, day])
  const cutoff = cutoffAt(day, await cutoffRules(sql, locationId))
  const { today } = todayAndTomorrow(now)
  const inHorizon = day >= today && day <= addDays(today, ORDER_HORIZON_DAYS)
  const products = await sql.query<{ id: string; name: string; category_id: string; price: number }>(
    `SELECT p.id, p.name, p.category_id, pp.price
       FROM orderable_products op
       JOIN products p ON p.id = op.product_id AND p.available
       JOIN product_prices pp ON pp.product_id = p.id AND pp.location_id = op.location_id
      WHERE op.location_id = $1 AND NOT (p.allergens && $2::text[])
      ORDER BY p.sort, p.name, p.id`,
    [locationId, account.allergens],
  )
  return ok({
    locationId,
    locationName: loc.rows[0].name,
    day,
    closed: closed.rows.length > 0,
    closedReason: closed.rows[0]?.reason ?? null,
    cutoffAt: cutoff.toISOString(),
    open: closed.rows.length === 0 && inHorizon && now.getTime() < cutoff.getTime(),
    pickupTimes: await pickupTimesOf(sql, locationId),
    products: products.rows.map((p) => ({ id: p.id, name: p.name, categoryId: p.category_id, price: Number(p.price), permitted: !account.deniedCategoryIds.includes(p.category_id) })),
  })
}
