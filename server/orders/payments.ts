/**
 * Payment-card orders after checkout: the capture at the stated time, the provider's answer, and
 * the way back when an order is cancelled.
 *
 * - `captureDueOrders`: each order awaiting payment whose capture time (its cut-off) has come is
 *   captured at the provider, idempotently on the order id (a retry captures once); the request
 *   is marked so the worker does not ask again. Like payments/auto-topup.ts, the provider is
 *   called outside any transaction, so a slow provider holds no lock.
 * - `orderPaymentEvent`: the provider's capture event (a webhook, delivered at least once) makes
 *   the order "Betalt" exactly once: the status moves only from `awaiting-payment`, in one
 *   UPDATE under the order's lock, and only that transaction writes the change row and the audit
 *   entry. A failed capture makes it "Betaling fejlede"; the counter never hands it out.
 */
import type { ProviderEvent } from '../payments/provider'
import { audit } from '../platform/audit'
import type { ServerContext } from '../platform/context'
import { lockEntities } from '../money/locks'
import { write } from '../platform/tx'
import { orderLock } from './checkout'
import { recordOrderChanges } from './sync'

export async function captureDueOrders(ctx: ServerContext): Promise<number> {
  const provider = ctx.payments
  if (!provider) return 0
  const { rows } = await ctx.db.query<{ id: string; provider_ref: string }>(
    `SELECT id, provider_ref FROM orders
      WHERE status = 'awaiting-payment' AND capture_requested_at IS NULL AND capture_at <= $1 AND provider_ref IS NOT NULL
      ORDER BY capture_at, id LIMIT 200`,
    [ctx.clock.now()],
  )
  let done = 0
  for (const o of rows) {
    try {
      const answer = await provider.capture(o.provider_ref, `order:${o.id}:capture`)
      await ctx.db.query('UPDATE orders SET capture_requested_at = $2 WHERE id = $1 AND capture_requested_at IS NULL', [o.id, ctx.clock.now()])
      if (answer.status === 'captured') await orderPaymentEvent(ctx, { type: 'payment.captured', paymentId: o.provider_ref, amount: answer.amount })
      done++
    } catch (error) {
      // Not a decline: the provider could not be reached. The next tick asks again.
      ctx.log.warn({ err: error, orderId: o.id }, 'order capture: provider call failed; will retry')
    }
  }
  return done
}

export type EventOutcome = 'paid' | 'failed' | 'unchanged' | 'not-an-order'

/** The provider's event for an order's payment; any other payment's event is `not-an-order`. */
export async function orderPaymentEvent(ctx: ServerContext, event: ProviderEvent): Promise<EventOutcome> {
  const { rows } = await ctx.db.query<{ id: string }>('SELECT id FROM orders WHERE provider_ref = $1', [event.paymentId])
  const order = rows[0]
  if (!order) return 'not-an-order'
  const paid = event.type === 'payment.captured'
  return write(ctx, async (tx) => {
    await lockEntities(tx, [orderLock(order.id)])
    const moved = await tx.query<{ municipality_id: string; account_id: string; total: number }>(
      `UPDATE orders SET status = $2, failure = $3, updated_at = $4, paid_at = CASE WHEN $2 = 'paid' THEN $4::timestamptz END
        WHERE id = $1 AND status = 'awaiting-payment' RETURNING municipality_id, account_id, total`,
      [order.id, paid ? 'paid' : 'payment-failed', paid ? null : event.reason, tx.now],
    )
    const o = moved.rows[0]
    if (!o) return 'unchanged'
    await audit(tx, {
      municipalityId: o.municipality_id,
      actor: 'system:payments',
      action: paid ? 'order.paid' : 'order.payment-failed',
      entity: 'order',
      entityId: order.id,
      details: { accountId: o.account_id, total: Number(o.total), providerRef: event.paymentId, ...(paid ? {} : { reason: event.reason }) },
      at: tx.now,
    })
    await recordOrderChanges(tx, [order.id])
    return paid ? 'paid' : 'failed'
  })
}
