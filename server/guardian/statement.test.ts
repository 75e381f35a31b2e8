import { describe, expect, it } from 'vitest'
import { postLedger, type LedgerKind } from '../money/ledger'
import { api, pushAs, sale, signInGuardian, type Fixture, type Till } from '../../test/support/server'
import { serverSuite } from '../../test/support/server-suite'
import { parsePeriod } from './statement'

const s = serverSuite({ guardian: { identity: 'simulated' }, rateLimits: false })

async function anna() {
  const { f, till } = await s.canteen()
  const token = await signInGuardian(s.server, f.data.guardians[0]!.id)
  return { f, till, token }
}

/** Ledger entries written as the money code writes them (H1's deposits, fees and payouts), at chosen instants. */
async function movement(accountId: string, kind: LedgerKind, amount: number, at: string, note?: string) {
  await s.db.transaction((tx) => postLedger(tx, { accountId, kind, amount, note, at: new Date(at) }))
}

/**
 * Alice's purchases around two Copenhagen boundaries: the end of February (a month) and
 * 29 March 2026, the day summer time starts (23 hours: 00:00 CET = 23:00Z, 24:00 CEST = 22:00Z).
 */
async function aliceBuys(f: Fixture, till: Till) {
  const { bun, cola, candy } = f.products
  const sales = [
    sale(f, 1, { at: '2026-02-28T22:30:00.000Z', lines: [bun] }), // 28 Feb 23:30 CET
    sale(f, 2, { at: '2026-02-28T23:30:00.000Z', lines: [{ ...cola, qty: 2 }, candy] }), // 1 Mar 00:30 CET
    sale(f, 3, { at: '2026-03-28T23:30:00.000Z', lines: [bun] }), // 29 Mar 00:30 CET
    sale(f, 4, { at: '2026-03-29T21:30:00.000Z', lines: [cola] }), // 29 Mar 23:30 CEST
    sale(f, 5, { at: '2026-03-29T22:30:00.000Z', lines: [candy] }), // 30 Mar 00:30 CEST
    sale(f, 6, { at: '2026-03-29T10:00:00.000Z', lines: [bun], card: f.bob.card, accountId: f.bob.accountId }), // Bob's, not Alice's
  ]
  const r = await pushAs(s.server, till, sales)
  expect(r.body.results.map((x: { status: string }) => x.status)).toEqual(Array(6).fill('applied'))
  return sales.map((m) => m.payload.saleId)
}

const statementOf = (token: string, accountId: string, from: string, to: string) =>
  api(s.server, 'GET', `/guardian/accounts/${accountId}/statement?from=${from}&to=${to}`, { token })

describe('a guardian reads the account statement', () => {
  it('lists purchases with lines, canteen and time, other movements, totals, and the spend of every day, across a month’s end', async () => {
    const { f, till, token } = await anna()
    const ids = await aliceBuys(f, till)
    await movement(f.alice.accountId, 'deposit', 20000, '2026-03-02T08:00:00.000Z', 'Indbetaling')
    await movement(f.alice.accountId, 'fee', -2500, '2026-03-03T08:00:00.000Z', 'Nyt kort')
    await movement(f.alice.accountId, 'auto_topup', 10000, '2026-03-04T08:00:00.000Z')
    await movement(f.alice.accountId, 'payout', -5000, '2026-03-05T08:00:00.000Z')
    await movement(f.alice.accountId, 'deposit', 99900, '2026-04-01T08:00:00.000Z') // after the period

    const r = await statementOf(token, f.alice.accountId, '2026-02-27', '2026-03-30')
    expect(r.status).toBe(200)
    expect(r.body.from).toBe('2026-02-27')
    expect(r.body.to).toBe('2026-03-30')
    expect(r.body.purchases).toEqual([
      {
        saleId: ids[0],
        at: '2026-02-28T22:30:00.000Z',
        locationName: 'Kantine A',
        lines: [{ name: 'Bolle med ost', quantity: 1, unitPrice: 1500, total: 1500 }],
        total: 1500,
      },
      {
        saleId: ids[1],
        at: '2026-02-28T23:30:00.000Z',
        locationName: 'Kantine A',
        lines: [
          { name: 'Cola', quantity: 2, unitPrice: 2000, total: 4000 },
          { name: 'Slikpose', quantity: 1, unitPrice: 1000, total: 1000 },
        ],
        total: 5000,
      },
      expect.objectContaining({ saleId: ids[2], total: 1500 }),
      expect.objectContaining({ saleId: ids[3], total: 2000 }),
      expect.objectContaining({ saleId: ids[4], total: 1000 }),
    ])
    expect(r.body.movements).toEqual([
      { at: '2026-03-02T08:00:00.000Z', kind: 'deposit', amount: 20000, note: 'Indbetaling' },
      { at: '2026-03-03T08:00:00.000Z', kind: 'fee', amount: -2500, note: 'Nyt kort' },
      { at: '2026-03-04T08:00:00.000Z', kind: 'auto_topup', amount: 10000, note: null },
      { at: '2026-03-05T08:00:00.000Z', kind: 'payout', amount: -5000, note: null },
    ])
    expect(r.body.totals).toEqual({ spent: 11000, deposited: 30000, fees: 2500, payouts: 5000 })

    const days = r.body.perDay as { date: string; spent: number }[]
    expect(days).toHaveLength(2 + 30) // 27–28 February, 1–30 March
    expect(days[0]).toEqual({ date: '2026-02-27', spent: 0 })
    expect(days.at(-1)).toEqual({ date: '2026-03-30', spent: 1000 })
    const spentOn = Object.fromEntries(days.filter((d) => d.spent !== 0).map((d) => [d.date, d.spent]))
    // The sale at 00:30 on 1 March (still February in UTC) counts on 1 March.
    expect(spentOn).toEqual({ '2026-02-28': 1500, '2026-03-01': 5000, '2026-03-29': 3500, '2026-03-30': 1000 })
    expect(days.reduce((n, d) => n + d.spent, 0)).toBe(r.body.totals.spent)
  })

  it('takes the 23-hour day summer time starts on from its local midnight to the next', async () => {
    const { f, till, token } = await anna()
    const ids = await aliceBuys(f, till)
    const r = await statementOf(token, f.alice.accountId, '2026-03-29', '2026-03-29')
    expect(r.status).toBe(200)
    expect(r.body.purchases.map((p: { saleId: string }) => p.saleId)).toEqual([ids[2], ids[3]])
    expect(r.body.perDay).toEqual([{ date: '2026-03-29', spent: 3500 }])
    expect(r.body.totals).toEqual({ spent: 3500, deposited: 0, fees: 0, payouts: 0 })
    expect(r.body.movements).toEqual([])
  })

  it('answers an empty period with zeros for every day', async () => {
    const { f, token } = await anna()
    const r = await statementOf(token, f.alice.accountId, '2026-10-24', '2026-10-26')
    expect(r.body).toEqual({
      from: '2026-10-24',
      to: '2026-10-26',
      purchases: [],
      movements: [],
      totals: { spent: 0, deposited: 0, fees: 0, payouts: 0 },
      perDay: [
        { date: '2026-10-24', spent: 0 },
        { date: '2026-10-25', spent: 0 },
        { date: '2026-10-26', spent: 0 },
      ],
    })
  })

  it('refuses a period that is no period with period-invalid', async () => {
    const { f, token } = await anna()
    const bad = [
      ['2026-03-02', '2026-03-01'], // from after to
      ['2025-01-01', '2026-01-02'], // 367 days
      ['2026-02-29', '2026-03-01'], // no 29 February in 2026
      ['2026-13-01', '2026-13-02'],
      ['2026-3-1', '2026-03-02'],
      ['yesterday', 'today'],
      ['2026-03-01T00:00', '2026-03-02'],
    ]
    for (const [from, to] of bad) {
      expect(await statementOf(token, f.alice.accountId, from!, to!), `${from}..${to}`).toEqual({
        status: 400,
        body: { error: 'period-invalid', message: expect.stringContaining('YYYY-MM-DD') },
      })
    }
    for (const path of ['statement', 'statement?from=2026-03-01', 'statement?to=2026-03-01']) {
      expect(await api(s.server, 'GET', `/guardian/accounts/${f.alice.accountId}/${path}`, { token })).toMatchObject({ status: 400, body: { error: 'period-invalid' } })
    }
    // A leap year is 366 days: allowed.
    const year = await statementOf(token, f.alice.accountId, '2024-01-01', '2024-12-31')
    expect(year.status).toBe(200)
    expect(year.body.perDay).toHaveLength(366)
  })
})

describe('periods in Copenhagen', () => {
  it('start at local midnight: 23, 24 and 25 hours long around summer time', () => {
    const hours = (from: string, to: string) => {
      const p = parsePeriod(from, to)
      if (!p.ok) throw new Error(p.reason)
      return (p.value.end.getTime() - p.value.start.getTime()) / 3_600_000
    }
    expect(hours('2026-03-29', '2026-03-29')).toBe(23)
    expect(hours('2026-10-25', '2026-10-25')).toBe(25)
    expect(hours('2026-11-24', '2026-11-24')).toBe(24)
    const p = parsePeriod('2026-02-28', '2026-03-01')
    expect(p.ok && [p.value.start.toISOString(), p.value.end.toISOString(), p.value.days]).toEqual([
      '2026-02-27T23:00:00.000Z',
      '2026-03-01T23:00:00.000Z',
      ['2026-02-28', '2026-03-01'],
    ])
  })
})
