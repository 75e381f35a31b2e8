/**
 * Cancellation by the guardian, before the cut-off and before anything is handed out.
 *
 * The order is marked cancelled first, in one transaction under the account's and the order's
 * locks, with the guards in the UPDATE itself (status, cut-off, nothing handed out): whatever
 * races it (a capture at the cut-off, a till's hand-out), exactly one of them wins.
 * - Canteen card: in that transaction the amount is credited back through the ledger (`refund`,
 *   payment_ref `order-cancel:<id>`, unique: once) and taken out of the pickup day's spend.
 * - Payment card: after it, the provider releases the authorisation (`cancel`) or refunds a
 *   capture, idempotently on the order id, and `provider_closed_at` records it. If the provider
 *   cannot be reached, the order stays cancelled (the worker never captures a cancelled order)
 *   and `closeCancelledPayments` (the order worker) asks again.
 *
 * A repeated cancel answers the cancelled order (the key is taken but not needed: the order's
 * own state makes it idempotent).
 */
import { periodKeys } from '../../domain/periods'
import { guardianActor } from '../guardian/accounts'
import type { GuardianPrincipal } from '../guardian/session'
import { postLedger } from '../money/ledger'
import { lockEntities, lockKey } from '../money/locks'
import { spendPeriods } from '../money/spend'
import { audit } from '../platform/audit'
import type { ServerContext } from '../platform/context'
import { ok, refuse, type Result } from '../platform/result'
import { write } from '../platform/tx'
import { recordChange } from '../sync/changes'
import { copenhagenInstant } from './calendar'
import { orderLock } from './checkout'
import { linkedAccount } from './menu'
import { recordOrderChanges } from './sync'
import { orderView, type OrderView } from './view'

export type CancelRefusal = 'account-unknown' | 'order-unknown' | 'cut-off-passed' | 'order-not-cancellable' | 'payments-off'

export async function cancelOrder(ctx: ServerContext, g: GuardianPrincipal, accountId: string, orderId: string): Promise<Result<OrderView, CancelRefusal>> {
  if (!(await linkedAccount(ctx.db, g, accountId))) return refuse('account-unknown')
  const before = /^[0-9a-f-]{36}$/i.test(orderId) ? await orderView(ctx.db, orderId, ctx.clock.now()) : null
  if (!before || before.accountId !== accountId) return refuse('order-unknown')
  if (before.status === 'cancelled') return ok(before)
  if (!before.cancellable) return refuse(ctx.clock.now().getTime() >= Date.parse(before.cutoffAt) ? 'cut-off-passed' : 'order-not-cancellable')
  if (before.payment === 'payment-card' && !ctx.payments) return refuse('payments-off')

  const done = await write(ctx, async (tx): Promise<Result<null, CancelRefusal>> => {
    await lockEntities(tx, [lockKey.account(accountId), orderLock(orderId)])
    if (!(await linkedAccount(tx, g, accountId))) return refuse('account-unknown')
    const { rows } = await tx.query<{ municipality_id: string; total: number; number: number; pickup_day: string; payment: string; was: string }>(
      `UPDATE orders o SET status = 'cancelled', cancelled_at = $2, updated_at = $2
         FROM (SELECT id, status AS was FROM orders WHERE id = $1) old
        WHERE o.id = old.id AND o.status IN ('paid', 'awaiting-payment') AND $2 < o.cutoff_at
          AND NOT EXISTS (SELECT 1 FROM order_lines WHERE order_id = $1 AND handed_out > 0)
       RETURNING o.municipality_id, o.total, o.number, o.pickup_day::text AS pickup_day, o.payment, old.was`,
      [orderId, tx.now],
    )
    const o = rows[0]
    if (!o) return refuse(tx.now.getTime() >= Date.parse(before.cutoffAt) ? 'cut-off-passed' : 'order-not-cancellable')
    const total = Number(o.total)
    if (o.payment === 'canteen-card') {
      await postLedger(tx, { accountId, kind: 'refund', amount: total, paymentRef: `order-cancel:${orderId}`, note: `Annulleret webshop-ordre ${o.number} (${o.pickup_day})`, at: tx.now })
      const periods = spendPeriods(periodKeys(copenhagenInstant(o.pickup_day, '12:00')))
      await tx.query('UPDATE account_spend SET amount = greatest(0, amount - $3) WHERE account_id = $1 AND period = ANY($2::text[])', [accountId, [periods.day, periods.week, periods.month], total])
      await recordChange(tx, 'account', accountId)
    }
    await audit(tx, { municipalityId: o.municipality_id, actor: guardianActor(g), action: 'order.cancelled', entity: 'order', entityId: orderId, details: { accountId, total, payment: o.payment, was: o.was }, at: tx.now })
    await recordOrderChanges(tx, [orderId])
    return ok(null)
  })
  if (!done.ok) return done
  if (before.payment === 'payment-card') await closeCancelledPayments(ctx, orderId)
  return ok((await orderView(ctx.db, orderId, ctx.clock.now()))!)
}

/**
 * The provider's side of cancelled payment-card orders (one, or all that are open): an
 * authorisation is released, a capture refunded; idempotent at the provider on the order id.
 * A provider that cannot be reached is asked again at the worker's next tick.
 */
export async function closeCancelledPayments(ctx: ServerContext, orderId?: string): Promise<number> {
  const provider = ctx.payments
  if (!provider) return 0
  const { rows } = await ctx.db.query<{ id: string; provider_ref: string; total: number; captured: boolean }>(
    `SELECT o.id, o.provider_ref, o.total,
            o.paid_at IS NOT NULL AS captured
       FROM orders o
      WHERE o.status = 'cancelled' AND o.payment = 'payment-card' AND o.provider_ref IS NOT NULL AND o.provider_closed_at IS NULL
        AND ($1::uuid IS NULL OR o.id = $1::uuid)
      ORDER BY o.cancelled_at LIMIT 200`,
    [orderId ?? null],
  )
  let n = 0
  for (const o of rows) {
    try {
      if (o.captured) await provider.refund(o.provider_ref, Number(o.total), `order:${o.id}:refund`)
      else await provider.cancel(o.provider_ref, `order:${o.id}:cancel`)
      await ctx.db.query('UPDATE orders SET provider_closed_at = $2 WHERE id = $1 AND provider_closed_at IS NULL', [o.id, ctx.clock.now()])
      n++
    } catch (error) {
      ctx.log.warn({ err: error, orderId: o.id }, 'order cancel: the provider call failed; will retry')
    }
  }
  return n
}
