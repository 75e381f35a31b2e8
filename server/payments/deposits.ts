/**
 * Top-up by payment card (indbetaling): authorise at the provider, capture, and when the provider
 * reports the capture, book the money: ledger `deposit` + balance + account change row, in one
 * transaction, exactly once per payment (payments.status guard + unique ledger.payment_ref).
 *
 * A blocked account takes no deposits: checked before authorising and again before capturing
 * (an authorisation that is not captured costs the payer nothing).
 *
 * Once booked, the receipt goes to the payer's e-mail through the chosen mailer (platform/
 * mailer.ts), after COMMIT and once per payment (its key), however often the capture is reported.
 */
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import { isWholeKroner } from '../../domain/money'
import { accountHead } from '../money/accounts'
import { audit } from '../platform/audit'
import { recordChange } from '../sync/changes'
import type { ServerContext } from '../platform/context'
import { postLedger } from '../money/ledger'
import { lockEntities, lockKey } from '../money/locks'
import { ok, refuse, type Result } from '../platform/result'
import { write, type Tx } from '../platform/tx'
import { receiptMail } from './receipt'
import type { DeclineReason, ProviderEvent } from './provider'

export interface DepositRequest {
  accountId: string
  /** øre, whole kroner */
  amount: number
  cardToken: string
  receiptEmail: string
  acceptedTerms: boolean
  /** The caller's retry key: the same key never pays twice. */
  idempotencyKey: string
  /** Under the account's lock, before a new payment is opened: may the caller pay into it? (false: 'account-unknown'). */
  mayPay?: (tx: Tx) => Promise<boolean>
}

export type DepositRefusal = 'payments-off' | 'amount-invalid' | 'email-invalid' | 'terms-not-accepted' | 'account-unknown' | 'account-blocked' | DeclineReason

export interface DepositStarted {
  paymentId: string
  /** `capture-pending`: the money is booked when the provider confirms the capture. */
  status: 'capture-pending' | 'captured'
}

const Email = z.email()

/** Inserts (or finds, for a repeated key) our payments row. Null: the account cannot take a deposit. */
async function openPayment(ctx: ServerContext, req: DepositRequest): Promise<Result<{ id: string; status: string; providerRef: string | null }, 'account-unknown' | 'account-blocked'>> {
  return write(ctx, async (tx) => {
    await lockEntities(tx, [lockKey.account(req.accountId)])
    if (req.mayPay && !(await req.mayPay(tx))) return refuse('account-unknown')
    const existing = await tx.query<{ id: string; status: string; provider_ref: string | null }>(
      'SELECT id, status, provider_ref FROM payments WHERE idempotency_key = $1',
      [req.idempotencyKey],
    )
    const found = existing.rows[0]
    if (found) return ok({ id: found.id, status: found.status, providerRef: found.provider_ref })
    const head = await accountHead(tx, req.accountId)
    if (!head) return refuse('account-unknown')
    if (head.status === 'blocked') return refuse('account-blocked')
    const id = randomUUID()
    await tx.query(
      `INSERT INTO payments (id, account_id, kind, amount, status, receipt_email, idempotency_key, created_at, updated_at)
       VALUES ($1, $2, 'deposit', $3, 'created', $4, $5, $6, $6)`,
      [id, req.accountId, req.amount, req.receiptEmail, req.idempotencyKey, tx.now],
    )
    return ok({ id, status: 'created', providerRef: null })
  })
}

async function setPaymentStatus(ctx: ServerContext, id: string, status: string, extra: { providerRef?: string; failure?: string } = {}): Promise<void> {
  await write(ctx, (tx) =>
    tx.query('UPDATE payments SET status = $2, provider_ref = coalesce($3, provider_ref), failure = $4, updated_at = $5 WHERE id = $1', [
      id,
      status,
      extra.providerRef ?? null,
      extra.failure ?? null,
      tx.now,
    ]),
  )
}

async function accountBlocked(ctx: ServerContext, accountId: string): Promise<boolean> {
  const { rows } = await ctx.db.query<{ status: string }>('SELECT status FROM accounts WHERE id = $1', [accountId])
  return rows[0]?.status !== 'active'
}

export async function startDeposit(ctx: ServerContext, req: DepositRequest): Promise<Result<DepositStarted, DepositRefusal>> {
  const provider = ctx.payments
  if (!provider) return refuse('payments-off')
  if (!isWholeKroner(req.amount)) return refuse('amount-invalid')
  if (!Email.safeParse(req.receiptEmail).success) return refuse('email-invalid')
  if (!req.acceptedTerms) return refuse('terms-not-accepted')

  const opened = await openPayment(ctx, req)
  if (!opened.ok) return opened
  const payment = opened.value
  if (payment.status === 'captured') return ok({ paymentId: payment.id, status: 'captured' })

  // The provider's own idempotency (keyed by our payment id) makes this safe to repeat after a crash.
  const authorised = await provider.createPayment({ amount: req.amount, cardToken: req.cardToken, reference: payment.id, idempotencyKey: `${payment.id}:create` })
  if (authorised.status === 'declined') {
    const reason = authorised.declineReason ?? 'card-declined'
    await setPaymentStatus(ctx, payment.id, 'declined', { providerRef: authorised.id, failure: reason })
    return refuse(reason)
  }
  await setPaymentStatus(ctx, payment.id, 'authorized', { providerRef: authorised.id })
  if (await accountBlocked(ctx, req.accountId)) {
    await setPaymentStatus(ctx, payment.id, 'failed', { failure: 'account-blocked' })
    return refuse('account-blocked')
  }
  const captured = await provider.capture(authorised.id, `${payment.id}:capture`)
  return ok({ paymentId: payment.id, status: captured.status === 'captured' ? 'captured' : 'capture-pending' })
}

/**
 * The provider confirmed a capture: book it. Safe to call any number of times for one payment
 * (providers deliver webhooks at least once).
 */
export async function completeDeposit(ctx: ServerContext, providerRef: string): Promise<'booked' | 'already-booked' | 'unknown-payment'> {
  const { rows } = await ctx.db.query<{ id: string; account_id: string }>(
    `SELECT id, account_id FROM payments WHERE provider_ref = $1 AND kind = 'deposit'`,
    [providerRef],
  )
  const payment = rows[0]
  if (!payment) return 'unknown-payment'
  const booked = await write(ctx, async (tx) => {
    await lockEntities(tx, [lockKey.account(payment.account_id)])
    const claimed = await tx.query<{ amount: number; municipality_id: string; receipt_email: string | null }>(
      `UPDATE payments p SET status = 'captured', updated_at = $2
         FROM accounts a
        WHERE p.id = $1 AND p.status <> 'captured' AND a.id = p.account_id
       RETURNING p.amount, a.municipality_id, p.receipt_email`,
      [payment.id, tx.now],
    )
    const c = claimed.rows[0]
    if (!c) return null
    // Captured money is booked even if the account was blocked since the capture began: it is the
    // holder's money now; a payout or refund is the way back.
    const posted = await postLedger(tx, { accountId: payment.account_id, kind: 'deposit', amount: c.amount, paymentRef: payment.id, at: tx.now })
    await audit(tx, {
      municipalityId: c.municipality_id,
      actor: 'system:payments',
      action: 'account.deposit',
      entity: 'account',
      entityId: payment.account_id,
      details: { amount: c.amount, paymentId: payment.id, ledgerId: posted.ledgerId },
      at: tx.now,
    })
    await recordChange(tx, 'account', payment.account_id)
    return { amount: Number(c.amount), email: c.receipt_email, balance: posted.balanceAfter, at: tx.now }
  })
  if (!booked) return 'already-booked'
  if (booked.email) await sendReceipt(ctx, { paymentId: payment.id, accountId: payment.account_id, ...booked, email: booked.email })
  return 'booked'
}

/** The money is booked whatever happens here: a mail that fails is logged, not retried. */
async function sendReceipt(ctx: ServerContext, r: { paymentId: string; accountId: string; amount: number; email: string; balance: number; at: Date }): Promise<void> {
  if (!ctx.mailer) return
  try {
    const { rows } = await ctx.db.query<{ name: string }>('SELECT h.name FROM accounts a JOIN holders h ON h.id = a.holder_id WHERE a.id = $1', [r.accountId])
    await ctx.mailer.send(receiptMail({ ...r, holderName: rows[0]?.name ?? '' }), ctx.clock.now())
  } catch (error) {
    ctx.log.error({ err: error, paymentId: r.paymentId }, 'top-up receipt: the mail could not be sent')
  }
}

async function captureFailed(ctx: ServerContext, providerRef: string, reason: string): Promise<void> {
  await write(ctx, (tx) =>
    tx.query(`UPDATE payments SET status = 'failed', failure = $2, updated_at = $3 WHERE provider_ref = $1 AND status <> 'captured'`, [
      providerRef,
      reason,
      tx.now,
    ]),
  )
}

/** Wires the provider's events (webhooks) to the bookings. Returns the unsubscribe function. */
export function listenToProvider(ctx: ServerContext, run: (name: string, fn: () => Promise<void>) => void): () => void {
  if (!ctx.payments) return () => {}
  return ctx.payments.onEvent((event: ProviderEvent) => {
    if (event.type === 'payment.captured') run('deposit.captured', async () => void (await completeDeposit(ctx, event.paymentId)))
    else run('deposit.capture-failed', () => captureFailed(ctx, event.paymentId, event.reason))
  })
}
