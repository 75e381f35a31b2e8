/**
 * Back-office writes on an account. Each one: the account's advisory lock before any write, the
 * change, an audit entry, and the account's change row, in one transaction, so tills learn of it
 * at their next pull (and at once through the live poke).
 */
import { isWholeKroner } from '../../domain/money'
import { audit } from '../platform/audit'
import { recordChange } from '../sync/changes'
import type { ServerContext } from '../platform/context'
import { postLedger } from './ledger'
import { lockEntities, lockKey } from './locks'
import { ok, refuse, type Result } from '../platform/result'
import { write, type Tx } from '../platform/tx'

interface AccountHead {
  municipality_id: string
  status: 'active' | 'blocked'
  balance: number
}

/** Call with the account's lock held. */
export async function accountHead(tx: Tx, accountId: string): Promise<AccountHead | null> {
  const { rows } = await tx.query<AccountHead>('SELECT municipality_id, status, balance FROM accounts WHERE id = $1', [accountId])
  return rows[0] ?? null
}

export async function setAccountStatus(
  ctx: ServerContext,
  accountId: string,
  status: 'active' | 'blocked',
  actor: string,
): Promise<Result<{ status: 'active' | 'blocked'; changed: boolean }, 'account-unknown'>> {
  return write(ctx, async (tx) => {
    await lockEntities(tx, [lockKey.account(accountId)])
    const head = await accountHead(tx, accountId)
    if (!head) return refuse('account-unknown')
    // Blocking twice is not an error, and writes nothing: no audit noise, no poke.
    if (head.status === status) return ok({ status, changed: false })
    await tx.query('UPDATE accounts SET status = $2 WHERE id = $1', [accountId, status])
    await audit(tx, {
      municipalityId: head.municipality_id,
      actor,
      action: status === 'blocked' ? 'account.block' : 'account.unblock',
      entity: 'account',
      entityId: accountId,
      at: tx.now,
    })
    await recordChange(tx, 'account', accountId)
    return ok({ status, changed: true })
  })
}

export const blockAccount = (ctx: ServerContext, accountId: string, actor = 'admin') =>
  setAccountStatus(ctx, accountId, 'blocked', actor)

export const unblockAccount = (ctx: ServerContext, accountId: string, actor = 'admin') =>
  setAccountStatus(ctx, accountId, 'active', actor)

export type DepositRefusal = 'account-unknown' | 'account-blocked' | 'amount-invalid'

/**
 * A deposit booked by the back office (cash at the town hall, a correction): an `adjustment`
 * ledger entry with a note, not a provider payment. Whole kroner, positive. A blocked account
 * takes no deposits.
 */
export async function depositByAdmin(
  ctx: ServerContext,
  accountId: string,
  amount: number,
  opts: { actor?: string; note?: string } = {},
): Promise<Result<{ balance: number; ledgerId: number }, DepositRefusal>> {
  if (!isWholeKroner(amount)) return refuse('amount-invalid')
  return write(ctx, async (tx) => {
    await lockEntities(tx, [lockKey.account(accountId)])
    const head = await accountHead(tx, accountId)
    if (!head) return refuse('account-unknown')
    if (head.status === 'blocked') return refuse('account-blocked')
    const actor = opts.actor ?? 'admin'
    const posted = await postLedger(tx, { accountId, kind: 'adjustment', amount, note: opts.note ?? 'deposit by back office', at: tx.now })
    await audit(tx, {
      municipalityId: head.municipality_id,
      actor,
      action: 'account.deposit',
      entity: 'account',
      entityId: accountId,
      details: { amount, ledgerId: posted.ledgerId, note: opts.note ?? null },
      at: tx.now,
    })
    await recordChange(tx, 'account', accountId)
    return ok({ balance: posted.balanceAfter, ledgerId: posted.ledgerId })
  })
}

export interface AccountSummary {
  id: string
  municipalityId: string
  status: 'active' | 'blocked'
  balance: number
  ledger: { id: number; kind: string; amount: number; saleId: string | null; paymentRef: string | null; note: string | null; createdAt: string }[]
}

/** For the back office and tests: the account and its latest ledger entries (newest first). */
export async function accountSummary(ctx: ServerContext, accountId: string, ledgerLimit = 100): Promise<AccountSummary | null> {
  const { rows } = await ctx.db.query<AccountHead>('SELECT municipality_id, status, balance FROM accounts WHERE id = $1', [accountId])
  const head = rows[0]
  if (!head) return null
  const ledger = await ctx.db.query<{ id: number; kind: string; amount: number; sale_id: string | null; payment_ref: string | null; note: string | null; created_at: Date }>(
    'SELECT id, kind, amount, sale_id, payment_ref, note, created_at FROM ledger WHERE account_id = $1 ORDER BY id DESC LIMIT $2',
    [accountId, ledgerLimit],
  )
  return {
    id: accountId,
    municipalityId: head.municipality_id,
    status: head.status,
    balance: head.balance,
    ledger: ledger.rows.map((l) => ({
      id: l.id,
      kind: l.kind,
      amount: l.amount,
      saleId: l.sale_id,
      paymentRef: l.payment_ref,
      note: l.note,
      createdAt: l.created_at.toISOString(),
    })),
  }
}
