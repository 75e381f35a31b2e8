import type { Ore } from './money'
import type { PeriodKeys, PeriodKind } from './periods'
import { PERIOD_KINDS } from './periods'
import type { RefusalReason } from './refusal'

export interface CardView {
  status: 'active' | 'replaced' | 'lost'
}

export interface AccountView {
  status: 'active' | 'blocked'
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
}

export type PurchaseDecision =
  | { ok: true; total: Ore; balanceAfter: Ore }
  | { ok: false; reason: RefusalReason; total: Ore; productId?: string; limit?: Ore; left?: Ore }

export function basketTotal(lines: readonly BasketLine[]): Ore {
  return lines.reduce((sum, l) => sum + l.qty * l.unitPrice, 0)
}

/** Spend in the current period: what was counted for another period does not count now. */
export function spentNow(account: AccountView, kind: PeriodKind, now: PeriodKeys): Ore {
  const s = account.spent[kind]
  return s.key === now[kind] ? s.amount : 0
}

/** The rules of DESIGN.md, checked in the order of REFUSAL_ORDER. Pure: the till supplies the facts. */
export function decidePurchase(q: PurchaseQuestion): PurchaseDecision {
  const total = basketTotal(q.lines)
  const { card, account } = q
  if (!card || !account) return { ok: false, reason: 'unknown-card', total }
  if (card.status === 'replaced') return { ok: false, reason: 'old-card', total }
  if (card.status === 'lost' || account.status === 'blocked') return { ok: false, reason: 'blocked', total }
  if (account.allowedLocationIds && !account.allowedLocationIds.includes(q.locationId)) {
    return { ok: false, reason: 'location-not-allowed', total }
  }
  const denied = q.lines.find((l) => account.deniedCategoryIds.includes(l.categoryId))
  if (denied) return { ok: false, reason: 'product-not-permitted', total, productId: denied.productId }
  for (const kind of PERIOD_KINDS) {
    const limit = account.limits[kind]
    if (limit === null) continue
    const left = limit - spentNow(account, kind, q.now)
    if (total > left) return { ok: false, reason: `${kind}-limit`, total, limit, left: Math.max(0, left) }
  }
  if (total > account.balance + q.overdraftAllowance) {
    return { ok: false, reason: 'balance-too-low', total, left: account.balance }
  }
  return { ok: true, total, balanceAfter: account.balance - total }
}
