import type { SaleResults } from '../api/areas/sale'
import type { CardInfo, CashSaleOutcome, SaleOutcome } from '../api/contract'
import { RpcFault } from '../api/dispatch'
import { readCardAccount, type CardAccount } from '../store/accounts'
import { readProducts, saleCapsAt } from '../store/catalog'
import { insertSale, recentSales, recordedSale, type RecordedSale } from '../store/sales'
import { counterSettings, getSetting } from '../store/settings'
import { ackedSeq } from '../store/outbox'
import { offlineBudget } from '../sync/offline'
import type { AreaHandlers } from './area'
import { cardInfo } from './card-info'
import { saleVoidHandlers } from './sale-void'
import type { HandlerContext } from './context'
import { normalizeCardNumber } from '../../../domain/card'
import { basketTotal, decidePurchase, saleCapBreak, type BasketLine, type PurchaseQuestion } from '../../../domain/checkout'
import { periodKeys, type PeriodKeys } from '../../../domain/periods'
import type { SaleRecordPayload } from '../../../domain/sync'
import { allergenConflicts, type Allergen } from '../../../domain/allergens'
import type { AllergenConflict } from '../api/areas/sale'

/** Each product of the basket (once, in basket order) with allergens the child must not have. */
function allergenConflictsOf(basket: readonly { productId: string }[], products: ReadonlyMap<string, readonly Allergen[]>, child: readonly Allergen[]): AllergenConflict[] {
  if (child.length === 0) return []
  const conflicts: AllergenConflict[] = []
  for (const { productId } of basket) {
    if (conflicts.some((c) => c.productId === productId)) continue
    const found = allergenConflicts(products.get(productId) ?? [], child)
    if (found.length > 0) conflicts.push({ productId, allergens: found })
  }
  return conflicts
}

/** The cashier confirmed every conflict found now: each product, each of its allergens, was on the warning. */
function confirmedAll(conflicts: readonly AllergenConflict[], shown: readonly AllergenConflict[] | undefined): boolean {
  if (!shown) return false
  return conflicts.every((c) => {
    const seen = shown.find((s) => s.productId === c.productId)
    return seen !== undefined && c.allergens.every((a) => seen.allergens.includes(a))
  })
}

type Approved = Extract<SaleOutcome, { ok: true }>

export function saleHandlers(ctx: HandlerContext): AreaHandlers<SaleResults> {
  const { db, clock } = ctx

  /**
   * The one place the checkout rules get their question. Offline, the card may go the allowance
   * below its cached balance and spend at most what is left of this till's offline cap for it
   * (sync/offline.ts): an outage exposes a card to at most tills x cap.
   */
  const purchaseQuestion = (found: CardAccount | null, locationId: string, lines: BasketLine[], now: PeriodKeys, online: boolean): PurchaseQuestion => {
    const budget = online || !found ? null : offlineBudget(db, clock, found.accountId)
    return {
      card: found ? { status: found.cardStatus } : null,
      account: found?.view ?? null,
      locationId,
      lines,
      now,
      overdraftAllowance: budget?.allowance ?? 0,
      offlineCapLeft: budget?.capLeft ?? null,
    }
  }

  /** A sale this till recorded, answered as it was approved, with the card as it is now. */
  const approvedAgain = (sale: RecordedSale): Approved => {
    // The renderer keeps no cash sale in flight (a retry of the same saleId is answered by sale.cash).
    if (sale.cardNumber === null) throw new RpcFault('bad-argument', `sale ${sale.saleId} is a cash sale`)
    const now = periodKeys(clock.now())
    const found = readCardAccount(db, sale.cardNumber, ackedSeq(db), now)
    if (!found) throw new Error(`sale ${sale.saleId}: its card ${sale.cardNumber} is gone from the till`)
    const card: CardInfo = cardInfo(db, found, now)
    return { ok: true, saleId: sale.saleId, total: sale.total, balanceAfter: card.balance, card }
  }

  const sameBasket = (sale: RecordedSale, cardNumber: string | null, lines: { productId: string; qty: number }[]) =>
    sale.cardNumber === cardNumber && sale.lines.length === lines.length && sale.lines.every((l, i) => l.productId === lines[i]!.productId && l.qty === lines[i]!.qty)

  /** The basket at this canteen's prices, or why it cannot be sold at all (the same for card and cash). */
  const priceBasket = (lines: { productId: string; qty: number }[]) => {
    const loc = getSetting(db, 'location_id')
    const products = readProducts(db, lines.map((l) => l.productId), loc, clock.now().getTime())
    const missing = lines.find((l) => !products.has(l.productId))
    if (missing || !loc) return { ok: false as const, refusal: { ok: false as const, reason: 'product-unknown' as const, total: 0, productId: missing?.productId } }
    const basket = lines.map((l) => {
      const p = products.get(l.productId)!
      return { productId: p.id, name: p.name, categoryId: p.categoryId, qty: l.qty, unitPrice: p.price }
    })
    // The caps the server holds every sale to: refused here, never approved and then set aside.
    const caps = saleCapsAt(db, loc)
    const tooLarge = saleCapBreak(basket, caps)
    if (tooLarge) {
      const cap = tooLarge === 'quantity-too-large' ? caps.maxLineQty : caps.maxSaleTotal
      return { ok: false as const, refusal: { ok: false as const, reason: tooLarge, total: basketTotal(basket), cap } }
    }
    // Each product's allergens, for the warning; kept beside the basket, never in the sale's payload.
    const allergens = new Map(lines.map((l) => [l.productId, products.get(l.productId)!.allergens]))
    return { ok: true as const, loc, basket, allergens }
  }

  return {
    'sale.record': ({ saleId, cardNumber, lines, shownConflicts }) => {
      const cashier = ctx.session.signedIn('cashier')
      const card = normalizeCardNumber(cardNumber)
      if (!card.ok) return { ok: false, reason: 'card-number-invalid', total: 0 }
      // A retry of an attempt the till already recorded (the answer was lost on the way): the
      // first outcome again, and nothing charged twice.
      const earlier = recordedSale(db, saleId)
      if (earlier) {
        if (!sameBasket(earlier, card.number, lines)) throw new RpcFault('bad-argument', `sale.record: sale ${saleId} was recorded with another card or basket`)
        return approvedAgain(earlier)
      }
      const priced = priceBasket(lines)
      if (!priced.ok) return priced.refusal
      const { loc, basket, allergens } = priced
      const at = clock.now()
      const now = periodKeys(at)
      const online = ctx.sync.isOnline()
      // Read, decide and write in one synchronous transaction: no pull page (and no retry of the
      // same attempt) can land between the balance the rules saw and the sale that spends it.
      const outcome = db.transaction((): SaleOutcome => {
        const again = recordedSale(db, saleId)
        if (again) return approvedAgain(again)
        const found = readCardAccount(db, card.number, ackedSeq(db), now)
        const decision = decidePurchase(purchaseQuestion(found, loc, basket, now, online))
        if (!decision.ok) {
          const { ok: _ok, ...refusal } = decision
          return { ok: false as const, ...refusal, card: found ? cardInfo(db, found, now) : undefined }
        }
        // The child's allergens (read with the card): asked last, so a confirmed sale is not then refused for money.
        const conflicts = allergenConflictsOf(basket, allergens, found!.allergens)
        if (conflicts.length > 0 && !confirmedAll(conflicts, shownConflicts)) {
          return { ok: false as const, reason: 'allergen-confirm' as const, total: decision.total, conflicts, card: cardInfo(db, found!, now) }
        }
        const sale: SaleRecordPayload = {
          payment: 'card',
          saleId,
          cardNumber: card.number,
          accountId: found!.accountId,
          locationId: loc,
          staffId: cashier.staffId,
          at: at.toISOString(),
          lines: basket,
          total: decision.total,
          offline: !online,
        }
        insertSale(db, ctx.ids.uuid(), sale, now)
        // The cashier's confirmation stays in the till's log (ids and codes only), not in the sale's payload.
        if (conflicts.length > 0) ctx.log('info', 'sale confirmed despite allergens', { saleId, staffId: cashier.staffId, conflicts })
        const after = readCardAccount(db, card.number, ackedSeq(db), now)!
        return { ok: true as const, saleId, total: decision.total, balanceAfter: after.view.balance, card: cardInfo(db, after, now) }
      }).immediate()
      if (outcome.ok) ctx.afterSaleCommit?.()
      // The outbox is the source of truth; the upload is best effort and starts at once.
      if (outcome.ok) ctx.sync.kick()
      return outcome
    },
    'sale.cash': ({ saleId, lines }): CashSaleOutcome => {
      const cashier = ctx.session.signedIn('cashier')
      const earlier = recordedSale(db, saleId)
      if (earlier) {
        if (!sameBasket(earlier, null, lines)) throw new RpcFault('bad-argument', `sale.cash: sale ${saleId} was recorded with a card or another basket`)
        return { ok: true, saleId, total: earlier.total, payment: 'cash' }
      }
      // A till that does not take cash records no cash sale, whatever the renderer asks.
      if (!counterSettings(db).cashAllowed) return { ok: false, reason: 'cash-not-allowed', total: 0 }
      const priced = priceBasket(lines)
      if (!priced.ok) return priced.refusal
      const { loc, basket } = priced
      const at = clock.now()
      const total = basketTotal(basket)
      const recorded = db.transaction((): CashSaleOutcome => {
        const again = recordedSale(db, saleId)
        if (again) return { ok: true, saleId, total: again.total, payment: 'cash' }
        const sale: SaleRecordPayload = {
          payment: 'cash',
          saleId,
          locationId: loc,
          staffId: cashier.staffId,
          at: at.toISOString(),
          lines: basket,
          total,
          offline: !ctx.sync.isOnline(),
        }
        insertSale(db, ctx.ids.uuid(), sale, periodKeys(at))
        return { ok: true, saleId, total, payment: 'cash' }
      }).immediate()
      ctx.afterSaleCommit?.()
      ctx.sync.kick()
      return recorded
    },
    'sale.outcome': ({ saleId }) => {
      ctx.session.signedIn('cashier')
      const sale = recordedSale(db, saleId)
      return sale ? { recorded: true, outcome: approvedAgain(sale) } : { recorded: false }
    },
    'sale.recent': ({ limit }) => {
      // Background refreshes read the list too; only the cashier's own actions keep the session alive.
      ctx.session.signedIn(undefined, { touch: false })
      return recentSales(db, limit, periodKeys(clock.now()).day)
    },
    ...saleVoidHandlers(ctx),
  }
}
