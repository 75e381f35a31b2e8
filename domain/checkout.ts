import type { AccountStatus, CardStatus } from './enums'
import type { Ore } from './money'
import type { PeriodKeys, PeriodKind } from './periods'
import { PERIOD_KINDS } from './periods'
import type { RefusalReason } from './refusal'

export interface CardView {
  status: CardStatus
}

export interface AccountView {
  status: AccountStatus
  /** Balance the till believes: last pulled balance plus this till's unacknowledged deltas. */
  balance: Ore
  limits: { day: Ore | null; week: Ore | null; month: Ore | null }
  /** Spend already counted in each period; `key` says which period the amount belongs to. */
  spent: Record<PeriodKind, { key: string; amount: Ore }>
  deniedCategoryIds: readonly string[]
  /** `null`: every canteen of the municipality. */
  allowedLocationIds: readonly string[] | null
}

export interface BasketLine {
  productId: string
  categoryId: string
  qty: number
  unitPrice: Ore
}

export interface PurchaseQuestion {
  card: CardView | null
  account: AccountView | null
  locationId: string
  lines: readonly BasketLine[]
  now: PeriodKeys
  /**
   * How far below zero an offline till may let this card go (øre, ≥ 0). Online it is 0: the
   * balance is the server's. Offline sales are accepted by the server even if they overdraw, so
   * this bounds the exposure.
   */
  overdraftAllowance: Ore
  /**
   * Offline only: how much more this till may still lend this card before it hears from the
   * server (øre; the per-card offline cap minus what it already sold the card offline). Every
   * offline till works from its own copy of the balance, so this is what bounds a card's exposure
   * in an outage to (offline tills x cap). Absent or null: no such cap (online, or not set).
   */
  offlineCapLeft?: Ore | null
}

/** One rule a purchase breaks, with what the cashier needs to act on it. */
export interface BrokenRule {
  reason: RefusalReason
  productId?: string
  limit?: Ore
  left?: Ore
}

export type PurchaseDecision =
  | { ok: true; total: Ore; balanceAfter: Ore }
  | { ok: false; reason: RefusalReason; total: Ore; productId?: string; limit?: Ore; left?: Ore }

export function basketTotal(lines: readonly Pick<BasketLine, 'qty' | 'unitPrice'>[]): Ore {
  return lines.reduce((sum, l) => sum + l.qty * l.unitPrice, 0)
}

/** Spend in the current period: what was counted for another period does not count now. */
export function spentNow(account: AccountView, kind: PeriodKind, now: PeriodKeys): Ore {
  const s = account.spent[kind]
  return s.key === now[kind] ? s.amount : 0
}

/**
 * Every rule of DESIGN.md the purchase breaks, in the order of REFUSAL_ORDER. Pure: the caller
 * supplies the facts. The one rule set: the till refuses with the first (decidePurchase), the
 * server records them all as the flags of a sale a till already approved (sync/sale-flags.ts).
 * An unknown card breaks only that rule: without an account there is nothing else to check.
 */
export function purchaseBreaks(q: PurchaseQuestion): BrokenRule[] {
  const { card, account } = q
  if (!card || !account) return [{ reason: 'unknown-card' }]
  const total = basketTotal(q.lines)
  const broken: BrokenRule[] = []
  if (card.status === 'replaced') broken.push({ reason: 'old-card' })
  if (card.status === 'lost' || account.status === 'blocked') broken.push({ reason: 'blocked' })
  if (account.allowedLocationIds && !account.allowedLocationIds.includes(q.locationId)) broken.push({ reason: 'location-not-allowed' })
  const denied = q.lines.find((l) => account.deniedCategoryIds.includes(l.categoryId))
  if (denied) broken.push({ reason: 'product-not-permitted', productId: denied.productId })
  for (const kind of PERIOD_KINDS) {
    const limit = account.limits[kind]
    if (limit === null) continue
    const left = limit - spentNow(account, kind, q.now)
    if (total > left) broken.push({ reason: `${kind}-limit`, limit, left: Math.max(0, left) })
  }
  if (q.offlineCapLeft != null && total > q.offlineCapLeft) broken.push({ reason: 'offline-limit', left: Math.max(0, q.offlineCapLeft) })
  if (total > account.balance + q.overdraftAllowance) broken.push({ reason: 'balance-too-low', left: account.balance })
  return broken
}

/** The till's answer: approved, or refused with the first rule broken (the one the cashier must act on). */
export function decidePurchase(q: PurchaseQuestion): PurchaseDecision {
  const total = basketTotal(q.lines)
  const first = purchaseBreaks(q)[0]
  if (first || !q.account) return { ok: false, total, ...(first ?? { reason: 'unknown-card' }) }
  return { ok: true, total, balanceAfter: q.account.balance - total }
}

/**
 * Caps on one sale: what no honest till sells in one go. The server rejects a pushed sale above
 * them (`quantity-too-large`, `total-too-large`; a municipality may set its own in its settings),
 * and the till refuses the basket with the same defaults, so a till never approves what the
 * server would then set aside while the food is gone.
 */
export interface SaleCaps {
  /** øre */
  maxSaleTotal: Ore
  /** pieces of one product in one sale */
  maxLineQty: number
}
export const DEFAULT_SALE_CAPS: SaleCaps = { maxSaleTotal: 100_000, maxLineQty: 20 }

/** Which cap a basket breaks, or null. */
export function saleCapBreak(lines: readonly Pick<BasketLine, 'qty' | 'unitPrice'>[], caps: SaleCaps = DEFAULT_SALE_CAPS): 'quantity-too-large' | 'total-too-large' | null {
  if (lines.some((l) => l.qty > caps.maxLineQty)) return 'quantity-too-large'
  if (basketTotal(lines) > caps.maxSaleTotal) return 'total-too-large'
  return null
}

/**
 * The most a manager may let one card spend offline at a till (øre): below its last known
 * balance, and in all until the server has seen the sales. Beyond this an outage costs too much.
 */
export const MAX_OFFLINE_ALLOWANCE = 20_000
export const MAX_OFFLINE_CAP = 50_000
