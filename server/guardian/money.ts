/**
 * A guardian's money at the kiosk: top-up (with its receipt), the payment's status, the auto
 * top-up agreement (create, see, cancel, and why it stopped), payouts, and a new card for a fee.
 *
 * Invariants, as in accounts.ts: an account not linked to the guardian answers exactly like one
 * that does not exist ('account-unknown'), before anything else is looked at; every write takes
 * the account's advisory lock (the one a till's push takes, so a kiosk's money and a till's sale
 * never race), checks the link under it, and moves money only through the ledger, with an audit
 * entry naming `guardian:<id>` and the account's change row in the same transaction.
 *
 * Retries: each write carries the caller's idempotency key, scoped to the account. A retried
 * request answers what the first one did and never moves money twice (payments.idempotency_key,
 * payouts (account_id, idempotency_key), card_orders, accounts.topup_idempotency_key).
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { isWholeKroner } from '../../domain/money'
import type { Sql } from '../db'
import { accountHead } from '../money/accounts'
import { postLedger } from '../money/ledger'
import { lockEntities, lockKey } from '../money/locks'
import { cancelTopupAgreement, createTopupAgreement, topupAgreementView, type AgreementRefusal, type TopupAgreementView } from '../payments/auto-topup'
import { startDeposit, type DepositRefusal, type DepositStarted } from '../payments/deposits'
import { audit } from '../platform/audit'
import type { ServerContext } from '../platform/context'
import { ok, refuse, type Result } from '../platform/result'
import { write, type Tx } from '../platform/tx'
import { recordChange, recordChanges } from '../sync/changes'
import { getAccount, guardianActor, type GuardianAccount } from './accounts'
import { TERMS_VERSION } from './money-terms'
import type { GuardianPrincipal } from './session'

/** øre: a top-up is 20 to 2,000 kr, whole kroner. */
export const DEPOSIT_MIN = 2_000
export const DEPOSIT_MAX = 200_000
/** øre: an auto top-up amount is 50 to 1,000 kr, whole kroner. */
export const AUTO_TOPUP_MIN = 5_000
export const AUTO_TOPUP_MAX = 100_000
/** øre: a new card costs 25 kr, and needs a balance of at least that. */
export const NEW_CARD_FEE = 2_500

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

async function linked(sql: Sql, g: GuardianPrincipal, accountId: string): Promise<boolean> {
  const { rows } = await sql.query(
    `SELECT 1 FROM guardian_accounts ga JOIN accounts a ON a.id = ga.account_id
      WHERE ga.guardian_id = $1 AND ga.account_id = $2 AND a.municipality_id = $3`,
    [g.id, accountId, g.municipalityId],
  )
  return rows.length > 0
}

/** The caller's key, scoped to the account: one guardian's key never finds another account's request. */
const scopedKey = (accountId: string, key: string) => `${accountId}:${key}`

const inRange = (amount: number, min: number, max: number) => isWholeKroner(amount) && amount >= min && amount <= max

// --- top-up -------------------------------------------------------------------------------------

export interface DepositInput {
  amount: number
  receiptEmail: string
  acceptedTermsVersion: string
  cardToken: string
  idempotencyKey: string
}

/** Starts a top-up by payment card (payments/deposits.ts); the receipt goes out when it is booked. */
export async function depositByGuardian(ctx: ServerContext, g: GuardianPrincipal, accountId: string, input: DepositInput): Promise<Result<DepositStarted, DepositRefusal>> {
  if (!(await linked(ctx.db, g, accountId))) return refuse('account-unknown')
  if (!ctx.payments) return refuse('payments-off')
  if (!inRange(input.amount, DEPOSIT_MIN, DEPOSIT_MAX)) return refuse('amount-invalid')
  return startDeposit(ctx, {
    accountId,
    amount: input.amount,
    cardToken: input.cardToken,
    receiptEmail: input.receiptEmail.trim(),
    acceptedTerms: input.acceptedTermsVersion === TERMS_VERSION,
    idempotencyKey: scopedKey(accountId, input.idempotencyKey),
    mayPay: (tx) => linked(tx, g, accountId),
  })
}

export interface PaymentView {
  id: string
  accountId: string
  kind: 'deposit' | 'auto_topup'
  amount: number
  status: 'created' | 'authorized' | 'captured' | 'declined' | 'failed' | 'refunded'
  failure: string | null
  createdAt: string
}

/** A payment into one of the guardian's accounts; any other answers 'payment-unknown'. */
export async function paymentForGuardian(ctx: ServerContext, g: GuardianPrincipal, paymentId: string): Promise<Result<PaymentView, 'payment-unknown'>> {
  if (!UUID.test(paymentId)) return refuse('payment-unknown')
  const { rows } = await ctx.db.query<{ id: string; account_id: string; kind: PaymentView['kind']; amount: number; status: PaymentView['status']; failure: string | null; created_at: Date }>(
    `SELECT p.id, p.account_id, p.kind, p.amount, p.status, p.failure, p.created_at
       FROM payments p
       JOIN guardian_accounts ga ON ga.account_id = p.account_id AND ga.guardian_id = $2
       JOIN accounts a ON a.id = p.account_id AND a.municipality_id = $3
      WHERE p.id = $1`,
    [paymentId, g.id, g.municipalityId],
  )
  const p = rows[0]
  if (!p) return refuse('payment-unknown')
  return ok({ id: p.id, accountId: p.account_id, kind: p.kind, amount: Number(p.amount), status: p.status, failure: p.failure, createdAt: p.created_at.toISOString() })
}

// --- auto top-up --------------------------------------------------------------------------------

export async function autoTopupOf(ctx: ServerContext, g: GuardianPrincipal, accountId: string): Promise<Result<{ autoTopup: TopupAgreementView | null }, 'account-unknown'>> {
  if (!(await linked(ctx.db, g, accountId))) return refuse('account-unknown')
  return ok({ autoTopup: await topupAgreementView(ctx.db, accountId) })
}

export interface AutoTopupInput {
  amount: number
  cardToken: string
  acceptedTermsVersion: string
  idempotencyKey: string
}

export type AutoTopupRefusal = AgreementRefusal | 'terms-not-accepted' | 'auto-topup-exists'

async function topupRow(sql: Sql, accountId: string) {
  const { rows } = await sql.query<{ status: string; topup_status: string | null; topup_idempotency_key: string | null }>(
    'SELECT status, topup_status, topup_idempotency_key FROM accounts WHERE id = $1',
    [accountId],
  )
  return rows[0] ?? null
}

/**
 * A new agreement. One that is active or failed must be cancelled first (the guide's remedy for
 * a failed one: cancel and create anew). Checked before the provider saves the card and again
 * under the lock; a retry of the request that made the current agreement answers it.
 */
export async function createAutoTopup(
  ctx: ServerContext,
  g: GuardianPrincipal,
  accountId: string,
  input: AutoTopupInput,
): Promise<Result<{ autoTopup: TopupAgreementView | null }, AutoTopupRefusal>> {
  if (!(await linked(ctx.db, g, accountId))) return refuse('account-unknown')
  const key = scopedKey(accountId, input.idempotencyKey)
  const before = await topupRow(ctx.db, accountId)
  const replay = () => autoTopupOf(ctx, g, accountId)
  if (before?.topup_status && before.topup_idempotency_key === key) return replay()
  if (!ctx.payments) return refuse('payments-off')
  if (!inRange(input.amount, AUTO_TOPUP_MIN, AUTO_TOPUP_MAX)) return refuse('amount-invalid')
  if (input.acceptedTermsVersion !== TERMS_VERSION) return refuse('terms-not-accepted')
  if (before?.topup_status === 'active' || before?.topup_status === 'failed') return refuse('auto-topup-exists')
  const created = await createTopupAgreement(ctx, {
    accountId,
    cardToken: input.cardToken,
    amount: input.amount,
    idempotencyKey: key,
    actor: guardianActor(g),
    check: async (tx): Promise<'account-unknown' | 'auto-topup-exists' | 'same-request' | null> => {
      if (!(await linked(tx, g, accountId))) return 'account-unknown'
      const now = await topupRow(tx, accountId)
      if (now?.topup_status && now.topup_idempotency_key === key) return 'same-request'
      return now?.topup_status === 'active' || now?.topup_status === 'failed' ? 'auto-topup-exists' : null
    },
  })
  if (!created.ok) return created.reason === 'same-request' ? replay() : refuse(created.reason)
  return replay()
}

export async function cancelAutoTopup(
  ctx: ServerContext,
  g: GuardianPrincipal,
  accountId: string,
): Promise<Result<{ autoTopup: TopupAgreementView | null }, 'account-unknown' | 'auto-topup-none'>> {
  if (!(await linked(ctx.db, g, accountId))) return refuse('account-unknown')
  const cancelled = await cancelTopupAgreement(ctx, accountId, guardianActor(g), async (tx) => ((await linked(tx, g, accountId)) ? null : ('account-unknown' as const)))
  return cancelled.ok ? autoTopupOf(ctx, g, accountId) : cancelled
}

// --- payouts ------------------------------------------------------------------------------------

export type PayoutTo = { kind: 'nemkonto' } | { kind: 'bank'; regNo: string; accountNo: string; name: string; message: string }

export interface PayoutView {
  id: string
  amount: number
  status: 'pending' | 'settled' | 'rejected'
  to: PayoutTo
  createdAt: string
  settledAt: string | null
}

export interface PayoutInput {
  amount: number
  to: { kind: 'nemkonto' } | { kind: 'bank'; regNo: string; accountNo: string; name: string; message?: string }
  idempotencyKey: string
}

export type PayoutRefusal = 'account-unknown' | 'amount-invalid' | 'amount-above-balance' | 'reg-no-invalid' | 'account-no-invalid' | 'name-invalid' | 'message-invalid'

const CONTROL = /[\u0000-\u001f\u007f]/

/** The bank details as the bank takes them, or why not. */
function payoutTo(to: PayoutInput['to']): Result<PayoutTo, PayoutRefusal> {
  if (to.kind === 'nemkonto') return ok({ kind: 'nemkonto' })
  const regNo = to.regNo.trim()
  const accountNo = to.accountNo.trim()
  const name = to.name.trim()
  const message = (to.message ?? '').trim()
  if (!/^[0-9]{4}$/.test(regNo)) return refuse('reg-no-invalid')
  if (!/^[0-9]{1,10}$/.test(accountNo)) return refuse('account-no-invalid')
  if (name.length < 1 || name.length > 70 || CONTROL.test(name)) return refuse('name-invalid')
  if (message.length > 140 || CONTROL.test(message)) return refuse('message-invalid')
  return ok({ kind: 'bank', regNo, accountNo, name, message })
}

interface PayoutRow {
  id: string
  account_id: string
  kind: 'nemkonto' | 'bank'
  reg_no: string | null
  account_no: string | null
  name: string | null
  message: string
  amount: number
  status: PayoutView['status']
  created_at: Date
  settled_at: Date | null
}

const PAYOUT_COLUMNS = 'p.id, p.account_id, p.kind, p.reg_no, p.account_no, p.name, p.message, p.amount, p.status, p.created_at, p.settled_at'

function payoutView(r: PayoutRow): PayoutView {
  const to: PayoutTo = r.kind === 'nemkonto' ? { kind: 'nemkonto' } : { kind: 'bank', regNo: r.reg_no!, accountNo: r.account_no!, name: r.name!, message: r.message }
  return { id: r.id, amount: Number(r.amount), status: r.status, to, createdAt: r.created_at.toISOString(), settledAt: r.settled_at?.toISOString() ?? null }
}

/**
 * A payout: the money leaves the account at once (ledger 'payout'), and the payout waits as
 * 'pending' until the back office has paid it and settles it. Not above the balance; a blocked
 * card's money can still be paid out (it is the holder's).
 */
export async function requestPayout(
  ctx: ServerContext,
  g: GuardianPrincipal,
  accountId: string,
  input: PayoutInput,
): Promise<Result<{ payout: PayoutView; balance: number }, PayoutRefusal>> {
  if (!(await linked(ctx.db, g, accountId))) return refuse('account-unknown')
  if (!isWholeKroner(input.amount)) return refuse('amount-invalid')
  const to = payoutTo(input.to)
  if (!to.ok) return to
  return write(ctx, async (tx) => {
    await lockEntities(tx, [lockKey.account(accountId)])
    if (!(await linked(tx, g, accountId))) return refuse('account-unknown')
    const head = (await accountHead(tx, accountId))!
    const earlier = await tx.query<PayoutRow>(`SELECT ${PAYOUT_COLUMNS} FROM payouts p WHERE p.account_id = $1 AND p.idempotency_key = $2`, [accountId, input.idempotencyKey])
    if (earlier.rows[0]) return ok({ payout: payoutView(earlier.rows[0]), balance: Number(head.balance) })
    if (input.amount > Number(head.balance)) return refuse('amount-above-balance')
    const id = randomUUID()
    const bank = to.value.kind === 'bank' ? to.value : null
    const posted = await postLedger(tx, {
      accountId,
      kind: 'payout',
      amount: -input.amount,
      note: bank ? `payout to ${bank.regNo} ${bank.accountNo}` : 'payout to NemKonto',
      at: tx.now,
    })
    const { rows } = await tx.query<PayoutRow>(
      `INSERT INTO payouts AS p (id, account_id, kind, name, reg_no, account_no, message, amount, status, ledger_id, requested_by, idempotency_key, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $10, $11, $12)
       RETURNING ${PAYOUT_COLUMNS}`,
      [id, accountId, to.value.kind, bank?.name ?? null, bank?.regNo ?? null, bank?.accountNo ?? null, bank?.message ?? '', input.amount, posted.ledgerId, guardianActor(g), input.idempotencyKey, tx.now],
    )
    await audit(tx, {
      municipalityId: head.municipality_id,
      actor: guardianActor(g),
      action: 'account.payout',
      entity: 'account',
      entityId: accountId,
      details: { payoutId: id, amount: input.amount, to: to.value.kind, ledgerId: posted.ledgerId },
      at: tx.now,
    })
    await recordChange(tx, 'account', accountId)
    return ok({ payout: payoutView(rows[0]!), balance: posted.balanceAfter })
  })
}

export async function payoutsOf(ctx: ServerContext, g: GuardianPrincipal, accountId: string): Promise<Result<{ payouts: PayoutView[] }, 'account-unknown'>> {
  if (!(await linked(ctx.db, g, accountId))) return refuse('account-unknown')
  const { rows } = await ctx.db.query<PayoutRow>(`SELECT ${PAYOUT_COLUMNS} FROM payouts p WHERE p.account_id = $1 ORDER BY p.created_at DESC, p.id`, [accountId])
  return ok({ payouts: rows.map(payoutView) })
}

// --- the back office's side of payouts ----------------------------------------------------------

export interface AdminPayoutView extends PayoutView {
  accountId: string
  holderName: string
  municipalityId: string
}

export async function payoutsForAdmin(sql: Sql, municipalityId: string, status: PayoutView['status'] | null): Promise<AdminPayoutView[]> {
  const { rows } = await sql.query<PayoutRow & { holder_name: string; municipality_id: string }>(
    `SELECT ${PAYOUT_COLUMNS}, h.name AS holder_name, a.municipality_id
       FROM payouts p JOIN accounts a ON a.id = p.account_id JOIN holders h ON h.id = a.holder_id
      WHERE a.municipality_id = $1 AND ($2::text IS NULL OR p.status = $2)
      ORDER BY p.created_at, p.id LIMIT 1000`,
    [municipalityId, status],
  )
  return rows.map((r) => ({ ...payoutView(r), accountId: r.account_id, holderName: r.holder_name, municipalityId: r.municipality_id }))
}

/** The payout's municipality (null: no such payout), for the back office's scope check. */
export async function payoutMunicipality(sql: Sql, payoutId: string): Promise<string | null> {
  if (!UUID.test(payoutId)) return null
  const { rows } = await sql.query<{ municipality_id: string }>('SELECT a.municipality_id FROM payouts p JOIN accounts a ON a.id = p.account_id WHERE p.id = $1', [payoutId])
  return rows[0]?.municipality_id ?? null
}

/** The back office has paid it: pending → settled. No money moves here (it left the ledger at the request). */
export async function settlePayout(ctx: ServerContext, payoutId: string, actor: string): Promise<Result<PayoutView, 'payout-unknown' | 'payout-not-pending'>> {
  if (!UUID.test(payoutId)) return refuse('payout-unknown')
  return write(ctx, async (tx) => {
    await lockEntities(tx, [lockKey.entity('payout', payoutId)])
    const { rows } = await tx.query<PayoutRow & { municipality_id: string }>(
      `SELECT ${PAYOUT_COLUMNS}, a.municipality_id FROM payouts p JOIN accounts a ON a.id = p.account_id WHERE p.id = $1`,
      [payoutId],
    )
    const p = rows[0]
    if (!p) return refuse('payout-unknown')
    if (p.status !== 'pending') return refuse('payout-not-pending')
    const settled = await tx.query<PayoutRow>(`UPDATE payouts p SET status = 'settled', settled_at = $2, settled_by = $3 WHERE p.id = $1 RETURNING ${PAYOUT_COLUMNS}`, [
      payoutId,
      tx.now,
      actor,
    ])
    await audit(tx, {
      municipalityId: p.municipality_id,
      actor,
      action: 'payout.settled',
      entity: 'account',
      entityId: p.account_id,
      details: { payoutId, amount: Number(p.amount) },
      at: tx.now,
    })
    return ok(payoutView(settled.rows[0]!))
  })
}

// --- a new card ---------------------------------------------------------------------------------

/** Crockford's base32: no I, L, O or U, so a number read aloud or typed is not mistaken. */
const CARD_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const NEW_CARD_LENGTH = 10

/** A fresh card number (matches CARD_NUMBER in domain/card.ts); 50 bits, so a clash is retried, not expected. */
export function newCardNumber(): string {
  return [...randomBytes(NEW_CARD_LENGTH)].map((b) => CARD_ALPHABET[b & 31]).join('')
}

async function insertNewCard(tx: Tx, accountId: string): Promise<string> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const { rows } = await tx.query<{ number: string }>(
      `INSERT INTO cards (number, account_id, status, created_at) VALUES ($1, $2, 'active', $3) ON CONFLICT (number) DO NOTHING RETURNING number`,
      [newCardNumber(), accountId, tx.now],
    )
    if (rows[0]) return rows[0].number
  }
  throw new Error('newCardNumber: five clashes in a row')
}

/**
 * "Bestil nyt kort": 25 kr on the ledger ('fee'), the account's active cards become 'replaced'
 * (a till then refuses them as "old card"), and a new number joins the same account and
 * balance. Needs a balance of at least the fee. Lost cards stay lost.
 */
export async function orderNewCard(
  ctx: ServerContext,
  g: GuardianPrincipal,
  accountId: string,
  idempotencyKey: string,
): Promise<Result<{ account: GuardianAccount; newCard: { number: string } }, 'account-unknown' | 'balance-below-fee'>> {
  if (!(await linked(ctx.db, g, accountId))) return refuse('account-unknown')
  const ordered = await write(ctx, async (tx): Promise<Result<string, 'account-unknown' | 'balance-below-fee'>> => {
    await lockEntities(tx, [lockKey.account(accountId)])
    if (!(await linked(tx, g, accountId))) return refuse('account-unknown')
    const earlier = await tx.query<{ card_number: string }>('SELECT card_number FROM card_orders WHERE account_id = $1 AND idempotency_key = $2', [accountId, idempotencyKey])
    if (earlier.rows[0]) return ok(earlier.rows[0].card_number)
    const head = (await accountHead(tx, accountId))!
    if (Number(head.balance) < NEW_CARD_FEE) return refuse('balance-below-fee')
    const replaced = await tx.query<{ number: string }>(`UPDATE cards SET status = 'replaced' WHERE account_id = $1 AND status = 'active' RETURNING number`, [accountId])
    const oldNumbers = replaced.rows.map((r) => r.number).sort()
    const number = await insertNewCard(tx, accountId)
    const posted = await postLedger(tx, { accountId, kind: 'fee', amount: -NEW_CARD_FEE, note: `new card ${number}`, at: tx.now })
    await tx.query(
      `INSERT INTO card_orders (account_id, idempotency_key, card_number, replaced, ledger_id, ordered_by, created_at) VALUES ($1, $2, $3, $4::text[], $5, $6, $7)`,
      [accountId, idempotencyKey, number, oldNumbers, posted.ledgerId, guardianActor(g), tx.now],
    )
    await audit(tx, {
      municipalityId: head.municipality_id,
      actor: guardianActor(g),
      action: 'account.new-card',
      entity: 'account',
      entityId: accountId,
      details: { cardNumber: number, replaced: oldNumbers, fee: NEW_CARD_FEE, ledgerId: posted.ledgerId },
      at: tx.now,
    })
    await recordChanges(tx, 'card', [...oldNumbers, number])
    await recordChange(tx, 'account', accountId)
    return ok(number)
  })
  if (!ordered.ok) return ordered
  const account = await getAccount(ctx, g, accountId)
  return account.ok ? ok({ account: account.value, newCard: { number: ordered.value } }) : account
}
