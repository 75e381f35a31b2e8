import { randomUUID } from 'node:crypto'
import { parse } from 'csv-parse/sync'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Mutation } from '../../domain/sync'
import { serverSuite } from '../../test/support/server-suite'
import { enrolTill, pushAs, sale, type Fixture, type Till } from '../../test/support/server'
import { kronerText, REPORT_CSV_COLUMNS } from './reports'
import { addStaff, managerApi, managerSession, type ManagerSession } from '../../test/support/manager'

type Result = { status: string; reason: string | null }
const outcomes = (body: { results: Result[] }) => body.results.map((r) => (r.status === 'applied' ? 'applied' : `rejected ${r.reason}`))

/** A guest's cash sale as a till's outbox holds it. */
function cashSale(f: Fixture, seq: number, o: { at: string; staffId: string; qty: number; locationId?: string }): Mutation {
  const lines = [{ ...f.products.bun, qty: o.qty }]
  return {
    seq,
    id: randomUUID(),
    kind: 'sale.record',
    payload: { payment: 'cash', saleId: randomUUID(), locationId: o.locationId ?? f.locationId, staffId: o.staffId, at: o.at, lines, total: f.products.bun.unitPrice * o.qty, offline: false },
  }
}

function voidOf(seq: number, sold: Mutation, authorisedBy: string, reason: string): Mutation {
  if (sold.kind !== 'sale.record' || sold.payload.payment === 'cash') throw new Error('voidOf: not a card sale')
  return {
    seq,
    id: randomUUID(),
    kind: 'sale.void',
    payload: { saleId: sold.payload.saleId, accountId: sold.payload.accountId, reason, authorisedBy, voidedAt: new Date(new Date(sold.payload.at).getTime() + 5 * 60_000).toISOString() },
  }
}

const report = (s: ReturnType<typeof serverSuite>, m: ManagerSession, query: string) => managerApi(s.server, m, 'GET', `/manager/reports?${query}`)

describe('the manager’s sales report', () => {
  const s = serverSuite({ rateLimits: false })
  beforeAll(() => s.clock.set('2026-11-26T12:00:00.000Z'))

  /**
   * A manager of both canteens, a till in each, two cashiers, and a few days of sales:
   * 24 Nov (Copenhagen): Karen 35 kr (card), Kim 20 kr of sweets at 00:30 (23:30 UTC the day before);
   * 25 Nov: Kim 30 kr cash, Karen 15 kr at 00:30, Kim 15 kr at canteen B; a 20 kr sale voided;
   * 22 Nov: a sale outside the period.
   */
  async function story() {
    const first = await s.canteen('Kasse A')
    const { f } = first
    const m = await managerSession(s, { canteen: first, name: 'Leder Lise', locationIds: [f.locationId, f.otherLocationId] })
    const tillB: Till = await enrolTill(s.server, f.otherLocationId, 'Kasse B')
    const kim = await addStaff(s, f, { name: 'Kasse Kim', roles: ['cashier'], locationIds: [f.locationId, f.otherLocationId] })
    const karen = f.staffId
    // Canteen A takes cash from guests (the manager's setting for the canteen).
    expect((await managerApi(s.server, m, 'PUT', `/manager/canteens/${f.locationId}/cash`, { body: { allowed: true } })).status).toBe(200)
    const voided = sale(f, 4, { lines: [f.products.cola], at: '2026-11-25T10:00:00.000Z', staffId: karen })
    const a = [
      sale(f, 1, { lines: [f.products.bun, f.products.cola], at: '2026-11-24T09:00:00.000Z', staffId: karen }),
      sale(f, 2, { lines: [{ ...f.products.candy, qty: 2 }], at: '2026-11-23T23:30:00.000Z', staffId: kim.staffId }),
      cashSale(f, 3, { at: '2026-11-25T10:00:00.000Z', staffId: kim.staffId, qty: 2 }),
      voided,
      sale(f, 5, { lines: [f.products.bun], at: '2026-11-24T23:30:00.000Z', staffId: karen }),
      sale(f, 6, { lines: [f.products.bun], at: '2026-11-22T12:00:00.000Z', staffId: karen }),
    ]
    expect(outcomes((await pushAs(s.server, first.till, a)).body)).toEqual(a.map(() => 'applied'))
    expect(outcomes((await pushAs(s.server, first.till, [voidOf(7, voided, m.staffId, 'Forkert vare')])).body)).toEqual(['applied'])
    const b = [sale(f, 1, { lines: [f.products.bun], at: '2026-11-25T11:00:00.000Z', staffId: kim.staffId, locationId: f.otherLocationId })]
    expect(outcomes((await pushAs(s.server, tillB, b)).body)).toEqual(['applied'])
    const saleId = (mutation: Mutation) => (mutation.payload as { saleId: string }).saleId
    return { f, m, tillA: first.till, tillB, kim, karen, voidedId: saleId(voided) }
  }

  it('counts the tills’ sales per product, category, till, cashier and Copenhagen day; a void is listed and subtracted', async () => {
    const { f, m, tillA, tillB, kim, karen, voidedId } = await story()
    const r = await report(s, m, 'from=2026-11-23&to=2026-11-25')
    expect(r.status).toBe(200)
    expect(r.body).toEqual({
      from: '2026-11-23',
      to: '2026-11-25',
      locationIds: [f.locationId, f.otherLocationId].sort(),
      totals: { sales: 5, amount: 11500, voids: 1, voidAmount: 2000, cash: 3000, card: 8500 },
      perDay: [
        { day: '2026-11-23', sales: 0, amount: 0 },
        { day: '2026-11-24', sales: 2, amount: 5500 },
        { day: '2026-11-25', sales: 3, amount: 6000 },
      ],
      byProduct: [
        { productId: f.products.bun.productId, name: 'Bolle med ost', quantity: 5, amount: 7500 },
        { productId: f.products.cola.productId, name: 'Cola', quantity: 1, amount: 2000 },
        { productId: f.products.candy.productId, name: 'Slikpose', quantity: 2, amount: 2000 },
      ],
      byCategory: [
        { categoryId: f.products.bun.categoryId, name: 'Mad', quantity: 6, amount: 9500 },
        { categoryId: f.products.candy.categoryId, name: 'Slik', quantity: 2, amount: 2000 },
      ],
      byTill: [
        { terminalId: tillA.terminalId, name: 'Kasse A', sales: 4, amount: 10000 },
        { terminalId: tillB.terminalId, name: 'Kasse B', sales: 1, amount: 1500 },
      ],
      byCashier: [
        { staffId: kim.staffId, name: 'Kasse Kim', sales: 3, amount: 6500 },
        { staffId: karen, name: 'Kasse Karen', sales: 2, amount: 5000 },
      ],
      voids: [
        {
          saleId: voidedId,
          soldAt: '2026-11-25T10:00:00.000Z',
          at: '2026-11-25T10:05:00.000Z',
          amount: 2000,
          by: 'Leder Lise',
          byStaffId: m.staffId,
          terminalId: tillA.terminalId,
          reason: 'Forkert vare',
        },
      ],
    })

    // One canteen; one day (the sale at 00:30 on the 25th is the 25th's, the one at 00:30 on the 24th the 24th's).
    expect((await report(s, m, `from=2026-11-23&to=2026-11-25&locationId=${f.otherLocationId}`)).body).toMatchObject({
      locationIds: [f.otherLocationId],
      totals: { sales: 1, amount: 1500, voids: 0, voidAmount: 0, cash: 0, card: 1500 },
      byTill: [{ terminalId: tillB.terminalId, sales: 1, amount: 1500 }],
    })
    expect((await report(s, m, 'from=2026-11-24&to=2026-11-24')).body).toMatchObject({ totals: { sales: 2, amount: 5500 }, perDay: [{ day: '2026-11-24', sales: 2, amount: 5500 }] })
    expect((await report(s, m, 'from=2026-11-22&to=2026-11-22')).body).toMatchObject({ totals: { sales: 1, amount: 1500 } })
    expect((await report(s, m, 'from=2026-11-26&to=2026-11-26')).body).toMatchObject({ totals: { sales: 0, amount: 0, voids: 0 }, byProduct: [], voids: [] })
  })

  it('cuts days at Copenhagen midnight, also across the change to summer time (a day of 23 hours)', async () => {
    const first = await s.canteen()
    const { f, till } = first
    const m = await managerSession(s, { canteen: first })
    const at = [
      '2026-03-28T22:59:00.000Z', // 28 March 23:59 (CET)
      '2026-03-28T23:00:00.000Z', // 29 March 00:00 (CET)
      '2026-03-29T21:59:00.000Z', // 29 March 23:59 (CEST)
      '2026-03-29T22:00:00.000Z', // 30 March 00:00 (CEST)
    ]
    const pushed = await pushAs(s.server, till, at.map((when, i) => sale(f, i + 1, { lines: [f.products.bun], at: when })))
    expect(outcomes(pushed.body)).toEqual(at.map(() => 'applied'))
    expect((await report(s, m, 'from=2026-03-28&to=2026-03-30')).body.perDay).toEqual([
      { day: '2026-03-28', sales: 1, amount: 1500 },
      { day: '2026-03-29', sales: 2, amount: 3000 },
      { day: '2026-03-30', sales: 1, amount: 1500 },
    ])
  })

  it('the CSV has the same lines and numbers', async () => {
    const { m } = await story()
    const json = (await report(s, m, 'from=2026-11-23&to=2026-11-25')).body
    const r = await managerApi(s.server, m, 'GET', '/manager/reports.csv?from=2026-11-23&to=2026-11-25')
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(r.headers.get('content-disposition')).toBe('attachment; filename="kantine-salg-2026-11-23-2026-11-25.csv"')
    const rows = parse(r.body as string, { delimiter: ';', columns: true, bom: true }) as Record<(typeof REPORT_CSV_COLUMNS)[number], string>[]
    expect(Object.keys(rows[0]!)).toEqual([...REPORT_CSV_COLUMNS])
    const section = (name: string) => rows.filter((row) => row.section === name)
    const kr = kronerText
    expect(section('total').map((t) => [t.id, t.sales, t.amount])).toEqual([
      ['sales', String(json.totals.sales), kr(json.totals.amount)],
      ['voids', String(json.totals.voids), kr(json.totals.voidAmount)],
      ['cash', '', kr(json.totals.cash)],
      ['card', '', kr(json.totals.card)],
    ])
    expect(section('total')[0]!.amount).toBe('115,00')
    expect(section('day').map((d) => [d.day, Number(d.sales), d.amount])).toEqual(json.perDay.map((d: { day: string; sales: number; amount: number }) => [d.day, d.sales, kr(d.amount)]))
    expect(section('product').map((p) => [p.id, p.name, Number(p.quantity), p.amount])).toEqual(
      json.byProduct.map((p: { productId: string; name: string; quantity: number; amount: number }) => [p.productId, p.name, p.quantity, kr(p.amount)]),
    )
    expect(section('category').map((c) => [c.id, c.name, Number(c.quantity), c.amount])).toEqual(
      json.byCategory.map((c: { categoryId: string; name: string; quantity: number; amount: number }) => [c.categoryId, c.name, c.quantity, kr(c.amount)]),
    )
    expect(section('till').map((t) => [t.id, t.name, Number(t.sales), t.amount])).toEqual(
      json.byTill.map((t: { terminalId: string; name: string; sales: number; amount: number }) => [t.terminalId, t.name, t.sales, kr(t.amount)]),
    )
    expect(section('cashier').map((c) => [c.id, c.name, Number(c.sales), c.amount])).toEqual(
      json.byCashier.map((c: { staffId: string; name: string; sales: number; amount: number }) => [c.staffId, c.name, c.sales, kr(c.amount)]),
    )
    expect(section('void').map((v) => [v.id, v.name, v.day, v.amount, v.at, v.reason])).toEqual([[json.voids[0].saleId, 'Leder Lise', '2026-11-25', '20,00', json.voids[0].at, 'Forkert vare']])
  })

  it('a canteen not the manager’s is 403; an unknown or another municipality’s canteen is 404', async () => {
    const { f, m } = await story()
    const onlyA = await managerSession(s, { canteen: { f, till: m.terminal } })
    expect(await report(s, onlyA, `from=2026-11-23&to=2026-11-25&locationId=${f.otherLocationId}`)).toMatchObject({ status: 403, body: { error: 'canteen-not-yours' } })
    expect(await managerApi(s.server, onlyA, 'GET', `/manager/reports.csv?from=2026-11-23&to=2026-11-25&locationId=${f.otherLocationId}`)).toMatchObject({
      status: 403,
      body: { error: 'canteen-not-yours' },
    })
    // By default a manager of canteen A sees canteen A only.
    expect((await report(s, onlyA, 'from=2026-11-23&to=2026-11-25')).body).toMatchObject({ locationIds: [f.locationId], totals: { sales: 4, amount: 10000 } })
    const elsewhere = await managerSession(s)
    for (const locationId of ['loc-nowhere', elsewhere.locationId]) {
      expect(await report(s, m, `from=2026-11-23&to=2026-11-25&locationId=${locationId}`)).toMatchObject({ status: 404, body: { error: 'location-unknown' } })
    }
    // Another municipality's manager sees none of these sales.
    expect((await report(s, elsewhere, 'from=2026-11-23&to=2026-11-25')).body).toMatchObject({ totals: { sales: 0, amount: 0, voids: 0 }, byProduct: [], voids: [] })
  })

  it('refuses a bad period: from after to, more than 366 days, not a date (400)', async () => {
    const m = await managerSession(s)
    for (const query of ['from=2026-11-25&to=2026-11-24', 'from=2025-01-01&to=2026-01-02', 'from=2026-02-30&to=2026-03-01', 'from=24-11-2026&to=2026-11-25', 'from=2026-11-24&to=']) {
      expect(await report(s, m, query), query).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^(period-invalid|bad-request)$/) } })
    }
    expect(await report(s, m, 'from=2026-11-25&to=2026-11-24')).toMatchObject({ body: { error: 'period-invalid' } })
    expect(await report(s, m, 'from=2025-01-01&to=2026-01-02')).toMatchObject({ body: { error: 'period-invalid' } })
    for (const query of ['from=2026-11-24', 'to=2026-11-24', 'from=2026-11-24&to=2026-11-24&extra=1', `from=2026-11-24&to=2026-11-24&locationId=${'x'.repeat(65)}`]) {
      expect(await report(s, m, query), query).toMatchObject({ status: 400, body: { error: 'bad-request' } })
    }
    // A leap year is 366 days: allowed.
    const year = await report(s, m, 'from=2024-01-01&to=2024-12-31')
    expect(year.status).toBe(200)
    expect(year.body.perDay).toHaveLength(366)
  })
})
