/**
 * Offline exposure, per card account: the sales tills approved offline that took the account
 * below zero, how many tills sold them, and how much money they lent (the part of each such
 * sale below zero). Every offline till works from its own copy of the balance, so in an outage
 * a card's exposure is bounded by (offline tills x the per-till offline cap), not by one till's
 * allowance (DESIGN.md "Offline-first sync"); this report shows what it actually was.
 * For the back office (GET /admin/exposure); a read, no locks.
 */
import type { Sql } from '../db'

export interface ExposedSale {
  saleId: string
  terminalId: string
  total: number
  soldAt: string
  /** The part of this sale below zero: what the till lent (øre). */
  lent: number
}

export interface CardExposure {
  accountId: string
  /** The account's balance now (øre). */
  balance: number
  sales: ExposedSale[]
  /** How many tills sold these sales. */
  tills: number
  /** The sum of what they lent (øre). */
  amount: number
}

export interface ExposureOptions {
  /** Only sales sold at or after this instant (default: all). */
  since?: Date
}

/** Accounts with offline sales that went below zero, most exposed first; each account's sales in the order they were booked. */
export async function offlineExposure(sql: Sql, municipalityId: string, opts: ExposureOptions = {}): Promise<CardExposure[]> {
  const { rows } = await sql.query<{ account_id: string; sale_id: string; terminal_id: string; total: number; sold_at: Date; balance_after: number; balance: number }>(
    `WITH exposed AS (
       SELECT s.id, s.account_id, s.terminal_id, s.total, s.sold_at
         FROM sales s
        WHERE s.municipality_id = $1 AND s.offline AND 'overdraft' = ANY(s.flags) AND s.sold_at >= $2
     ), running AS (
       SELECT l.id AS ledger_id, l.sale_id, sum(l.amount) OVER (PARTITION BY l.account_id ORDER BY l.id) AS balance_after
         FROM ledger l
        WHERE l.account_id IN (SELECT account_id FROM exposed)
     )
     SELECT e.account_id, e.id::text AS sale_id, e.terminal_id, e.total, e.sold_at, r.balance_after, a.balance
       FROM exposed e
       JOIN running r ON r.sale_id = e.id
       JOIN accounts a ON a.id = e.account_id
      ORDER BY e.account_id, r.ledger_id`,
    [municipalityId, opts.since ?? new Date(0)],
  )
  const byAccount = new Map<string, CardExposure>()
  for (const r of rows) {
    const e = byAccount.get(r.account_id) ?? { accountId: r.account_id, balance: Number(r.balance), sales: [], tills: 0, amount: 0 }
    const total = Number(r.total)
    const lent = Math.min(total, Math.max(0, -Number(r.balance_after)))
    e.sales.push({ saleId: r.sale_id, terminalId: r.terminal_id, total, soldAt: new Date(r.sold_at).toISOString(), lent })
    e.amount += lent
    byAccount.set(r.account_id, e)
  }
  for (const e of byAccount.values()) e.tills = new Set(e.sales.map((s) => s.terminalId)).size
  return [...byAccount.values()].sort((x, y) => y.amount - x.amount || x.accountId.localeCompare(y.accountId))
}
