import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { DayCloseOutcome, DayReport, ReportDay } from '../api/areas/report'
import { hashPin, seedCanteen } from '../../../test/support/core'
import { openDb, type Db } from '../store/db'
import { pendingMutations, recordPushResults } from '../store/outbox'
import { applyPullPage } from '../store/pull'
import { getSetting } from '../store/settings'
import { openTill, type Till } from '../till'
import { periodKeys } from '../../../domain/periods'
import { DayClosePayload } from '../../../domain/sync'

const dirs: string[] = []
const tills: Till[] = []
afterEach(async () => {
  for (const t of tills.splice(0)) await t.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** A movable clock, starting at lunch on Monday 2 March 2026 in Copenhagen. */
function testClock(start = '2026-03-02T11:00:00Z') {
  let t = Date.parse(start)
  return { now: () => new Date(t), set: (iso: string) => void (t = Date.parse(iso)) }
}
type Clock = ReturnType<typeof testClock>

/** The demo canteen with Mette (cashier, PIN 1234) and Jonas (manager, PIN 9999). */
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kantine-report-'))
  dirs.push(dir)
  const db = openDb(dir)
  seedCanteen(db)
  applyPullPage(
    db,
    {
      changes: [{ entity: 'staff', id: 's-jonas', data: { name: 'Jonas Berg', pinHash: hashPin('9999'), roles: ['manager', 'cashier'], locationIds: ['loc-1'], active: true } }],
      cursor: '1:2',
      hasMore: false,
      ackSeq: null,
      serverTime: new Date().toISOString(),
    },
    { from: getSetting(db, 'pull_cursor'), localNow: new Date() },
  )
  db.close()
  return dir
}

async function open(dir: string, clock: Clock): Promise<Till> {
  const till = await openTill({ dataDir: dir, clock, tillName: 'Kasse 1' })
  tills.push(till)
  return till
}

async function call<T>(till: Till, method: string, args: unknown = {}): Promise<T> {
  const res = await till.dispatch(method, args)
  if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`)
  return res.value as T
}

async function sell(till: Till, lines: { productId: string; qty: number }[]): Promise<string> {
  const saleId = randomUUID()
  expect(await call(till, 'sale.record', { saleId, cardNumber: 'DEMO0001', lines })).toMatchObject({ ok: true })
  return saleId
}

/** The server applied everything the till has sent (as a push answer would say). */
function serverApplied(dir: string): void {
  const db = openDb(dir)
  try {
    recordPushResults(
      db,
      pendingMutations(db, 500).map((m) => ({ seq: m.seq, id: m.id, status: 'applied' as const, reason: null, flags: [] })),
    )
  } finally {
    db.close()
  }
}

/** A guest's cash sale as the till stores it (written directly: the cash path at the counter is another handler's). */
function cashSale(db: Db, at: string, total: number): void {
  const keys = periodKeys(new Date(at))
  const saleId = randomUUID()
  const { lastInsertRowid } = db
    .prepare(`INSERT INTO outbox (mutation_id, kind, payload, created_at, status) VALUES (?, 'sale.record', '{}', ?, 'applied')`)
    .run(randomUUID(), at)
  db.prepare(
    `INSERT INTO sales (id, seq, at, card_number, account_id, staff_id, total, offline, day_key, week_key, month_key, payment)
     VALUES (?, ?, ?, NULL, NULL, 's-mette', ?, 0, ?, ?, ?, 'cash')`,
  ).run(saleId, Number(lastInsertRowid), at, total, keys.day, keys.week, keys.month)
  db.prepare(`INSERT INTO sale_lines (sale_id, line_no, product_id, name, category_id, qty, unit_price) VALUES (?, 1, 'p-milk', 'Minimælk', 'cat-drink', ?, 800)`).run(
    saleId,
    total / 800,
  )
}

const zRows = (dir: string) => {
  const db = openDb(dir)
  try {
    return {
      reports: db.prepare('SELECT number, day_key FROM z_reports ORDER BY number').all() as { number: number; day_key: string }[],
      closes: (db.prepare(`SELECT payload FROM outbox WHERE kind = 'day.close' ORDER BY seq`).all() as { payload: string }[]).map((r) => DayClosePayload.parse(JSON.parse(r.payload))),
    }
  } finally {
    db.close()
  }
}

describe('the end of the day at a till (X and Z reports)', () => {
  it('numbers Z reports 1, 2, 3 without gaps across restarts, one per day, and never writes a gap', async () => {
    const dir = freshDir()
    const clock = testClock()
    let till = await open(dir, clock)
    await call(till, 'staff.signIn', { pin: '9999' })
    await sell(till, [{ productId: 'p-lunch', qty: 1 }])
    serverApplied(dir)
    const first = await call<DayCloseOutcome>(till, 'report.close', { countedCash: 0 })
    expect(first).toMatchObject({ ok: true, report: { kind: 'Z', number: 1, day: '2026-03-02', tillName: 'Kasse 1', totals: { salesCount: 1, salesAmount: 3500 } } })
    // A second close of the same day takes no number.
    expect(await call(till, 'report.close', { countedCash: 0 })).toEqual({ ok: false, reason: 'already-closed', number: 1 })
    // The closed day's report is the Z report as it was closed.
    expect(await call<DayReport>(till, 'report.day', { day: '2026-03-02' })).toMatchObject({ kind: 'Z', number: 1, by: { name: 'Jonas Berg' }, afterClose: { count: 0, amount: 0 } })
    // A sale rung up after the close is not in it, and the Z report says so.
    await sell(till, [{ productId: 'p-milk', qty: 1 }])
    serverApplied(dir)
    expect(await call<DayReport>(till, 'report.day', { day: '2026-03-02' })).toMatchObject({ kind: 'Z', totals: { salesCount: 1, salesAmount: 3500 }, afterClose: { count: 1, amount: 800 } })
    await till.close()
    tills.splice(tills.indexOf(till), 1)

    // The till restarts the next day; the next Z is 2.
    clock.set('2026-03-03T12:00:00Z')
    till = await open(dir, clock)
    await call(till, 'staff.signIn', { pin: '9999' })
    await sell(till, [{ productId: 'p-milk', qty: 2 }])
    serverApplied(dir)
    expect(await call(till, 'report.close', { countedCash: 0 })).toMatchObject({ ok: true, report: { number: 2, day: '2026-03-03', totals: { salesAmount: 1600 } } })
    await till.close()
    tills.splice(tills.indexOf(till), 1)

    // And again: a day without sales is closed too (a Z of nothing), number 3.
    clock.set('2026-03-04T15:00:00Z')
    till = await open(dir, clock)
    await call(till, 'staff.signIn', { pin: '9999' })
    expect(await call(till, 'report.close', { countedCash: 0 })).toMatchObject({ ok: true, report: { number: 3, totals: { salesCount: 0, salesAmount: 0 } } })
    // A day not yet begun cannot be closed.
    expect(await call(till, 'report.close', { day: '2026-03-05', countedCash: 0 })).toEqual({ ok: false, reason: 'day-in-future' })
    expect(await call<ReportDay[]>(till, 'report.days')).toEqual([
      { day: '2026-03-04', number: 3, salesCount: 0 },
      { day: '2026-03-03', number: 2, salesCount: 1 },
      { day: '2026-03-02', number: 1, salesCount: 2 },
    ])

    const { reports, closes } = zRows(dir)
    expect(reports).toEqual([
      { number: 1, day_key: '2026-03-02' },
      { number: 2, day_key: '2026-03-03' },
      { number: 3, day_key: '2026-03-04' },
    ])
    // Each close is on its way to the server as a day.close mutation with its number.
    expect(closes.map((c) => [c.number, c.day, c.totals.salesAmount])).toEqual([
      [1, '2026-03-02', 3500],
      [2, '2026-03-03', 1600],
      [3, '2026-03-04', 0],
    ])

    // The table itself refuses a gap, a changed report and a deleted one, whatever code writes.
    const db = openDb(dir)
    try {
      const insert = db.prepare(`INSERT INTO z_reports (number, day_key, seq, closed_at, closed_by, counted_cash, expected_cash, report) VALUES (?, ?, ?, '', 's-jonas', 0, 0, '{}')`)
      expect(() => insert.run(5, '2026-03-06', 9001)).toThrow(/without a gap/)
      expect(() => db.prepare('UPDATE z_reports SET counted_cash = 1 WHERE number = 2').run()).toThrow(/never changed/)
      expect(() => db.prepare('DELETE FROM z_reports WHERE number = 3').run()).toThrow(/never deleted/)
    } finally {
      db.close()
    }
  })

  it('refuses to close the day while sales and voids wait to be sent, says how many, and writes nothing', async () => {
    const dir = freshDir()
    const clock = testClock()
    const till = await open(dir, clock)
    await call(till, 'staff.signIn', { pin: '9999' })
    const voided = await sell(till, [{ productId: 'p-lunch', qty: 1 }])
    await sell(till, [{ productId: 'p-milk', qty: 1 }])
    expect(await call(till, 'report.close', { countedCash: 0 })).toEqual({ ok: false, reason: 'pending-uploads', pending: 2 })
    expect(await call(till, 'sale.void', { saleId: voided, reason: 'Forkert vare', managerPin: '9999' })).toMatchObject({ ok: true })
    expect(await call(till, 'report.close', { countedCash: 0 })).toEqual({ ok: false, reason: 'pending-uploads', pending: 3 })
    // The X report says the same, and nothing was closed.
    expect((await call<DayReport>(till, 'report.day')).pending).toEqual({ count: 3, oldestAt: '2026-03-02T11:00:00.000Z' })
    expect(zRows(dir)).toEqual({ reports: [], closes: [] })

    serverApplied(dir)
    const closed = await call<DayCloseOutcome>(till, 'report.close', { countedCash: 0 })
    expect(closed).toMatchObject({ ok: true, report: { number: 1, pending: { count: 0 } } })
    // The void is a void, not a sale: one sale of 8 kr kept, one void of 35 kr.
    expect(closed.ok && closed.report.totals).toEqual({
      salesCount: 1,
      salesAmount: 800,
      voidsCount: 1,
      voidsAmount: 3500,
      cardCount: 1,
      cardAmount: 800,
      cashCount: 0,
      cashAmount: 0,
      offlineCount: 1,
      offlineAmount: 800,
    })
    expect(closed.ok && closed.report.voids).toEqual([expect.objectContaining({ saleId: voided, total: 3500, reason: 'Forkert vare', authorisedBy: 'Jonas Berg', sync: 'sent' })])
  })

  it('takes the cash count blind, then shows the difference against the expected cash, and keeps it in the Z report', async () => {
    const dir = freshDir()
    const clock = testClock()
    const till = await open(dir, clock)
    await call(till, 'staff.signIn', { pin: '9999' })
    await sell(till, [{ productId: 'p-lunch', qty: 1 }])
    serverApplied(dir)
    const db = openDb(dir)
    cashSale(db, '2026-03-02T11:10:00.000Z', 1600)
    cashSale(db, '2026-03-02T11:20:00.000Z', 2400)
    // Yesterday's cash is not today's.
    cashSale(db, '2026-03-01T11:20:00.000Z', 800)
    db.close()

    const blind = await call<DayReport>(till, 'report.day')
    expect(blind.cash).toEqual({ float: 0, counted: null, expected: null, difference: null })
    expect(blind.totals).toMatchObject({ salesCount: 3, salesAmount: 7500, cashCount: 2, cashAmount: 4000, cardCount: 1, cardAmount: 3500 })

    const counted = await call<DayReport>(till, 'report.day', { countedCash: 3950 })
    expect(counted.cash).toEqual({ float: 0, counted: 3950, expected: 4000, difference: -50 })

    const closed = await call<DayCloseOutcome>(till, 'report.close', { countedCash: 3950 })
    expect(closed).toMatchObject({ ok: true, report: { cash: { float: 0, counted: 3950, expected: 4000, difference: -50 } } })
    expect(zRows(dir).closes[0]).toMatchObject({ countedCash: 3950, expectedCash: 4000, openingFloat: 0, totals: { cashAmount: 4000 } })
    // A negative count is no count, and a day that is not in the calendar is no day.
    expect(await till.dispatch('report.close', { day: '2026-03-01', countedCash: -1 })).toMatchObject({ ok: false, error: { code: 'bad-argument' } })
    expect(await till.dispatch('report.close', { day: '2026-02-30', countedCash: 0 })).toMatchObject({ ok: false, error: { code: 'bad-argument' } })
    expect(zRows(dir).reports).toHaveLength(1)
  })

  it('counts the whole drawer against its opening float plus the cash sales, and offers the last close’s float the next day', async () => {
    const dir = freshDir()
    const clock = testClock()
    let till = await open(dir, clock)
    await call(till, 'staff.signIn', { pin: '9999' })
    const db = openDb(dir)
    cashSale(db, '2026-03-02T11:10:00.000Z', 1600)
    db.close()

    // The float is no secret; what the drawer should hold waits for the count.
    expect((await call<DayReport>(till, 'report.day', { openingFloat: 50_000 })).cash).toEqual({ float: 50_000, counted: null, expected: null, difference: null })
    expect((await call<DayReport>(till, 'report.day', { openingFloat: 50_000, countedCash: 51_500 })).cash).toEqual({ float: 50_000, counted: 51_500, expected: 51_600, difference: -100 })
    const closed = await call<DayCloseOutcome>(till, 'report.close', { openingFloat: 50_000, countedCash: 51_600 })
    expect(closed).toMatchObject({ ok: true, report: { cash: { float: 50_000, counted: 51_600, expected: 51_600, difference: 0 } } })
    // The server checks the takings against its own cash sales, and is told the float beside them.
    expect(zRows(dir).closes[0]).toMatchObject({ countedCash: 51_600, expectedCash: 1600, openingFloat: 50_000 })
    // A negative or fractional float is no float, and changes nothing.
    expect(await till.dispatch('report.day', { openingFloat: -1 })).toMatchObject({ ok: false, error: { code: 'bad-argument' } })
    expect(await till.dispatch('report.close', { day: '2026-03-01', countedCash: 0, openingFloat: 0.5 })).toMatchObject({ ok: false, error: { code: 'bad-argument' } })
    await till.close()
    tills.splice(tills.indexOf(till), 1)

    // The next day the drawer starts with the same change: offered, not required.
    clock.set('2026-03-03T12:00:00Z')
    till = await open(dir, clock)
    await call(till, 'staff.signIn', { pin: '9999' })
    expect((await call<DayReport>(till, 'report.day')).cash.float).toBe(50_000)
    expect(await call(till, 'report.close', { countedCash: 50_000 })).toMatchObject({ ok: true, report: { number: 2, cash: { float: 50_000, difference: 0 } } })
    expect(zRows(dir).closes.map((c) => c.openingFloat)).toEqual([50_000, 50_000])
  })

  it('is for managers only: a cashier gets neither report nor close', async () => {
    const dir = freshDir()
    const till = await open(dir, testClock())
    await call(till, 'staff.signIn', { pin: '1234' })
    for (const [method, args] of [['report.day', {}], ['report.close', { countedCash: 0 }], ['report.days', {}]] as const) {
      const res = await till.dispatch(method, args)
      expect(res).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    }
    expect(zRows(dir)).toEqual({ reports: [], closes: [] })
  })
})
