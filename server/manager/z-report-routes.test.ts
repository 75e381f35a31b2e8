/**
 * The tills' Z reports for the manager (z-report-routes.ts): a till pushes its `day.close` as a
 * till's outbox does, and the manager sees it as the server stored it, the server's mismatch
 * included; the period and the canteens are checked.
 */
import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import type { DayClosePayload, DayTotals, Mutation } from '../../domain/sync'
import { enrolTill, pushAs, sale } from '../../test/support/server'
import { serverSuite } from '../../test/support/server-suite'
import { managerApi, managerSession } from '../../test/support/manager'

const NOTHING: DayTotals = {
  salesCount: 0,
  salesAmount: 0,
  voidsCount: 0,
  voidsAmount: 0,
  cardCount: 0,
  cardAmount: 0,
  cashCount: 0,
  cashAmount: 0,
  offlineCount: 0,
  offlineAmount: 0,
}

/** A `day.close` as a till's outbox holds it. */
function closeOf(seq: number, o: Partial<DayClosePayload> = {}): Mutation {
  return {
    seq,
    id: randomUUID(),
    kind: 'day.close',
    payload: { number: 1, day: '2026-11-24', closedAt: '2026-11-24T15:00:00.000Z', closedBy: 'staff-x', totals: NOTHING, countedCash: 0, expectedCash: 0, openingFloat: 0, ...o },
  }
}

type Outcome = { status: string; reason: string | null; flags: string[] }
const outcomes = (body: { results: Outcome[] }) => body.results.map((r) => (r.status === 'applied' ? `applied${r.flags.length ? ` ${r.flags.join(',')}` : ''}` : `rejected ${r.reason}`))

describe('the manager’s list of the tills’ Z reports', () => {
  const s = serverSuite({ rateLimits: false })
  beforeAll(() => s.clock.set('2026-11-24T15:30:00.000Z'))

  /**
   * Kasse A sells a bun (card) on Monday and closes Monday agreeing with the server, then closes
   * Tuesday claiming two sales the server never got and a drawer 5 kr short. Kasse B, at the
   * municipality's other canteen, closes Tuesday too. The manager has canteen A only.
   */
  async function story() {
    const canteen = await s.canteen('Kasse A')
    const { f, till } = canteen
    const tillB = await enrolTill(s.server, f.otherLocationId, 'Kasse B')
    const bun = f.products.bun.unitPrice
    const monday: DayTotals = { ...NOTHING, salesCount: 1, salesAmount: bun, cardCount: 1, cardAmount: bun }
    const claimed: DayTotals = { ...NOTHING, salesCount: 2, salesAmount: 9900, cashCount: 2, cashAmount: 9900 }
    expect(outcomes((await pushAs(s.server, till, [sale(f, 1, { lines: [f.products.bun], at: '2026-11-23T11:00:00.000Z' })])).body)).toEqual(['applied'])
    const a = await pushAs(s.server, till, [
      closeOf(2, { number: 1, day: '2026-11-23', closedAt: '2026-11-23T15:00:00.000Z', closedBy: f.staffId, totals: monday }),
      closeOf(3, { number: 2, day: '2026-11-24', closedBy: f.staffId, totals: claimed, countedCash: 59_400, expectedCash: 9900, openingFloat: 50_000 }),
    ])
    expect(outcomes(a.body)).toEqual(['applied', 'applied totals-mismatch'])
    expect(outcomes((await pushAs(s.server, tillB, [closeOf(1)])).body)).toEqual(['applied'])
    const m = await managerSession(s, { canteen })
    return { f, m, till, tillB, monday, claimed }
  }

  it('lists each Z report as received, newest day first, with the till’s totals, the cash counted and the server’s mismatch', async () => {
    const { f, m, till, monday, claimed } = await story()
    const r = await managerApi(s.server, m, 'GET', '/manager/z-reports?from=2026-11-23&to=2026-11-24')
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ from: '2026-11-23', to: '2026-11-24', locationIds: [f.locationId] })
    expect(r.body.reports).toEqual([
      {
        terminalId: till.terminalId,
        tillName: 'Kasse A',
        locationId: f.locationId,
        number: 2,
        day: '2026-11-24',
        totals: claimed,
        serverTotals: NOTHING,
        countedCash: 59_400,
        expectedCash: 9900,
        openingFloat: 50_000,
        mismatch: true,
        closedBy: f.staffId,
        closedByName: 'Kasse Karen',
        closedAt: '2026-11-24T15:00:00.000Z',
        receivedAt: '2026-11-24T15:30:00.000Z',
      },
      expect.objectContaining({ terminalId: till.terminalId, number: 1, day: '2026-11-23', totals: monday, serverTotals: monday, mismatch: false }),
    ])
    // One day only.
    const monday1 = await managerApi(s.server, m, 'GET', '/manager/z-reports?from=2026-11-23&to=2026-11-23')
    expect(monday1.body.reports.map((z: { number: number }) => z.number)).toEqual([1])
  })

  it('defaults to the last 31 days of the manager’s own canteens, and to one canteen when asked', async () => {
    const { f, m, till } = await story()
    const r = await managerApi(s.server, m, 'GET', '/manager/z-reports')
    expect(r.status).toBe(200)
    expect([r.body.from, r.body.to]).toEqual(['2026-10-25', '2026-11-24'])
    // Kasse B's report is of a canteen that is not this manager's.
    expect(r.body.reports.map((z: { terminalId: string; number: number }) => [z.terminalId, z.number])).toEqual([
      [till.terminalId, 2],
      [till.terminalId, 1],
    ])
    const one = await managerApi(s.server, m, 'GET', `/manager/z-reports?locationId=${f.locationId}&from=2026-11-24`)
    expect([one.body.from, one.body.to, one.body.reports.length]).toEqual(['2026-11-24', '2026-11-24', 1])
  })

  it('shows a manager of both canteens both tills’ reports', async () => {
    const canteen = await s.canteen('Kasse A')
    const { f } = canteen
    const tillB = await enrolTill(s.server, f.otherLocationId, 'Kasse B')
    expect(outcomes((await pushAs(s.server, tillB, [closeOf(1, { countedCash: 100 })])).body)).toEqual(['applied'])
    const m = await managerSession(s, { canteen, locationIds: [f.locationId, f.otherLocationId] })
    const r = await managerApi(s.server, m, 'GET', '/manager/z-reports?from=2026-11-24&to=2026-11-24')
    expect(r.body.reports).toEqual([expect.objectContaining({ terminalId: tillB.terminalId, tillName: 'Kasse B', locationId: f.otherLocationId, countedCash: 100, openingFloat: 0, mismatch: false })])
  })

  it('refuses a bad period, an unknown field, another canteen of the municipality and another municipality’s canteen', async () => {
    const { f, m } = await story()
    const refused = async (query: string) => {
      const r = await managerApi(s.server, m, 'GET', `/manager/z-reports?${query}`)
      return [r.status, r.body?.error]
    }
    expect(await refused('from=2026-11-25&to=2026-11-24')).toEqual([400, 'period-invalid'])
    expect(await refused('from=2026-02-30&to=2026-03-02')).toEqual([400, 'period-invalid'])
    expect(await refused('from=2025-01-01&to=2026-11-24')).toEqual([400, 'period-invalid'])
    expect(await refused('to=yesterday')).toEqual([400, 'period-invalid'])
    expect(await refused('from=2026-11-01&terminalId=x')).toEqual([400, 'bad-request'])
    expect(await refused(`locationId=${f.otherLocationId}`)).toEqual([403, 'canteen-not-yours'])
    const { f: elsewhere } = await s.canteen()
    expect(await refused(`locationId=${elsewhere.locationId}`)).toEqual([404, 'location-unknown'])
    // 366 days is the most.
    expect((await managerApi(s.server, m, 'GET', '/manager/z-reports?from=2025-11-24&to=2026-11-24')).status).toBe(200)
    expect(await refused('from=2025-11-23&to=2026-11-24')).toEqual([400, 'period-invalid'])
  })
})
