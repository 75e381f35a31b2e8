import type { SaleResults } from '../api/areas/sale'
import type { CardInfo, SaleOutcome } from '../api/contract'
import { RpcFault } from '../api/dispatch'
import { readCardAccount, type CardAccount } from '../store/accounts'
import { readProducts, saleCapsAt } from '../store/catalog'
import { insertSale, recentSales, recordedSale, type RecordedSale } from '../store/sales'
import { getSetting } from '../store/settings'
import { ackedSeq } from '../store/outbox'
import { offlineBudget } from '../sync/offline'
import type { AreaHandlers } from './area'
import { cardInfo } from './card-info'
import type { HandlerContext } from './context'
import { normalizeCardNumber } from '../../../domain/card'
import { basketTotal, decidePurchase, saleCapBreak, type BasketLine, type PurchaseQuestion } from '../../../domain/checkout'
import { periodKeys, type PeriodKeys } from '../../../domain/periods'
import type { SaleRecordPayload } from '../../../domain/sync'

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
    const now = periodKeys(clock.now())
    const found = readCardAccount(db, sale.cardNumber, ackedSeq(db), now)
    if (!found) throw new Error(`sale ${sale.saleId}: its card ${sale.cardNumber} is gone from the till`)
    const card: CardInfo = cardInfo(db, found, now)
    return { ok: true, saleId: sale.saleId, total: sale.total, balanceAfter: card.balance, card }
  }

  const sameBasket = (sale: RecordedSale, cardNumber: string, lines: { productId: string; qty: number }[]) =>
    sale.cardNumber === cardNumber && sale.lines.length === lines.length && sale.lines.every((l, i) => l.productId === lines[i]!.productId && l.qty === lines[i]!.qty)

  return {
    'sale.record': ({ saleId, cardNumber, lines }) => {
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
      const loc = getSetting(db, 'location_id')
      const products = readProducts(db, lines.map((l) => l.productId), loc)
      const missing = lines.find((l) => !products.has(l.productId))
      if (missing || !loc) return { ok: false, reason: 'product-unknown', total: 0, productId: missing?.productId }
      const basket = lines.map((l) => {
        const p = products.get(l.productId)!
        return { productId: p.id, name: p.name, categoryId: p.categoryId, qty: l.qty, unitPrice: p.price }
      })
      // The caps the server holds every sale to: refused here, never approved and then set aside.
      const caps = saleCapsAt(db, loc)
      const tooLarge = saleCapBreak(basket, caps)
      if (tooLarge) {
        const cap = tooLarge === 'quantity-too-large' ? caps.maxLineQty : caps.maxSaleTotal
        return { ok: false, reason: tooLarge, total: basketTotal(basket), cap }
      }
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
        const sale: SaleRecordPayload = {
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
        const after = readCardAccount(db, card.number, ackedSeq(db), now)!
        return { ok: true as const, saleId, total: decision.total, balanceAfter: after.view.balance, card: cardInfo(db, after, now) }
      }).immediate()
      if (outcome.ok) ctx.afterSaleCommit?.()
      // The outbox is the source of truth; the upload is best effort and starts at once.
      if (outcome.ok) ctx.sync.kick()
      return outcome
    },
    'sale.outcome': ({ saleId }) => {
      ctx.session.signedIn('cashier')
      const sale = recordedSale(db, saleId)
      return sale ? { recorded: true, outcome: approvedAgain(sale) } : { recorded: false }
    },
    'sale.recent': ({ limit }) => {
      // Background refreshes read the list too; only the cashier's own actions keep the session alive.
      ctx.session.signedIn(undefined, { touch: false })
      return recentSales(db, limit)
    },
  }
}
