import type { SaleSummary } from '../api/contract'
import type { SaleRecordPayload } from '../../../domain/sync'
import type { PeriodKeys } from '../../../domain/periods'
import { stmt, type Db } from './db'

/**
 * Records a sale and its outbox row in ONE transaction: either both exist or neither, so a
 * sale the cashier saw approved is always on its way to the server, and nothing is sent that
 * the till did not keep. Returns the outbox seq.
 */
export function insertSale(db: Db, mutationId: string, sale: SaleRecordPayload, periods: PeriodKeys): number {
  // A cash sale (a guest, no card) belongs to no account: it moves no balance and no spend.
  const card = sale.payment === 'cash' ? null : { number: sale.cardNumber, accountId: sale.accountId }
  return db.transaction(() => {
    const { lastInsertRowid } = stmt(
      db,
      `INSERT INTO outbox (mutation_id, kind, payload, created_at, account_id, delta, spend, day_key, week_key, month_key, offline)
       VALUES (?, 'sale.record', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
      // The row's own pending effects (store/accounts.ts reads them without the sales table).
      .run(
        mutationId,
        JSON.stringify(sale),
        sale.at,
        card?.accountId ?? null,
        card ? -sale.total : 0,
        card ? sale.total : 0,
        periods.day,
        periods.week,
        periods.month,
        sale.offline ? 1 : 0,
      )
    const seq = Number(lastInsertRowid)
    stmt(
      db,
      `INSERT INTO sales (id, seq, at, card_number, account_id, staff_id, total, offline, day_key, week_key, month_key, payment)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      sale.saleId,
      seq,
      sale.at,
      card?.number ?? null,
      card?.accountId ?? null,
      sale.staffId,
      sale.total,
      sale.offline ? 1 : 0,
      periods.day,
      periods.week,
      periods.month,
      card ? 'card' : 'cash',
    )
    const line = stmt(
      db,
      `INSERT INTO sale_lines (sale_id, line_no, product_id, name, category_id, qty, unit_price) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    sale.lines.forEach((l, i) => line.run(sale.saleId, i + 1, l.productId, l.name, l.categoryId, l.qty, l.unitPrice))
    return seq
  })()
}

interface SaleRow {
  id: string
  at: string
  payment: 'card' | 'cash'
  card_number: string | null
  holder_name: string | null
  total: number
  status: 'pending' | 'applied' | 'rejected'
  reason: string | null
  day_key: string
  voided_at: string | null
  void_reason: string | null
  void_status: 'pending' | 'applied' | 'rejected' | null
  void_reject_reason: string | null
}

/** The newest sales, each with its sync state and whether it was (or may be) voided; `today` is the Copenhagen day key. */
export function recentSales(db: Db, limit: number, today: string): SaleSummary[] {
  const rows = db
    .prepare(
      `SELECT s.id, s.at, s.payment, s.card_number, a.holder_name, s.total, o.status, o.reason, s.day_key,
              v.voided_at, v.reason AS void_reason, vo.status AS void_status, vo.reason AS void_reject_reason
         FROM sales s JOIN outbox o ON o.seq = s.seq LEFT JOIN accounts a ON a.id = s.account_id
         LEFT JOIN sale_voids v ON v.sale_id = s.id LEFT JOIN outbox vo ON vo.seq = v.seq
        ORDER BY s.seq DESC LIMIT ?`,
    )
    .all(limit) as SaleRow[]
  const lines = db.prepare('SELECT product_id, name, qty, unit_price FROM sale_lines WHERE sale_id = ? ORDER BY line_no')
  return rows.map((r) => ({
    saleId: r.id,
    at: r.at,
    payment: r.payment,
    cardNumber: r.card_number ?? '',
    holderName: r.holder_name ?? '',
    total: r.total,
    lines: (lines.all(r.id) as { product_id: string; name: string; qty: number; unit_price: number }[]).map((l) => ({
      productId: l.product_id,
      name: l.name,
      qty: l.qty,
      unitPrice: l.unit_price,
    })),
    sync: r.status === 'applied' ? 'sent' : r.status,
    rejectReason: r.reason,
    voided:
      r.voided_at === null
        ? null
        : {
            at: r.voided_at,
            reason: r.void_reason ?? '',
            sync: r.void_status === 'applied' ? 'sent' : (r.void_status ?? 'pending'),
            rejectReason: r.void_reject_reason,
          },
    // A cash void would give money back from the drawer, not to an account: not offered yet.
    voidable: r.payment === 'card' && r.voided_at === null && r.status !== 'rejected' && r.day_key === today,
  }))
}

/** What a recorded sale was, to answer a retry of the same attempt (saleId) without charging again. */
export interface RecordedSale {
  saleId: string
  payment: 'card' | 'cash'
  /** null: a cash sale. */
  cardNumber: string | null
  total: number
  lines: { productId: string; qty: number }[]
}

export function recordedSale(db: Db, saleId: string): RecordedSale | null {
  const row = stmt(db, 'SELECT id, payment, card_number, total FROM sales WHERE id = ?').get(saleId) as
    | { id: string; payment: 'card' | 'cash'; card_number: string | null; total: number }
    | undefined
  if (!row) return null
  const lines = stmt(db, 'SELECT product_id, qty FROM sale_lines WHERE sale_id = ? ORDER BY line_no').all(saleId) as { product_id: string; qty: number }[]
  return { saleId: row.id, payment: row.payment, cardNumber: row.card_number, total: row.total, lines: lines.map((l) => ({ productId: l.product_id, qty: l.qty })) }
}
