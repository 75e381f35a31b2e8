import type { SaleVoidPayload } from '../../../domain/sync'
import type { Db } from './db'

/** A sale of this till as a void needs it: what it took, from whom, in which periods, and its state. */
export interface VoidableSale {
  saleId: string
  /** null: a cash sale (no card, no account): its money is in the drawer, not on a card. */
  accountId: string | null
  total: number
  offline: boolean
  dayKey: string
  weekKey: string
  monthKey: string
  /** The sale's own outbox row: a sale the server set aside has nothing to give back. */
  status: 'pending' | 'applied' | 'rejected'
  voided: boolean
}

export function voidableSale(db: Db, saleId: string): VoidableSale | null {
  const row = db
    .prepare(
      `SELECT s.id, s.account_id, s.total, s.offline, s.day_key, s.week_key, s.month_key, o.status,
              EXISTS (SELECT 1 FROM sale_voids v WHERE v.sale_id = s.id) AS voided
         FROM sales s JOIN outbox o ON o.seq = s.seq
        WHERE s.id = ?`,
    )
    .get(saleId) as
    | { id: string; account_id: string | null; total: number; offline: number; day_key: string; week_key: string; month_key: string; status: VoidableSale['status']; voided: number }
    | undefined
  if (!row) return null
  return {
    saleId: row.id,
    accountId: row.account_id,
    total: row.total,
    offline: row.offline === 1,
    dayKey: row.day_key,
    weekKey: row.week_key,
    monthKey: row.month_key,
    status: row.status,
    voided: row.voided === 1,
  }
}

/**
 * Records a void and its outbox row in ONE transaction (the caller's: it checks the sale inside
 * it). The row's pending effects undo the sale's until the server's state includes the void:
 * the total back on the balance (delta), and off the spend of the SALE's day, week and month
 * keys (the periods the sale counted in). `offline` is the sale's, so the per-till offline cap
 * (sync/offline.ts) is given back what the sale took from it. Returns the outbox seq.
 */
export function insertVoid(db: Db, mutationId: string, v: SaleVoidPayload, sale: VoidableSale, cashierId: string): number {
  const { lastInsertRowid } = db
    .prepare(
      `INSERT INTO outbox (mutation_id, kind, payload, created_at, account_id, delta, spend, day_key, week_key, month_key, offline)
       VALUES (?, 'sale.void', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(mutationId, JSON.stringify(v), v.voidedAt, sale.accountId, sale.total, -sale.total, sale.dayKey, sale.weekKey, sale.monthKey, sale.offline ? 1 : 0)
  const seq = Number(lastInsertRowid)
  db.prepare('INSERT INTO sale_voids (sale_id, seq, reason, authorised_by, cashier_id, voided_at) VALUES (?, ?, ?, ?, ?, ?)').run(
    v.saleId,
    seq,
    v.reason,
    v.authorisedBy,
    cashierId,
    v.voidedAt,
  )
  return seq
}
