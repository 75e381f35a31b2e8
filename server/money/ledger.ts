/**
 * The money. `postLedger` is the only code that changes accounts.balance, and it does so in the
 * same statement that appends the entry, so balance = sum(ledger.amount) holds after every
 * commit. Entries are never updated or deleted (a trigger enforces it); a correction is a new
 * entry. The caller holds the account's advisory lock (locks.ts).
 */
import type { Sql } from '../db'

export type LedgerKind = 'deposit' | 'purchase' | 'refund' | 'payout' | 'fee' | 'auto_topup' | 'adjustment'

export interface LedgerEntry {
  accountId: string
  kind: LedgerKind
  /** Signed øre: positive adds to the balance. */
  amount: number
  saleId?: string
  paymentRef?: string
  note?: string
  at: Date
}

export interface Posted {
  ledgerId: number
  balanceBefore: number
  balanceAfter: number
}

export async function postLedger(tx: Sql, e: LedgerEntry): Promise<Posted> {
  if (!Number.isSafeInteger(e.amount)) throw new TypeError(`postLedger: amount is not integer øre: ${e.amount}`)
  const { rows } = await tx.query<{ ledger_id: number; balance: number }>(
    `WITH entry AS (
       INSERT INTO ledger (account_id, kind, amount, sale_id, payment_ref, note, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       RETURNING id
     )
     UPDATE accounts SET balance = balance + $3
       FROM entry
      WHERE accounts.id = $1
     RETURNING entry.id AS ledger_id, accounts.balance`,
    [e.accountId, e.kind, e.amount, e.saleId ?? null, e.paymentRef ?? null, e.note ?? null, e.at],
  )
  const row = rows[0]
  if (!row) throw new Error(`postLedger: account ${e.accountId} does not exist`)
  return { ledgerId: row.ledger_id, balanceBefore: row.balance - e.amount, balanceAfter: row.balance }
}

export async function ledgerSum(sql: Sql, accountId: string): Promise<number> {
  const { rows } = await sql.query<{ sum: number }>(
    'SELECT coalesce(sum(amount), 0)::bigint AS sum FROM ledger WHERE account_id = $1',
    [accountId],
  )
  return rows[0]?.sum ?? 0
}

/**
 * Many entries in one statement (a push batch, bulk loads): the entries in the given order, and
 * each account's balance moved by the sum of its new entries. Returns the balances after.
 */
export async function postLedgerMany(tx: Sql, entries: readonly LedgerEntry[]): Promise<Map<string, number>> {
  if (entries.length === 0) return new Map()
  for (const e of entries) if (!Number.isSafeInteger(e.amount)) throw new TypeError(`postLedgerMany: amount is not integer øre: ${e.amount}`)
  const rows = entries.map((e) => ({
    account_id: e.accountId,
    kind: e.kind,
    amount: e.amount,
    sale_id: e.saleId ?? null,
    payment_ref: e.paymentRef ?? null,
    note: e.note ?? null,
    created_at: e.at.toISOString(),
  }))
  const { rows: after } = await tx.query<{ id: string; balance: number }>(
    `WITH entry AS (
       INSERT INTO ledger (account_id, kind, amount, sale_id, payment_ref, note, created_at)
       SELECT account_id, kind, amount, sale_id, payment_ref, note, created_at
         FROM jsonb_to_recordset($1::text::jsonb)
           AS r(account_id text, kind text, amount bigint, sale_id uuid, payment_ref text, note text, created_at timestamptz)
       RETURNING account_id, amount
     ), moved AS (
       SELECT account_id, sum(amount) AS amount FROM entry GROUP BY account_id
     )
     UPDATE accounts SET balance = accounts.balance + moved.amount
       FROM moved
      WHERE accounts.id = moved.account_id
     RETURNING accounts.id, accounts.balance`,
    [JSON.stringify(rows)],
  )
  return new Map(after.map((r) => [r.id, Number(r.balance)]))
}
