/**
 * The day's report exported as CSV (src/composables/day-report.ts, the renderer's code) checked
 * against the sales the till actually stored: the report is read by the core (store/reports.ts)
 * from a till database with card, cash, offline, voided and server-rejected sales, and every
 * figure of the file is summed again from the sales themselves.
 */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { afterEach, describe, expect, it } from 'vitest'
import { openDb, type Db } from '../../electron/core/store/db'
import { xReport } from '../../electron/core/store/reports'
import { seedCanteen } from '../support/core'
import { periodKeys } from '../../domain/periods'
import { kronerText, parseKroner, reportCsv, reportFileName, type CSV_COLUMNS } from '../../src/composables/day-report'

const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))

interface Line {
  productId: string
  name: string
  categoryId: string
  qty: number
  unitPrice: number
}
const LUNCH: Line = { productId: 'p-lunch', name: 'Frikadeller', categoryId: 'cat-hot', qty: 1, unitPrice: 3500 }
const MILK: Line = { productId: 'p-milk', name: 'Minimælk', categoryId: 'cat-drink', qty: 1, unitPrice: 800 }

interface Stored {
  id: string
  at: string
  payment: 'card' | 'cash'
  offline: boolean
  lines: Line[]
  status: 'pending' | 'applied' | 'rejected'
  voided?: 'pending' | 'applied' | 'rejected'
}

/** Writes sales (and voids) as the till's handlers do: a sale row, its lines, its outbox row. */
function store(db: Db, sales: Stored[]): void {
  for (const s of sales) {
    const k = periodKeys(new Date(s.at))
    const total = s.lines.reduce((n, l) => n + l.qty * l.unitPrice, 0)
    const seq = Number(
      db.prepare(`INSERT INTO outbox (mutation_id, kind, payload, created_at, status) VALUES (?, 'sale.record', '{}', ?, ?)`).run(randomUUID(), s.at, s.status).lastInsertRowid,
    )
    const card = s.payment === 'card'
    db.prepare(
      `INSERT INTO sales (id, seq, at, card_number, account_id, staff_id, total, offline, day_key, week_key, month_key, payment) VALUES (?, ?, ?, ?, ?, 's-mette', ?, ?, ?, ?, ?, ?)`,
    ).run(s.id, seq, s.at, card ? 'DEMO0001' : null, card ? 'a-1' : null, total, s.offline ? 1 : 0, k.day, k.week, k.month, s.payment)
    s.lines.forEach((l, i) =>
      db.prepare('INSERT INTO sale_lines (sale_id, line_no, product_id, name, category_id, qty, unit_price) VALUES (?, ?, ?, ?, ?, ?, ?)').run(s.id, i + 1, l.productId, l.name, l.categoryId, l.qty, l.unitPrice),
    )
    if (s.voided) {
      const vseq = Number(
        db.prepare(`INSERT INTO outbox (mutation_id, kind, payload, created_at, status) VALUES (?, 'sale.void', '{}', ?, ?)`).run(randomUUID(), s.at, s.voided).lastInsertRowid,
      )
      db.prepare(`INSERT INTO sale_voids (sale_id, seq, reason, authorised_by, cashier_id, voided_at) VALUES (?, ?, 'Forkert vare', 's-jonas', 's-mette', ?)`).run(s.id, vseq, s.at)
    }
  }
}

const total = (s: Stored) => s.lines.reduce((n, l) => n + l.qty * l.unitPrice, 0)

describe('the day report as CSV', () => {
  it('states exactly the sales of the day: per product, per category, per payment, voids, offline, set aside, and the cash count', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kantine-csv-'))
    dirs.push(dir)
    const db = openDb(dir)
    seedCanteen(db)
    const at = (hhmm: string) => `2026-03-02T${hhmm}:00.000Z`
    const sales: Stored[] = [
      { id: randomUUID(), at: at('10:00'), payment: 'card', offline: false, lines: [LUNCH, { ...MILK, qty: 2 }], status: 'applied' },
      { id: randomUUID(), at: at('10:05'), payment: 'card', offline: true, lines: [LUNCH], status: 'applied' },
      { id: randomUUID(), at: at('10:10'), payment: 'cash', offline: false, lines: [{ ...MILK, qty: 3 }], status: 'applied' },
      // Voided: a void, not a sale.
      { id: randomUUID(), at: at('10:15'), payment: 'card', offline: false, lines: [{ ...LUNCH, qty: 2 }], status: 'applied', voided: 'applied' },
      // A void the server set aside gave nothing back: the sale stands.
      { id: randomUUID(), at: at('10:20'), payment: 'card', offline: false, lines: [MILK], status: 'applied', voided: 'rejected' },
      // Set aside by the server: no money was taken, not in the totals.
      { id: randomUUID(), at: at('10:25'), payment: 'card', offline: true, lines: [LUNCH], status: 'rejected' },
      // Another day.
      { id: randomUUID(), at: '2026-03-01T10:00:00.000Z', payment: 'cash', offline: false, lines: [LUNCH], status: 'applied' },
    ]
    store(db, sales)
    const report = xReport(db, { day: '2026-03-02', tillName: 'Kasse 1', at: at('15:00'), by: { staffId: 's-jonas', name: 'Jonas Berg' }, countedCash: 54_000, openingFloat: 50_000 })
    db.close()

    const csv = reportCsv(report, (k) => `label:${k}`)
    expect(csv.startsWith('\uFEFF')).toBe(true)
    const records = parse(csv, { bom: true, columns: true }) as Record<(typeof CSV_COLUMNS)[number], string>[]
    const row = (section: string, id: string) => records.find((r) => r.section === section && r.id === id)
    const ore = (s: string | undefined) => (s === undefined || s === '' ? null : parseKroner(s))

    // Recomputed from the sales themselves.
    const today = sales.filter((s) => s.at.startsWith('2026-03-02'))
    const kept = today.filter((s) => s.status !== 'rejected' && s.voided !== 'applied')
    const sum = (xs: Stored[]) => xs.reduce((n, s) => n + total(s), 0)
    const expectRow = (id: string, xs: Stored[]) => {
      expect(Number(row('total', id)!.count)).toBe(xs.length)
      expect(ore(row('total', id)!.amount_dkk)).toBe(sum(xs))
    }
    expectRow('sales', kept)
    expectRow('card', kept.filter((s) => s.payment === 'card'))
    expectRow('cash', kept.filter((s) => s.payment === 'cash'))
    expectRow('offline', kept.filter((s) => s.offline))
    expectRow('voids', today.filter((s) => s.voided === 'applied'))
    expectRow('rejected', today.filter((s) => s.status === 'rejected'))

    for (const p of [LUNCH, MILK]) {
      const lines = kept.flatMap((s) => s.lines).filter((l) => l.productId === p.productId)
      expect(row('product', p.productId)).toMatchObject({ name: p.name, count: String(lines.reduce((n, l) => n + l.qty, 0)) })
      expect(ore(row('product', p.productId)!.amount_dkk)).toBe(lines.reduce((n, l) => n + l.qty * l.unitPrice, 0))
    }
    expect(records.filter((r) => r.section === 'category').map((r) => [r.id, r.name, ore(r.amount_dkk)])).toEqual([
      ['cat-hot', 'Varm mad', 7000],
      ['cat-drink', 'Drikkevarer', 1600 + 2400 + 800],
    ])
    // Products and categories each add up to the sales.
    const sumOf = (section: string) => records.filter((r) => r.section === section).reduce((n, r) => n + ore(r.amount_dkk)!, 0)
    expect(sumOf('product')).toBe(sum(kept))
    expect(sumOf('category')).toBe(sum(kept))
    expect(records.filter((r) => r.section === 'void')).toHaveLength(2)

    // The drawer: its float, then the whole drawer counted against float + cash sales.
    expect(ore(row('cash', 'float')!.amount_dkk)).toBe(50_000)
    expect(ore(row('cash', 'counted')!.amount_dkk)).toBe(54_000)
    expect(ore(row('cash', 'expected')!.amount_dkk)).toBe(52_400)
    expect(ore(row('cash', 'difference')!.amount_dkk)).toBe(1600)
    expect(row('report', 'day')!.name).toBe('2026-03-02')
    expect(reportFileName(report)).toBe('x-rapport-2026-03-02.csv')
  })

  it('writes øre exactly and reads kroner as a Danish cashier types them', () => {
    expect([0, 5, 50, 1999, -50, 123456789].map(kronerText)).toEqual(['0.00', '0.05', '0.50', '19.99', '-0.50', '1234567.89'])
    expect(['250', '1.234,50', '1234,5', '1234.50', ' 12 kr. ', '0,05'].map(parseKroner)).toEqual([25000, 123450, 123450, 123450, 1200, 5])
    for (const bad of ['', '-5', 'abc', '1,234', '12.345.6', '1.5.0', '2000000']) expect(parseKroner(bad), bad).toBeNull()
  })
})
