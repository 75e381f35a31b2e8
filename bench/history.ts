/**
 * A till with a long history, made fast: `sales` acknowledged sales of the past days (two lines
 * each), their outbox rows (applied, acknowledged, with a payload as the till writes one) and
 * `acked_seq`, written with a few set-based INSERT … SELECT statements straight into the till's
 * file (closed at the time). Half a million sales take seconds this way, instead of minutes
 * through the sale path.
 */
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { DB_FILE } from '../electron/core/store/db'
import { accountId, cardNumber } from './data'

export interface History {
  sales: number
  lines: number
  outbox: number
  /** The highest seq written: the server's `last_applied_seq` for this till must match it. */
  maxSeq: number
}

/** Sales per day of history: 500,000 sales reach back 200 days. */
const PER_DAY = 2500

export function seedHistory(dataDir: string, sales: number, opts: { accounts: number; locationId: string; staffId: string; productIds: [string, string] }): History {
  const db = new Database(join(dataDir, DB_FILE))
  try {
    db.pragma('foreign_keys = ON')
    const from = (db.prepare("SELECT COALESCE(MAX(seq), 0) AS s FROM outbox").get() as { s: number }).s
    const params = {
      from,
      n: sales,
      accounts: opts.accounts,
      perDay: PER_DAY,
      loc: opts.locationId,
      staff: opts.staffId,
      p1: opts.productIds[0],
      p2: opts.productIds[1],
      // The bench data's id formats (bench/data.ts), checked below against one real row.
      accountFmt: accountId(0).replace(/\d+$/, (d) => `%0${d.length}d`),
      cardFmt: cardNumber(0).replace(/\d+$/, (d) => `%0${d.length}d`),
    }
    if (db.prepare('SELECT 1 FROM cards WHERE number = ? AND account_id = ?').get(cardNumber(0), accountId(0)) === undefined) {
      throw new Error(`seedHistory: the till does not hold card ${cardNumber(0)} of ${accountId(0)} (bench/data.ts ids changed?)`)
    }
    db.transaction(() => {
      // Day d (1 = yesterday) at 11:00 + a few seconds per sale; keys as domain/periods.ts writes them.
      db.prepare(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @n),
         s AS (SELECT @from + i AS seq, i,
                      printf(@accountFmt, (i - 1) % @accounts + 1) AS account,
                      printf(@cardFmt, (i - 1) % @accounts + 1) AS card,
                      date('now', printf('-%d days', 1 + (i - 1) / @perDay)) AS day,
                      printf('%08x-0000-4000-8000-%012x', @from + i, @from + i) AS sale_id
                 FROM n),
         t AS (SELECT *, strftime('%Y-%m-%dT11:%M:%S.000Z', day, printf('+%d seconds', (i - 1) % @perDay)) AS at FROM s)
         INSERT INTO outbox (seq, mutation_id, kind, payload, created_at, status, account_id, delta, spend, day_key, week_key, month_key, offline)
         SELECT seq, printf('%08x-0000-4000-9000-%012x', seq, seq), 'sale.record',
                json_object('payment', 'card', 'saleId', sale_id, 'cardNumber', card, 'accountId', account, 'locationId', @loc,
                            'staffId', @staff, 'at', at,
                            'lines', json_array(json_object('productId', @p1, 'name', 'Frikadeller med kartofler', 'categoryId', 'c-bench-1', 'qty', 1, 'unitPrice', 2500),
                                                json_object('productId', @p2, 'name', 'Minimælk', 'categoryId', 'c-bench-5', 'qty', 1, 'unitPrice', 1000)),
                            'total', 3500, 'offline', json('false')),
                at, 'applied', account, -3500, 3500, day, strftime('%Y-W%W', day), strftime('%Y-%m', day), 0
           FROM t`,
      ).run(params)
      // A store from before cash sales (migration 0008) has no payment column: the same sales without it.
      const payment = (db.prepare('SELECT 1 FROM pragma_table_info(?) WHERE name = ?').get('sales', 'payment') !== undefined)
      db.prepare(
        `INSERT INTO sales (id, seq, at, card_number, account_id, staff_id, total, offline, day_key, week_key, month_key${payment ? ', payment' : ''})
         SELECT json_extract(payload, '$.saleId'), seq, created_at, json_extract(payload, '$.cardNumber'), account_id, @staff, 3500, 0,
                day_key, week_key, month_key${payment ? ", 'card'" : ''}
           FROM outbox WHERE seq > @from`,
      ).run({ from, staff: opts.staffId })
      db.prepare(
        `INSERT INTO sale_lines (sale_id, line_no, product_id, name, category_id, qty, unit_price)
         SELECT s.id, l.no, l.product, l.name, l.category, 1, l.price
           FROM sales s,
                (SELECT 1 AS no, @p1 AS product, 'Frikadeller med kartofler' AS name, 'c-bench-1' AS category, 2500 AS price
                 UNION ALL SELECT 2, @p2, 'Minimælk', 'c-bench-5', 1000) l
          WHERE s.seq > @from`,
      ).run({ from, p1: opts.productIds[0], p2: opts.productIds[1] })
      const maxSeq = from + sales
      db.prepare(`INSERT INTO settings (key, value) VALUES ('acked_seq', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(String(maxSeq))
    })()
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n
    const h: History = {
      sales: count('SELECT COUNT(*) AS n FROM sales'),
      lines: count('SELECT COUNT(*) AS n FROM sale_lines'),
      outbox: count('SELECT COUNT(*) AS n FROM outbox'),
      maxSeq: count('SELECT MAX(seq) AS n FROM outbox'),
    }
    db.pragma('wal_checkpoint(TRUNCATE)')
    return h
  } finally {
    db.close()
  }
}
