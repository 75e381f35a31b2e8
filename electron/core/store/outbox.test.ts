import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { CardSalePayload } from '../../../domain/sync'
import { seedCanteen } from '../../../test/support/core'
import { openDb, stmt, type Db } from './db'
import { outboxCounts, pruneClosedOutbox, recordPushResults, type OutboxCounts } from './outbox'
import { insertSale, recentSales } from './sales'
import { getNumberSetting, setSetting } from './settings'
import { insertVoid, voidableSale } from './voids'

const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))

function till(): Db {
  const dir = mkdtempSync(join(tmpdir(), 'kantine-outbox-'))
  dirs.push(dir)
  const db = openDb(dir)
  seedCanteen(db, '2026-11-23T07:00:00.000Z')
  return db
}

const keysOf = (day: string) => ({ day, week: '2026-W48', month: '2026-11' })
let n = 0
const uuid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`

/** A 35 kr. lunch on `day` at `hh:mm` (UTC); returns its sale id, seq and mutation id. */
function sell(db: Db, day: string, time: string) {
  const sale: CardSalePayload = {
    saleId: uuid(),
    cardNumber: 'DEMO0001',
    accountId: 'a-1',
    locationId: 'loc-1',
    staffId: 's-mette',
    at: `${day}T${time}:00.000Z`,
    lines: [{ productId: 'p-lunch', name: 'Frikadeller', categoryId: 'cat-hot', qty: 1, unitPrice: 3500 }],
    total: 3500,
    offline: false,
  }
  const mutationId = uuid()
  const seq = insertSale(db, mutationId, sale, keysOf(day))
  return { saleId: sale.saleId, seq, mutationId }
}

/** The old whole-table recount: what the indexed counts must always agree with. */
const scanned = (db: Db): OutboxCounts =>
  db
    .prepare(
      `SELECT COUNT(*) FILTER (WHERE status = 'pending') AS pending,
              MIN(created_at) FILTER (WHERE status = 'pending') AS oldestPendingAt,
              COUNT(*) FILTER (WHERE status = 'rejected') AS rejected
         FROM outbox`,
    )
    .get() as OutboxCounts

const answer = (s: { seq: number; mutationId: string }, status: 'applied' | 'rejected', reason: string | null = null) => ({
  seq: s.seq,
  id: s.mutationId,
  status,
  reason,
  flags: [],
})

/** A Z report of `day` and its day.close outbox row, as store/reports.ts writes them (the report body is not read here). */
function closeDay(db: Db, day: string, number: number) {
  const mutationId = uuid()
  const seq = Number(
    db.prepare(`INSERT INTO outbox (mutation_id, kind, payload, created_at) VALUES (?, 'day.close', '{}', ?)`).run(mutationId, `${day}T16:00:00.000Z`)
      .lastInsertRowid,
  )
  db.prepare(
    `INSERT INTO z_reports (number, day_key, seq, closed_at, closed_by, counted_cash, expected_cash, report) VALUES (?, ?, ?, ?, 's-mette', 0, 0, '{}')`,
  ).run(number, day, seq, `${day}T16:00:00.000Z`)
  return { seq, mutationId }
}

const outboxRow = (db: Db, seq: number) =>
  db.prepare('SELECT seq, kind, status, payload FROM outbox WHERE seq = ?').get(seq) as { seq: number; kind: string; status: string; payload: string } | undefined

describe('the sync status counts the outbox on its index, and stay right as rows change', () => {
  it('agrees with a full recount through sales, answers and a prune', () => {
    const db = till()
    expect(outboxCounts(db)).toEqual({ pending: 0, oldestPendingAt: null, rejected: 0 })
    const a = sell(db, '2026-11-23', '09:00')
    const b = sell(db, '2026-11-23', '09:05')
    const c = sell(db, '2026-11-23', '09:10')
    expect(outboxCounts(db)).toEqual({ pending: 3, oldestPendingAt: '2026-11-23T09:00:00.000Z', rejected: 0 })

    recordPushResults(db, [answer(a, 'applied'), answer(b, 'rejected', 'card-blocked')])
    expect(outboxCounts(db)).toEqual({ pending: 1, oldestPendingAt: '2026-11-23T09:10:00.000Z', rejected: 1 })
    expect(outboxCounts(db)).toEqual(scanned(db))

    recordPushResults(db, [answer(c, 'applied')])
    setSetting(db, 'acked_seq', c.seq)
    closeDay(db, '2026-11-23', 1)
    expect(outboxCounts(db)).toEqual({ pending: 1, oldestPendingAt: '2026-11-23T16:00:00.000Z', rejected: 1 })
    const d = sell(db, '2026-11-24', '08:00')
    pruneClosedOutbox(db, '2026-11-23')
    // The rejected sale stays set aside; the day.close (pending) and today's sale still wait.
    expect(outboxCounts(db)).toEqual({ pending: 2, oldestPendingAt: '2026-11-23T16:00:00.000Z', rejected: 1 })
    expect(outboxCounts(db)).toEqual(scanned(db))
    expect(outboxRow(db, d.seq)?.status).toBe('pending')
  })

  it('reads only the pending and rejected rows, never the acknowledged history', () => {
    const db = till()
    // The SQL outboxCounts itself prepares (the first call on a handle prepares it).
    const prepare = vi.spyOn(db, 'prepare')
    outboxCounts(db)
    const statements = prepare.mock.calls.map((c) => c[0])
    prepare.mockRestore()
    expect(statements.length).toBeGreaterThan(0)
    const plans = statements.map((sql) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('; '))
    for (const plan of plans) {
      expect(plan).toMatch(/SEARCH outbox USING (COVERING )?INDEX outbox_pending \(status=\?\)/)
      expect(plan).not.toMatch(/SCAN outbox/)
    }
  })

  it('prepares its statements once: a status call compiles no SQL after the first', () => {
    const db = till()
    outboxCounts(db)
    const prepare = vi.spyOn(db, 'prepare')
    outboxCounts(db)
    outboxCounts(db)
    expect(prepare).not.toHaveBeenCalled()
  })
})

describe('acknowledged outbox rows are pruned once their day is closed', () => {
  function history(db: Db) {
    // Monday: three sales, one voided; all sent and acknowledged; the day closed.
    const mon = [sell(db, '2026-11-23', '09:00'), sell(db, '2026-11-23', '09:30'), sell(db, '2026-11-23', '10:00')]
    const voidSeq = insertVoid(
      db,
      uuid(),
      { saleId: mon[1]!.saleId, accountId: 'a-1', reason: 'Forkert vare', authorisedBy: 's-mette', voidedAt: '2026-11-23T10:05:00.000Z' },
      voidableSale(db, mon[1]!.saleId)!,
      's-mette',
    )
    const voidMutation = (db.prepare('SELECT mutation_id FROM outbox WHERE seq = ?').get(voidSeq) as { mutation_id: string }).mutation_id
    const close = closeDay(db, '2026-11-23', 1)
    recordPushResults(db, [...mon.map((s) => answer(s, 'applied')), answer({ seq: voidSeq, mutationId: voidMutation }, 'applied'), answer(close, 'applied')])
    // Tuesday: one sale sent and acknowledged (its day is still open), one sent but not yet pulled back.
    const tue = [sell(db, '2026-11-24', '09:00'), sell(db, '2026-11-24', '09:30')]
    recordPushResults(db, tue.map((s) => answer(s, 'applied')))
    setSetting(db, 'acked_seq', tue[0]!.seq)
    return { mon, voidSeq, close, tue }
  }

  it('empties the payload of sale and void rows, deletes the rest, and keeps every row a sale or void points to', () => {
    const db = till()
    const { mon, voidSeq, close, tue } = history(db)
    const before = recentSales(db, 10, '2026-11-24')

    expect(pruneClosedOutbox(db, '2026-11-23')).toEqual({ deleted: 1, compacted: 4 })

    // The day.close row is gone; the Z report keeps its own copy of the day.
    expect(outboxRow(db, close.seq)).toBeUndefined()
    for (const seq of [...mon.map((s) => s.seq), voidSeq]) expect(outboxRow(db, seq)).toMatchObject({ status: 'applied', payload: '' })
    // Tuesday is not closed: untouched, acknowledged or not.
    for (const s of tue) expect(JSON.parse(outboxRow(db, s.seq)!.payload)).toMatchObject({ saleId: s.saleId })
    expect(db.pragma('foreign_key_check')).toEqual([])
    // The sales, their lines, their sync state and the void read exactly as before.
    expect(recentSales(db, 10, '2026-11-24')).toEqual(before)
    expect((db.prepare('SELECT COUNT(*) AS n FROM sale_lines').get() as { n: number }).n).toBe(5)
    // A second prune of the same day finds nothing more to do.
    expect(pruneClosedOutbox(db, '2026-11-23')).toEqual({ deleted: 0, compacted: 0 })
  })

  it('keeps pending, rejected and not yet acknowledged rows of a closed day', () => {
    const db = till()
    const sent = sell(db, '2026-11-23', '09:00')
    const refused = sell(db, '2026-11-23', '09:10')
    const unpulled = sell(db, '2026-11-23', '09:20')
    const waiting = sell(db, '2026-11-23', '09:30')
    recordPushResults(db, [answer(sent, 'applied'), answer(refused, 'rejected', 'card-blocked'), answer(unpulled, 'applied')])
    // The pull has reported only up to `refused`: `unpulled`'s delta still counts at the till.
    setSetting(db, 'acked_seq', refused.seq)
    closeDay(db, '2026-11-23', 1)

    expect(pruneClosedOutbox(db, '2026-11-23')).toEqual({ deleted: 0, compacted: 1 })
    expect(outboxRow(db, sent.seq)?.payload).toBe('')
    for (const s of [refused, unpulled, waiting]) expect(JSON.parse(outboxRow(db, s.seq)!.payload)).toMatchObject({ saleId: s.saleId })
  })

  it('leaves a later day alone, and a day.close only once a Z report of a pruned day follows it', () => {
    const db = till()
    const { close, tue } = history(db)
    expect(pruneClosedOutbox(db, '2026-11-22')).toEqual({ deleted: 0, compacted: 0 })
    expect(outboxRow(db, close.seq)).toBeDefined()
    setSetting(db, 'acked_seq', tue[1]!.seq)
    expect(pruneClosedOutbox(db, '2026-11-24')).toEqual({ deleted: 1, compacted: 6 })
  })

  it('reads at each close only the rows after what earlier closes settled', () => {
    const db = till()
    const { mon, voidSeq, close, tue } = history(db)
    pruneClosedOutbox(db, '2026-11-23')
    // Everything of Monday is settled; Tuesday's first sale (acknowledged, its day open) is not.
    expect(getNumberSetting(db, 'outbox_pruned_seq', 0)).toBe(tue[0]!.seq - 1)
    expect(Math.max(...mon.map((s) => s.seq), voidSeq, close.seq)).toBe(tue[0]!.seq - 1)
    // A row below the floor is not looked at again: a payload written back there stays.
    db.prepare(`UPDATE outbox SET payload = '{}' WHERE seq = ?`).run(mon[0]!.seq)
    setSetting(db, 'acked_seq', tue[1]!.seq)
    expect(pruneClosedOutbox(db, '2026-11-24')).toEqual({ deleted: 0, compacted: 2 })
    expect(outboxRow(db, mon[0]!.seq)?.payload).toBe('{}')
    expect(getNumberSetting(db, 'outbox_pruned_seq', 0)).toBe(tue[1]!.seq)
  })

  it('prunes with statements that read a range of seqs, never the whole outbox', () => {
    const db = till()
    const prepare = vi.spyOn(db, 'prepare')
    pruneClosedOutbox(db, '2026-11-23')
    const writes = prepare.mock.calls.map((c) => c[0]).filter((sql) => /^(UPDATE|DELETE)/.test(sql.trim()))
    prepare.mockRestore()
    expect(writes).toHaveLength(2)
    const params = { acked: 9, day: '2026-11-23', closedSeq: 0, floor: 5 }
    for (const sql of writes) {
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail)
      // The outbox itself (alias o): searched by a bounded range of seq, on the primary key or the (status, seq) index.
      const outer = plan.filter((d) => / o /.test(` ${d} `) || / o$/.test(d))
      expect(outer.length).toBeGreaterThan(0)
      for (const d of outer) expect(d).toMatch(/SEARCH o USING (INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)|INDEX outbox_pending \(status=\? AND seq>\? AND seq<\?\))/)
    }
  })

  it('keeps its floor below a row that waits: pending, or sent and not yet acknowledged', () => {
    const db = till()
    const a = sell(db, '2026-11-23', '09:00')
    const b = sell(db, '2026-11-23', '09:10')
    const c = sell(db, '2026-11-23', '09:20')
    recordPushResults(db, [answer(a, 'applied'), answer(b, 'applied')])
    setSetting(db, 'acked_seq', a.seq)
    pruneClosedOutbox(db, '2026-11-23')
    expect(getNumberSetting(db, 'outbox_pruned_seq', 0)).toBe(a.seq)
    // b is acknowledged later, c answered and acknowledged later still: both are pruned then.
    recordPushResults(db, [answer(c, 'applied')])
    setSetting(db, 'acked_seq', c.seq)
    expect(pruneClosedOutbox(db, '2026-11-23')).toEqual({ deleted: 0, compacted: 2 })
    expect(getNumberSetting(db, 'outbox_pruned_seq', 0)).toBe(c.seq)
  })

  it('refuses what is not a day key', () => {
    const db = till()
    expect(() => pruneClosedOutbox(db, "2026-11-23' OR 1=1 --")).toThrow(RangeError)
    expect(() => pruneClosedOutbox(db, '23-11-2026')).toThrow(RangeError)
  })
})

describe('statements are prepared once per database handle', () => {
  it('hands back the same statement for the same SQL, and another for another handle', () => {
    const one = till()
    const two = till()
    const sql = 'SELECT value FROM settings WHERE key = ?'
    expect(stmt(one, sql)).toBe(stmt(one, sql))
    expect(stmt(one, sql)).not.toBe(stmt(two, sql))
    expect(stmt(one, sql).get('location_id')).toEqual({ value: 'loc-1' })
  })
})
