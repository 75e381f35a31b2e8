import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import type { DayClosePayload, DayTotals, Mutation } from '../../../domain/sync'
import { serverSuite } from '../../../test/support/server-suite'
import { pushAs, sale } from '../../../test/support/server'
import { writeCashAllowed } from '../../manager/canteen'
import { write } from '../../platform/tx'
import { copenhagenDay } from './day-close'

type Result = { seq: number; status: string; reason: string | null; flags: string[] }
const outcomes = (body: { results: Result[] }) => body.results.map((r) => (r.status === 'applied' ? `applied${r.flags.length ? ` ${r.flags.join(',')}` : ''}` : `rejected ${r.reason}`))

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
function closeOf(seq: number, o: Partial<DayClosePayload> = {}, id = randomUUID()): Mutation {
  return {
    seq,
    id,
    kind: 'day.close',
    payload: { number: 1, day: '2026-11-24', closedAt: '2026-11-24T15:00:00.000Z', closedBy: 'staff-x', totals: NOTHING, countedCash: 0, expectedCash: 0, openingFloat: 0, ...o },
  }
}

describe('a till closes its day (day.close, the Z report)', () => {
  const s = serverSuite({ rateLimits: false })
  beforeAll(() => s.clock.set('2026-11-24T15:30:00.000Z'))

  const stored = async (terminalId: string) =>
    (
      await s.db.query<{ number: number; day: string; mismatch: boolean; server_totals: DayTotals; counted_cash: string | number; opening_float: string | number }>(
        `SELECT number, to_char(day, 'YYYY-MM-DD') AS day, mismatch, server_totals, counted_cash, opening_float FROM z_reports WHERE terminal_id = $1 ORDER BY number`,
        [terminalId],
      )
    ).rows

  it('stores the Z report exactly once, with totals that agree with the server’s own sales of that till and day', async () => {
    const { f, till } = await s.canteen()
    // The canteen takes cash from guests (its manager's setting).
    await write(s.server.ctx, (tx) => writeCashAllowed(tx, f.locationId, true))
    const lunch = sale(f, 1, { lines: [f.products.bun, f.products.cola], at: '2026-11-24T11:00:00.000Z' })
    const offline = sale(f, 2, { lines: [f.products.bun], at: '2026-11-24T11:05:00.000Z', offline: true })
    // Yesterday evening in Copenhagen (22:30 UTC is 23:30 local): not today's.
    const yesterday = sale(f, 3, { lines: [f.products.bun], at: '2026-11-23T22:30:00.000Z' })
    // A guest pays a cola in cash.
    const { cardNumber: _c, accountId: _a, ...cardless } = sale(f, 4, { lines: [f.products.cola], at: '2026-11-24T11:10:00.000Z' }).payload
    const cash: Mutation = { seq: 4, id: randomUUID(), kind: 'sale.record', payload: { ...cardless, payment: 'cash' } }
    expect(outcomes((await pushAs(s.server, till, [lunch, offline, yesterday, cash])).body)).toEqual(['applied', 'applied', 'applied', 'applied'])
    const bun = f.products.bun.unitPrice
    const cola = f.products.cola.unitPrice
    const totals: DayTotals = {
      ...NOTHING,
      salesCount: 3,
      salesAmount: lunch.payload.total + bun + cola,
      cardCount: 2,
      cardAmount: lunch.payload.total + bun,
      cashCount: 1,
      cashAmount: cola,
      offlineCount: 1,
      offlineAmount: bun,
    }
    const z = closeOf(5, { totals, countedCash: cola, expectedCash: cola })
    const first = await pushAs(s.server, till, [z])
    expect(outcomes(first.body)).toEqual(['applied'])
    // The till lost the answer and pushes it again: answered, not stored twice.
    const again = await pushAs(s.server, till, [z])
    expect(again.body.results).toEqual(first.body.results)
    const rows = await stored(till.terminalId)
    expect(rows).toEqual([expect.objectContaining({ number: 1, day: '2026-11-24', mismatch: false })])
    expect(rows[0]!.server_totals).toEqual(totals)
  })

  it('rejects a number that skips one or repeats one, and a second Z report of a day, each alone', async () => {
    const { till } = await s.canteen()
    const r = await pushAs(s.server, till, [
      closeOf(1, { number: 2, day: '2026-11-20', closedAt: '2026-11-20T15:00:00.000Z' }),
      closeOf(2, { number: 1, day: '2026-11-20', closedAt: '2026-11-20T15:00:00.000Z' }),
      closeOf(3, { number: 1, day: '2026-11-21', closedAt: '2026-11-21T15:00:00.000Z' }),
      closeOf(4, { number: 3, day: '2026-11-21', closedAt: '2026-11-21T15:00:00.000Z' }),
      closeOf(5, { number: 2, day: '2026-11-20', closedAt: '2026-11-21T15:00:00.000Z' }),
      closeOf(6, { number: 2, day: '2026-11-22', closedAt: '2026-11-21T15:00:00.000Z' }),
      closeOf(7, { number: 2, day: '2026-11-21', closedAt: '2026-11-21T15:00:00.000Z' }),
    ])
    expect(outcomes(r.body)).toEqual([
      'rejected number-gap',
      'applied',
      'rejected number-taken',
      'rejected number-gap',
      'rejected day-already-closed',
      'rejected day-in-future',
      'applied',
    ])
    expect((await stored(till.terminalId)).map((z) => [z.number, z.day])).toEqual([
      [1, '2026-11-20'],
      [2, '2026-11-21'],
    ])
  })

  it('flags totals that do not match the server’s sales, and stores both, rather than rejecting money already taken', async () => {
    const { f, till } = await s.canteen()
    const lunch = sale(f, 1, { lines: [f.products.bun], at: '2026-11-24T11:00:00.000Z' })
    expect(outcomes((await pushAs(s.server, till, [lunch])).body)).toEqual(['applied'])
    const claimed: DayTotals = { ...NOTHING, salesCount: 2, salesAmount: 99_00, cardCount: 2, cardAmount: 99_00 }
    const r = await pushAs(s.server, till, [closeOf(2, { totals: claimed, countedCash: 500 })])
    expect(outcomes(r.body)).toEqual(['applied totals-mismatch'])
    const [z] = await stored(till.terminalId)
    expect(z).toMatchObject({ mismatch: true })
    expect(Number(z!.counted_cash)).toBe(500)
    expect(z!.server_totals).toMatchObject({ salesCount: 1, salesAmount: f.products.bun.unitPrice })
  })

  it('stores the drawer’s opening float; a till older than it sends none and its float is 0; a negative or fractional float is refused', async () => {
    const { till } = await s.canteen()
    const legacy = closeOf(1, { day: '2026-11-23', closedAt: '2026-11-23T15:00:00.000Z' })
    delete (legacy.payload as Partial<DayClosePayload>).openingFloat
    const r = await pushAs(s.server, till, [
      legacy,
      { ...closeOf(2), payload: { ...closeOf(2).payload, openingFloat: -100 } } as Mutation,
      { ...closeOf(3), payload: { ...closeOf(3).payload, openingFloat: 10.5 } } as Mutation,
      closeOf(4, { number: 2, countedCash: 50_000, openingFloat: 50_000 }),
    ])
    expect(outcomes(r.body)).toEqual([
      'applied',
      expect.stringMatching(/^rejected invalid-payload: openingFloat/),
      expect.stringMatching(/^rejected invalid-payload: openingFloat/),
      'applied',
    ])
    expect((await stored(till.terminalId)).map((z) => [z.number, Number(z.counted_cash), Number(z.opening_float)])).toEqual([
      [1, 0, 0],
      [2, 50_000, 50_000],
    ])
  })

  it('rejects a close dated outside what a till clock could honestly be, and a payload that is not a Z report', async () => {
    const { till } = await s.canteen()
    const r = await pushAs(s.server, till, [
      closeOf(1, { day: '2026-11-24', closedAt: '2026-11-25T15:00:00.000Z' }),
      { ...closeOf(2), payload: { ...closeOf(2).payload, number: 0 } } as Mutation,
      closeOf(3, { day: '2026-02-30' }),
    ])
    expect(outcomes(r.body)).toEqual([
      'rejected close-time-out-of-range',
      expect.stringMatching(/^rejected invalid-payload: number/),
      expect.stringMatching(/^rejected invalid-payload: day: not a calendar day/),
    ])
    expect(await stored(till.terminalId)).toEqual([])
  })

  it('knows a Copenhagen day of 23 and of 25 hours', () => {
    const spring = copenhagenDay('2026-03-29')
    expect([spring.from.toISOString(), spring.to.toISOString()]).toEqual(['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z'])
    const autumn = copenhagenDay('2026-10-25')
    expect([autumn.from.toISOString(), autumn.to.toISOString()]).toEqual(['2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z'])
  })
})
