/**
 * Checkout: an order for one account, canteen and pickup day.
 *
 * Canteen card ("Betalt" at once): the till's own rule function (domain/checkout.ts
 * `decidePurchase`) decides, with the account's spend in the PICKUP DAY's day, week and month,
 * and refuses with the till's reasons (blocked, location-not-allowed, product-not-permitted,
 * day/week/month-limit, balance-too-low). Under the account's lock (the one a till's push takes)
 * the amount is drawn through the ledger and counted in the pickup day's spend, in the
 * transaction that writes the order: all of it or none.
 *
 * Payment card ("Afventer betaling"): the order is written first (`pending`), then authorised
 * at the provider (idempotent on the order id); the capture happens at the cut-off (payments.ts),
 * and only the capture event makes it "Betalt". Block, allowed places and permissions apply as
 * at the till; limits and balance are the canteen card's and do not.
 *
 * Retries: the idempotency key is scoped to the account (UNIQUE (account_id, idempotency_key));
 * a retry answers the order the first request made and never draws twice.
 */
import { randomUUID } from 'node:crypto'
import { decidePurchase } from '../../domain/checkout'
import { periodKeys } from '../../domain/periods'
import type { RefusalReason } from '../../domain/refusal'
import { guardianActor } from '../guardian/accounts'
import { TERMS_VERSION } from '../guardian/money-terms'
import type { GuardianPrincipal } from '../guardian/session'
import { postLedger } from '../money/ledger'
import { lockEntities, lockKey } from '../money/locks'
import { spendPeriods } from '../money/spend'
import type { DeclineReason } from '../payments/provider'
import { audit } from '../platform/audit'
import type { ServerContext } from '../platform/context'
import { ok, refuse, type Result } from '../platform/result'
import { write, type Tx } from '../platform/tx'
import { recordChange } from '../sync/changes'
import { copenhagenInstant } from './calendar'
import { linkedAccount, menuOf, type LinkedAccount, type MenuRefusal } from './menu'
import { releaseOrders } from './sync'
import { orderView, type OrderView } from './view'

export interface CheckoutInput {
  locationId: string
  day: string
  lines: { productId: string; quantity: number }[]
  /** One of the canteen's pickup times ('HH:MM') when it has times; absent or null when it has none. */
  pickupTime?: string | null
  payment: { kind: 'canteen-card' } | { kind: 'payment-card'; cardToken: string; acceptedTermsVersion: string }
  idempotencyKey: string
}

export type CheckoutRefusal =
  | MenuRefusal
  | Exclude<RefusalReason, 'unknown-card' | 'old-card' | 'offline-limit'>
  | 'day-closed'
  | 'cut-off-passed'
  | 'product-unknown'
  | 'allergen'
  | 'basket-invalid'
  | 'payments-off'
  | 'terms-not-accepted'
  | 'numbers-exhausted'
  | PickupTimeRefusal
  | DeclineReason

/** required: the canteen has times and none was chosen; unknown: not one of them; not-offered: the canteen has none. */
export type PickupTimeRefusal = 'pickup-time-required' | 'pickup-time-unknown' | 'pickup-time-not-offered'

/** The first order number of a canteen's day; numbers run 101, 102, … 999 (three digits, easy to say). */
export const FIRST_ORDER_NUMBER = 101
export const MAX_LINE_QUANTITY = 20

export const orderLock = (id: string) => lockKey.entity('order', id)
const dayLock = (locationId: string, day: string) => lockKey.entity('order-day', `${locationId}:${day}`)

interface PricedLine {
  productId: string
  name: string
  categoryId: string
  quantity: number
  unitPrice: number
}

async function existing(tx: Tx, accountId: string, key: string): Promise<{ id: string; status: string } | null> {
  const { rows } = await tx.query<{ id: string; status: string }>('SELECT id, status FROM orders WHERE account_id = $1 AND idempotency_key = $2', [accountId, key])
  return rows[0] ?? null
}

/** The pickup day's spend of the account, for the till's rule function. */
async function pickupDaySpent(tx: Tx, accountId: string, day: string) {
  const keys = periodKeys(copenhagenInstant(day, '12:00'))
  const periods = spendPeriods(keys)
  const { rows } = await tx.query<{ period: string; amount: number }>('SELECT period, amount FROM account_spend WHERE account_id = $1 AND period = ANY($2::text[])', [
    accountId,
    [periods.day, periods.week, periods.month],
  ])
  const of = (p: string) => Number(rows.find((r) => r.period === p)?.amount ?? 0)
  return {
    keys,
    periods,
    spent: { day: { key: keys.day, amount: of(periods.day) }, week: { key: keys.week, amount: of(periods.week) }, month: { key: keys.month, amount: of(periods.month) } },
  }
}

/** Basket → priced lines from the canteen's menu, or why not; the rules of the day and the cut-off at `tx.now`. */
async function priced(tx: Tx, account: LinkedAccount, input: CheckoutInput): Promise<Result<{ lines: PricedLine[]; cutoffAt: Date; pickupTime: string | null }, CheckoutRefusal>> {
  const ids = input.lines.map((l) => l.productId)
  if (input.lines.length === 0 || new Set(ids).size !== ids.length || input.lines.some((l) => !Number.isInteger(l.quantity) || l.quantity < 1 || l.quantity > MAX_LINE_QUANTITY)) {
    return refuse('basket-invalid')
  }
  const menu = await menuOf(tx, account, input.locationId, input.day, tx.now)
  if (!menu.ok) return menu
  if (menu.value.closed) return refuse('day-closed')
  if (!menu.value.open) return refuse('cut-off-passed')
  // The menu leaves out what the child must not eat; a basket that names such a product anyway
  // (a menu read before the parent marked the allergen, or a hand-made request) is refused as that.
  if (account.allergens.length > 0) {
    const { rows } = await tx.query('SELECT 1 FROM products WHERE id = ANY($1::text[]) AND municipality_id = $2 AND allergens && $3::text[] LIMIT 1', [
      ids,
      account.municipalityId,
      account.allergens,
    ])
    if (rows.length > 0) return refuse('allergen')
  }
  const lines: PricedLine[] = []
  for (const l of input.lines) {
    const p = menu.value.products.find((m) => m.id === l.productId)
    if (!p) return refuse('product-unknown')
    lines.push({ productId: p.id, name: p.name, categoryId: p.categoryId, quantity: l.quantity, unitPrice: p.price })
  }
  // After what the basket holds (an allergen, an unknown product say more). The canteen's list as
  // it stands now, read in this transaction: a time the kiosk showed before the canteen removed
  // it is refused, and no order, ledger row or payment follows.
  const times = menu.value.pickupTimes
  const chosen = input.pickupTime ?? null
  if (times.length === 0 && chosen !== null) return refuse('pickup-time-not-offered')
  if (times.length > 0 && chosen === null) return refuse('pickup-time-required')
  if (chosen !== null && !times.includes(chosen)) return refuse('pickup-time-unknown')
  return ok({ lines, cutoffAt: new Date(menu.value.cutoffAt), pickupTime: chosen })
}

async function insertOrder(
  tx: Tx,
  o: { id: string; account: LinkedAccount; g: GuardianPrincipal; input: CheckoutInput; lines: PricedLine[]; cutoffAt: Date; pickupTime: string | null; status: string; key: string },
): Promise<Result<number, 'numbers-exhausted'>> {
  const { rows } = await tx.query<{ next: number }>('SELECT coalesce(max(number), $3 - 1) + 1 AS next FROM orders WHERE location_id = $1 AND pickup_day = $2::date', [
    o.input.locationId,
    o.input.day,
    FIRST_ORDER_NUMBER,
  ])
  const number = Number(rows[0]!.next)
  if (number > 999) return refuse('numbers-exhausted')
  const total = o.lines.reduce((n, l) => n + l.quantity * l.unitPrice, 0)
  await tx.query(
    `INSERT INTO orders (id, municipality_id, location_id, account_id, guardian_id, pickup_day, number, total, payment, status, cutoff_at, capture_at,
                         idempotency_key, created_at, updated_at, paid_at, pickup_time)
     VALUES ($1, $2, $3, $4, $5, $6::date, $7, $8, $9, $10, $11, $12, $13, $14, $14, CASE WHEN $10 = 'paid' THEN $14::timestamptz END, $15::time)`,
    [
      o.id,
      o.account.municipalityId,
      o.input.locationId,
      o.account.id,
      o.g.id,
      o.input.day,
      number,
      total,
      o.input.payment.kind,
      o.status,
      o.cutoffAt,
      o.input.payment.kind === 'payment-card' ? o.cutoffAt : null,
      o.key,
      tx.now,
      o.pickupTime,
    ],
  )
  await tx.query(
    `INSERT INTO order_lines (order_id, line_no, product_id, name, category_id, unit_price, quantity)
     SELECT $1, t.n, t.product_id, t.name, t.category_id, t.unit_price, t.quantity
       FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::int[]) WITH ORDINALITY AS t(product_id, name, category_id, unit_price, quantity, n)`,
    [o.id, o.lines.map((l) => l.productId), o.lines.map((l) => l.name), o.lines.map((l) => l.categoryId), o.lines.map((l) => l.unitPrice), o.lines.map((l) => l.quantity)],
  )
  return ok(total)
}

const scoped = (accountId: string, key: string) => `${accountId}:${key}`

export async function checkout(ctx: ServerContext, g: GuardianPrincipal, accountId: string, input: CheckoutInput): Promise<Result<OrderView, CheckoutRefusal>> {
  if (!(await linkedAccount(ctx.db, g, accountId))) return refuse('account-unknown')
  return input.payment.kind === 'canteen-card' ? byCanteenCard(ctx, g, accountId, input) : byPaymentCard(ctx, g, accountId, input)
}

async function byCanteenCard(ctx: ServerContext, g: GuardianPrincipal, accountId: string, input: CheckoutInput): Promise<Result<OrderView, CheckoutRefusal>> {
  const key = scoped(accountId, input.idempotencyKey)
  const placed = await write(ctx, async (tx): Promise<Result<string, CheckoutRefusal>> => {
    await lockEntities(tx, [lockKey.account(accountId), dayLock(input.locationId, input.day)])
    const account = await linkedAccount(tx, g, accountId)
    if (!account) return refuse('account-unknown')
    const earlier = await existing(tx, accountId, key)
    if (earlier) return ok(earlier.id)
    const basket = await priced(tx, account, input)
    if (!basket.ok) return basket
    const { keys, periods, spent } = await pickupDaySpent(tx, accountId, input.day)
    const decision = decidePurchase({
      // A webshop order names the account, not a card: the card rules (unknown, old) do not apply.
      card: { status: 'active' },
      account: { status: account.status, balance: account.balance, limits: account.limits, spent, deniedCategoryIds: account.deniedCategoryIds, allowedLocationIds: account.allowedLocationIds },
      locationId: input.locationId,
      lines: basket.value.lines.map((l) => ({ productId: l.productId, categoryId: l.categoryId, qty: l.quantity, unitPrice: l.unitPrice })),
      now: keys,
      overdraftAllowance: 0,
    })
    if (!decision.ok) return refuse(decision.reason as CheckoutRefusal)
    const id = randomUUID()
    const inserted = await insertOrder(tx, { id, account, g, input, lines: basket.value.lines, cutoffAt: basket.value.cutoffAt, pickupTime: basket.value.pickupTime, status: 'paid', key })
    if (!inserted.ok) return inserted
    const total = inserted.value
    const number = (await tx.query<{ number: number }>('SELECT number FROM orders WHERE id = $1', [id])).rows[0]!.number
    await postLedger(tx, { accountId, kind: 'purchase', amount: -total, paymentRef: `order:${id}`, note: `Webshop-ordre ${number} (${input.day})`, at: tx.now })
    await tx.query(
      `INSERT INTO account_spend (account_id, period, amount) SELECT $1, p, $3 FROM unnest($2::text[]) AS p
       ON CONFLICT (account_id, period) DO UPDATE SET amount = account_spend.amount + EXCLUDED.amount`,
      [accountId, [periods.day, periods.week, periods.month], total],
    )
    await audit(tx, { municipalityId: account.municipalityId, actor: guardianActor(g), action: 'order.placed', entity: 'order', entityId: id, details: { accountId, total, payment: 'canteen-card', day: input.day }, at: tx.now })
    await recordChange(tx, 'account', accountId)
    await releaseOrders(tx, { orderId: id })
    return ok(id)
  })
  if (!placed.ok) return placed
  return ok((await orderView(ctx.db, placed.value, ctx.clock.now()))!)
}

async function byPaymentCard(ctx: ServerContext, g: GuardianPrincipal, accountId: string, input: CheckoutInput): Promise<Result<OrderView, CheckoutRefusal>> {
  const provider = ctx.payments
  if (!provider) return refuse('payments-off')
  if (input.payment.kind !== 'payment-card') throw new Error('byPaymentCard: not a payment-card checkout')
  if (input.payment.acceptedTermsVersion !== TERMS_VERSION) return refuse('terms-not-accepted')
  const cardToken = input.payment.cardToken
  const key = scoped(accountId, input.idempotencyKey)
  const opened = await write(ctx, async (tx): Promise<Result<{ id: string; status: string; total: number }, CheckoutRefusal>> => {
    await lockEntities(tx, [lockKey.account(accountId), dayLock(input.locationId, input.day)])
    const account = await linkedAccount(tx, g, accountId)
    if (!account) return refuse('account-unknown')
    const earlier = await existing(tx, accountId, key)
    if (earlier) return ok({ id: earlier.id, status: earlier.status, total: 0 })
    const basket = await priced(tx, account, input)
    if (!basket.ok) return basket
    if (account.status === 'blocked') return refuse('blocked')
    if (account.allowedLocationIds && !account.allowedLocationIds.includes(input.locationId)) return refuse('location-not-allowed')
    if (basket.value.lines.some((l) => account.deniedCategoryIds.includes(l.categoryId))) return refuse('product-not-permitted')
    const id = randomUUID()
    const inserted = await insertOrder(tx, { id, account, g, input, lines: basket.value.lines, cutoffAt: basket.value.cutoffAt, pickupTime: basket.value.pickupTime, status: 'pending', key })
    if (!inserted.ok) return inserted
    return ok({ id, status: 'pending', total: inserted.value })
  })
  if (!opened.ok) return opened
  const { id } = opened.value
  if (opened.value.status === 'pending') {
    const total = opened.value.total || Number((await ctx.db.query<{ total: number }>('SELECT total FROM orders WHERE id = $1', [id])).rows[0]!.total)
    // Idempotent at the provider on the order id: a retry after a crash authorises once.
    const authorised = await provider.createPayment({ amount: total, cardToken, reference: id, idempotencyKey: `order:${id}:authorise` })
    const declined = authorised.status === 'declined'
    await write(ctx, async (tx) => {
      await lockEntities(tx, [orderLock(id)])
      const { rows } = await tx.query<{ municipality_id: string }>(
        `UPDATE orders SET status = $2, provider_ref = $3, failure = $4, updated_at = $5 WHERE id = $1 AND status = 'pending' RETURNING municipality_id`,
        [id, declined ? 'declined' : 'awaiting-payment', authorised.id, declined ? (authorised.declineReason ?? 'card-declined') : null, tx.now],
      )
      if (!rows[0]) return
      await audit(tx, { municipalityId: rows[0].municipality_id, actor: guardianActor(g), action: declined ? 'order.declined' : 'order.placed', entity: 'order', entityId: id, details: { accountId, total, payment: 'payment-card', day: input.day }, at: tx.now })
      if (!declined) await releaseOrders(tx, { orderId: id })
    })
    if (declined) return refuse(authorised.declineReason ?? 'card-declined')
  }
  const view = (await orderView(ctx.db, id, ctx.clock.now()))!
  if (view.status === 'declined') return refuse((view.failure as DeclineReason | null) ?? 'card-declined')
  return ok(view)
}
