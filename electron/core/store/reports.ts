/**
 * The day's report of this till (X and Z reports, issue 14), read from the till's own sales.
 *
 * What counts: a sale of the day (its Copenhagen `day_key`) that the server has not set aside.
 * A voided sale counts as a void, not a sale, unless the server set the void aside (then nothing
 * was given back, and the sale stands). An outbox row pruned after its day was closed counts as
 * sent: only acknowledged rows are ever pruned.
 *
 * Z numbers: 1, 2, 3 … per till without gaps. The next number is read and written in the same
 * IMMEDIATE transaction as the `day.close` outbox row (handlers/report.ts), and migration 0009's
 * trigger refuses any other number, so neither a crash nor a second tap leaves a gap or a double.
 */
import type { DayReport, ReportDay, ReportLine, ReportVoid } from '../api/areas/report'
import type { DayClosePayload, DayTotals } from '../../../domain/sync'
import { stmt, type Db } from './db'

const SYNC = (status: string | null): 'pending' | 'sent' | 'rejected' => (status === 'rejected' ? 'rejected' : status === 'pending' ? 'pending' : 'sent')

/**
 * The day's sales with what the report needs of each. `kept`: counts as a sale; `voided`: counts
 * as a void; neither: set aside by the server. One statement, reused by every figure below.
 */
const DAY_SALES = /* sql */ `
  WITH day_sales AS (
    SELECT s.id, s.total, s.offline, s.payment,
           COALESCE(o.status, 'applied') = 'rejected' AS rejected,
           EXISTS (SELECT 1 FROM sale_voids v LEFT JOIN outbox vo ON vo.seq = v.seq
                    WHERE v.sale_id = s.id AND COALESCE(vo.status, 'applied') <> 'rejected') AS voided
      FROM sales s LEFT JOIN outbox o ON o.seq = s.seq
     WHERE s.day_key = ?
  ),
  kept AS (SELECT * FROM day_sales WHERE NOT rejected AND NOT voided)`

interface TotalsRow {
  salesCount: number
  salesAmount: number
  voidsCount: number
  voidsAmount: number
  cardCount: number
  cardAmount: number
  cashCount: number
  cashAmount: number
  offlineCount: number
  offlineAmount: number
  rejectedCount: number
  rejectedAmount: number
}

function dayTotals(db: Db, day: string): { totals: DayTotals; rejected: { count: number; amount: number } } {
  const r = db
    .prepare(
      `${DAY_SALES}
       SELECT (SELECT COUNT(*) FROM kept) AS salesCount,
              (SELECT COALESCE(SUM(total), 0) FROM kept) AS salesAmount,
              (SELECT COUNT(*) FROM day_sales WHERE voided AND NOT rejected) AS voidsCount,
              (SELECT COALESCE(SUM(total), 0) FROM day_sales WHERE voided AND NOT rejected) AS voidsAmount,
              (SELECT COUNT(*) FROM kept WHERE payment = 'card') AS cardCount,
              (SELECT COALESCE(SUM(total), 0) FROM kept WHERE payment = 'card') AS cardAmount,
              (SELECT COUNT(*) FROM kept WHERE payment = 'cash') AS cashCount,
              (SELECT COALESCE(SUM(total), 0) FROM kept WHERE payment = 'cash') AS cashAmount,
              (SELECT COUNT(*) FROM kept WHERE offline = 1) AS offlineCount,
              (SELECT COALESCE(SUM(total), 0) FROM kept WHERE offline = 1) AS offlineAmount,
              (SELECT COUNT(*) FROM day_sales WHERE rejected) AS rejectedCount,
              (SELECT COALESCE(SUM(total), 0) FROM day_sales WHERE rejected) AS rejectedAmount`,
    )
    .get(day) as TotalsRow
  const { rejectedCount, rejectedAmount, ...totals } = r
  return { totals, rejected: { count: rejectedCount, amount: rejectedAmount } }
}

function byProduct(db: Db, day: string): ReportLine[] {
  return db
    .prepare(
      `${DAY_SALES}
       SELECT l.product_id AS id, MAX(l.name) AS name, SUM(l.qty) AS qty, SUM(l.qty * l.unit_price) AS amount
         FROM sale_lines l JOIN kept k ON k.id = l.sale_id
        GROUP BY l.product_id ORDER BY name, id`,
    )
    .all(day) as ReportLine[]
}

function byCategory(db: Db, day: string): ReportLine[] {
  return db
    .prepare(
      `${DAY_SALES}
       SELECT l.category_id AS id, COALESCE(c.name, l.category_id) AS name, SUM(l.qty) AS qty, SUM(l.qty * l.unit_price) AS amount
         FROM sale_lines l JOIN kept k ON k.id = l.sale_id LEFT JOIN categories c ON c.id = l.category_id
        GROUP BY l.category_id ORDER BY COALESCE(c.sort, 1e9), name`,
    )
    .all(day) as ReportLine[]
}

function voidsOf(db: Db, day: string): ReportVoid[] {
  const rows = db
    .prepare(
      `SELECT v.sale_id, s.at, v.voided_at, s.total, v.reason, COALESCE(st.name, v.authorised_by) AS authorised_by, vo.status
         FROM sale_voids v JOIN sales s ON s.id = v.sale_id
         LEFT JOIN outbox vo ON vo.seq = v.seq LEFT JOIN staff st ON st.id = v.authorised_by
        WHERE s.day_key = ? ORDER BY v.voided_at, v.sale_id`,
    )
    .all(day) as { sale_id: string; at: string; voided_at: string; total: number; reason: string; authorised_by: string; status: string | null }[]
  return rows.map((r) => ({
    saleId: r.sale_id,
    soldAt: r.at,
    voidedAt: r.voided_at,
    total: r.total,
    reason: r.reason,
    authorisedBy: r.authorised_by,
    sync: SYNC(r.status),
  }))
}

/** Mutations other than day closes still waiting to be sent: sales and voids the server has not answered. */
/**
 * What still waits to reach the server: pending outbox rows, and pickup hand-outs still held in
 * their undo window (store/orders.ts: they get their outbox row when the window ends).
 */
export function pendingUploads(db: Db): { count: number; oldestAt: string | null } {
  return stmt(
    db,
    `SELECT COUNT(*) AS count, MIN(at) AS oldestAt FROM (
       SELECT created_at AS at FROM outbox WHERE status = 'pending' AND kind <> 'day.close'
       UNION ALL SELECT at FROM order_handouts WHERE seq IS NULL)`,
  ).get() as { count: number; oldestAt: string | null }
}

export interface ReportInput {
  day: string
  tillName: string
  at: string
  by: { staffId: string; name: string }
  countedCash: number | null
  /** The change the drawer held when the day began: it should hold this plus the cash sales. */
  openingFloat: number
}

/** An X report of the day as the till holds it now. Expected cash and the difference stay blind until a count is given. */
export function xReport(db: Db, input: ReportInput): DayReport {
  const { totals, rejected } = dayTotals(db, input.day)
  const counted = input.countedCash
  return {
    kind: 'X',
    number: null,
    day: input.day,
    tillName: input.tillName,
    at: input.at,
    by: input.by,
    totals,
    byProduct: byProduct(db, input.day),
    byCategory: byCategory(db, input.day),
    voids: voidsOf(db, input.day),
    rejected,
    cash: drawer(input.openingFloat, totals.cashAmount, counted),
    pending: pendingUploads(db),
    afterClose: null,
    sync: null,
  }
}

/**
 * The drawer as the report states it: the float always; what it should hold (float + cash sales)
 * and the difference only once it is counted, so the count is blind.
 */
function drawer(float: number, cashSales: number, counted: number | null): DayReport['cash'] {
  if (counted === null) return { float, counted: null, expected: null, difference: null }
  const expected = float + cashSales
  return { float, counted, expected, difference: counted - expected }
}

interface ZRow {
  number: number
  seq: number
  day_key: string
  report: string
  status: string | null
  reason: string | null
  flags: string | null
}

/** The day's Z report as it was closed, with its upload's state now; null if the day is open. */
export function zReportOf(db: Db, day: string): DayReport | null {
  const row = db
    .prepare(
      `SELECT z.number, z.seq, z.day_key, z.report, o.status, o.reason, o.flags FROM z_reports z LEFT JOIN outbox o ON o.seq = z.seq WHERE z.day_key = ?`,
    )
    .get(day) as ZRow | undefined
  if (!row) return null
  const stored = JSON.parse(row.report) as DayReport
  // A Z report closed before the float was asked for has none: its count was of the takings.
  const report: DayReport = { ...stored, cash: { ...stored.cash, float: stored.cash.float ?? 0 } }
  const late = db
    .prepare(
      `SELECT COUNT(*) AS count, COALESCE(SUM(s.total), 0) AS amount FROM sales s LEFT JOIN outbox o ON o.seq = s.seq
        WHERE s.day_key = ? AND s.seq > ? AND COALESCE(o.status, 'applied') <> 'rejected'`,
    )
    .get(row.day_key, row.seq) as { count: number; amount: number }
  return { ...report, afterClose: late, sync: { status: SYNC(row.status), reason: row.reason, flags: row.flags ? (JSON.parse(row.flags) as string[]) : [] } }
}

export const nextZNumber = (db: Db): number => (db.prepare('SELECT COALESCE(MAX(number), 0) + 1 AS n FROM z_reports').get() as { n: number }).n

/**
 * Writes the Z report and its `day.close` outbox row. The caller holds an IMMEDIATE transaction
 * in which it read `nextZNumber` and checked nothing is pending; `report.number` is that number.
 * Returns the outbox seq.
 */
export function insertZReport(db: Db, mutationId: string, report: DayReport & { kind: 'Z'; number: number }, counted: number): number {
  // What the server checks against its own cash sales: the takings, without the float.
  const expected = report.totals.cashAmount
  const payload: DayClosePayload = {
    number: report.number,
    day: report.day,
    closedAt: report.at,
    closedBy: report.by.staffId,
    totals: report.totals,
    countedCash: counted,
    expectedCash: expected,
    openingFloat: report.cash.float,
  }
  const { lastInsertRowid } = db
    .prepare(`INSERT INTO outbox (mutation_id, kind, payload, created_at) VALUES (?, 'day.close', ?, ?)`)
    .run(mutationId, JSON.stringify(payload), report.at)
  const seq = Number(lastInsertRowid)
  db.prepare(
    `INSERT INTO z_reports (number, day_key, seq, closed_at, closed_by, counted_cash, expected_cash, report) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(report.number, report.day, seq, report.at, report.by.staffId, counted, expected, JSON.stringify({ ...report, afterClose: null, sync: null }))
  return seq
}

/** Days with sales or a Z report, newest first (at most `limit`). */
export function reportDays(db: Db, limit: number): ReportDay[] {
  return db
    .prepare(
      `WITH days AS (SELECT day_key FROM (SELECT DISTINCT day_key FROM sales ORDER BY day_key DESC LIMIT ?)
                     UNION SELECT day_key FROM (SELECT day_key FROM z_reports ORDER BY day_key DESC LIMIT ?))
       SELECT d.day_key AS day, z.number AS number, (SELECT COUNT(*) FROM sales s WHERE s.day_key = d.day_key) AS salesCount
         FROM days d LEFT JOIN z_reports z ON z.day_key = d.day_key
        ORDER BY d.day_key DESC LIMIT ?`,
    )
    .all(limit, limit, limit) as ReportDay[]
}
