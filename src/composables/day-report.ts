/**
 * The day's report as a file and the cash count as typed: pure functions, so the CSV a manager
 * exports is tested against the sales it came from (day-report.test.ts) and the e2e test reads
 * the same columns.
 *
 * CSV: one record per line, `section,id,name,count,amount_dkk`. Amounts in kroner with a point
 * and two decimals (øre exactly: integer arithmetic, never a float's rounding), so a spreadsheet
 * or a script reads them whatever its locale; a BOM so Excel opens the Danish letters as UTF-8.
 */
// The browser build: it carries its own Buffer (the renderer has none); the same code runs in Node tests.
import { stringify } from 'csv-stringify/browser/esm/sync'
import type { Result } from '../api/types'

type DayReport = Result<'report.day'>

export const CSV_COLUMNS = ['section', 'id', 'name', 'count', 'amount_dkk'] as const

/** øre → "1234.50" / "-0.50". */
export function kronerText(ore: number): string {
  const sign = ore < 0 ? '-' : ''
  const abs = Math.abs(ore)
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}

/** The names of the total rows, in the screen's language. */
export type TotalLabel = 'sales' | 'voids' | 'card' | 'cash' | 'offline' | 'rejected' | 'float' | 'counted' | 'expected' | 'difference' | 'pending'

export function reportRecords(r: DayReport, label: (key: TotalLabel) => string): string[][] {
  const t = r.totals
  const amount = (ore: number | null) => (ore === null ? '' : kronerText(ore))
  const rows: (string | number)[][] = [
    ['report', 'kind', r.kind, '', ''],
    ['report', 'number', r.number === null ? '' : String(r.number), '', ''],
    ['report', 'day', r.day, '', ''],
    ['report', 'till', r.tillName, '', ''],
    ['report', 'at', r.at, '', ''],
    ['report', 'by', r.by.name, '', ''],
    ['total', 'sales', label('sales'), t.salesCount, amount(t.salesAmount)],
    ['total', 'voids', label('voids'), t.voidsCount, amount(t.voidsAmount)],
    ['total', 'card', label('card'), t.cardCount, amount(t.cardAmount)],
    ['total', 'cash', label('cash'), t.cashCount, amount(t.cashAmount)],
    ['total', 'offline', label('offline'), t.offlineCount, amount(t.offlineAmount)],
    ['total', 'rejected', label('rejected'), r.rejected.count, amount(r.rejected.amount)],
    ...r.byCategory.map((c) => ['category', c.id, c.name, c.qty, amount(c.amount)]),
    ...r.byProduct.map((p) => ['product', p.id, p.name, p.qty, amount(p.amount)]),
    ...r.voids.map((v) => ['void', v.saleId, v.reason, 1, amount(v.total)]),
    ['cash', 'float', label('float'), '', amount(r.cash.float)],
    ['cash', 'counted', label('counted'), '', amount(r.cash.counted)],
    ['cash', 'expected', label('expected'), '', amount(r.cash.expected)],
    ['cash', 'difference', label('difference'), '', amount(r.cash.difference)],
    ['pending', 'uploads', label('pending'), r.pending.count, ''],
  ]
  return rows.map((row) => row.map(String))
}

export function reportCsv(r: DayReport, label: (key: TotalLabel) => string): string {
  return stringify(reportRecords(r, label), { header: true, columns: [...CSV_COLUMNS], bom: true, record_delimiter: 'windows' })
}

/** `z-rapport-0003-2026-11-24.csv`, `x-rapport-2026-11-24.csv`. */
export function reportFileName(r: DayReport): string {
  return r.kind === 'Z' ? `z-rapport-${String(r.number ?? 0).padStart(4, '0')}-${r.day}.csv` : `x-rapport-${r.day}.csv`
}

/**
 * Kroner as a person types them at a Danish till: "1.234,50", "1234,5", "1234.50", "250" → øre;
 * null for anything else (a negative, letters, three decimals, more than a million kroner).
 */
export function parseKroner(input: string): number | null {
  const s = input.trim().replace(/\s|kr\.?/gi, '')
  if (s === '') return null
  // "1.234,50": points group thousands; "1234.50": a lone point with 1–2 decimals is the decimal mark.
  const danish = /^\d{1,3}(\.\d{3})+(,\d{1,2})?$|^\d+(,\d{1,2})?$/.test(s)
  const dotted = /^\d+\.\d{1,2}$/.test(s)
  if (!danish && !dotted) return null
  const normal = danish ? s.replace(/\./g, '').replace(',', '.') : s
  const [whole, frac = ''] = normal.split('.') as [string, string?]
  const ore = Number(whole) * 100 + Number(frac.padEnd(2, '0'))
  return Number.isSafeInteger(ore) && ore <= 100_000_000 ? ore : null
}
