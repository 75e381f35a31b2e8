import type { SaleSummary } from '../api/contract'
import type { SaleRecordPayload } from '../../../domain/sync'
import type { PeriodKeys } from '../../../domain/periods'
import type { Db } from './db'

/**
 * Records a sale and its outbox row in ONE transaction: either both exist or neither, so a
 * sale the cashier saw approved is always on its way to the server, and nothing is sent that
 * the till did not keep. Returns the outbox seq.
 */
export function insertSale(db: Db, mutationId: string, sale: SaleRecordPayload, periods: PeriodKeys): number {
  return db.transaction(() => {
    const { lastInsertRowid } = db
      .prepare(
        `INSERT INTO outbox (mutation_id, kind, payload, created_at, account_id, delta, spend, day_key, week_key, month_key, offline)
         VALUES (?, 'sale.record', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      // The row's own pending effects (store/accounts.ts reads them without the sales table).
      .run(mutationId, JSON.stringify(sale), sale.at, sale.accountId, -sale.total, sale.total, periods.day, periods.week, periods.month, sale.offline ? 1 : 0)
    const seq = Number(lastInsertRowid)
    db.prepare(
      `INSERT INTO sales (id, seq, at, card_number, account_id, staff_id, total, offline, day_key, week_key, month_key)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(sale.saleId, seq, sale.at, sale.cardNumber, sale.accountId, sale.staffId, sale.total, sale.offline ? 1 : 0, periods.day, periods.week, periods.month)
    const line = db.prepare(
      `INSERT INTO sale_lines (sale_id, line_no, product_id, name, category_id, qty, unit_price) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    sale.lines.forEach((l, i) => line.run(sale.saleId, i + 1, l.productId, l.name, l.categoryId, l.qty, l.unitPrice))
    return seq
  })()
}

interface SaleRow {
  id: string
  at: string
  card_number: string
  holder_name: string | null
  total: number
  status: 'pending' | 'applied' | 'rejected'
  reason: string | null
}

export function recentSales(db: Db, limit: number): SaleSummary[] {
  const rows = db
    .prepare(
      `SELECT s.id, s.at, s.card_number, a.holder_name, s.total, o.status, o.reason
         FROM sales s JOIN outbox o ON o.seq = s.seq LEFT JOIN accounts a ON a.id = s.account_id
        ORDER BY s.seq DESC LIMIT ?`,
    )
    .all(limit) as SaleRow[]
  const lines = db.prepare('SELECT product_id, name, qty, unit_price FROM sale_lines WHERE sale_id = ? ORDER BY line_no')
  return rows.map((r) => ({
    saleId: r.id,
    at: r.at,
    cardNumber: r.card_number,
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
  }))
}

/** What a recorded sale was, to answer a retry of the same attempt (saleId) without charging again. */
export interface RecordedSale {
  saleId: string
  cardNumber: string
  total: number
  lines: { productId: string; qty: number }[]
}

export function recordedSale(db: Db, saleId: string): RecordedSale | null {
  const row = db.prepare('SELECT id, card_number, total FROM sales WHERE id = ?').get(saleId) as { id: string; card_number: string; total: number } | undefined
  if (!row) return null
  const lines = db.prepare('SELECT product_id, qty FROM sale_lines WHERE sale_id = ? ORDER BY line_no').all(saleId) as { product_id: string; qty: number }[]
  return { saleId: row.id, cardNumber: row.card_number, total: row.total, lines: lines.map((l) => ({ productId: l.product_id, qty: l.qty })) }
}
