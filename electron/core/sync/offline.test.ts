import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { seedCanteen } from '../../../test/support/core'
import { openDb, type Db } from '../store/db'
import { applyPullPage } from '../store/pull'
import { insertSale } from '../store/sales'
import { getSetting, setSetting } from '../store/settings'
import { DEFAULT_OFFLINE_ALLOWANCE, DEFAULT_OFFLINE_CAP, offlineBudget } from './offline'

const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))
const HOUR = 3_600_000
const keys = { day: '2026-11-24', week: '2026-W48', month: '2026-11' }

function clockAt(iso: string) {
  let t = Date.parse(iso)
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) }
}

function freshTill(): Db {
  const dir = mkdtempSync(join(tmpdir(), 'kantine-offline-'))
  dirs.push(dir)
  const db = openDb(dir)
  seedCanteen(db, '2026-11-24T09:00:00.000Z')
  return db
}

/** A pull at the till's `local` time, of a page the server stamped `serverTime`. */
function pullAt(db: Db, local: Date, serverTime: string) {
  const applied = applyPullPage(db, { changes: [], cursor: `${local.getTime()}:0`, hasMore: false, ackSeq: null, serverTime }, { from: getSetting(db, 'pull_cursor'), localNow: local })
  expect(applied).not.toBeNull()
}

let n = 0
function sell(db: Db, total: number, offline: boolean, accountId = 'a-1') {
  n++
  const saleId = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`
  return insertSale(db, `m-${n}`, { saleId, cardNumber: 'DEMO0001', accountId, locationId: 'loc-1', staffId: 's-mette', at: '2026-11-24T10:00:00.000Z', lines: [{ productId: 'p-lunch', name: 'Frikadeller', categoryId: 'cat-hot', qty: 1, unitPrice: total }], total, offline }, keys)
}

describe('the offline allowance ages on the till clock', () => {
  it('a till whose clock runs three hours ahead of the server keeps its full allowance right after a pull', () => {
    const db = freshTill()
    const clock = clockAt('2026-11-24T13:00:00.000Z') // the server says 10:00
    pullAt(db, clock.now(), '2026-11-24T10:00:00.000Z')
    expect(offlineBudget(db, clock, 'a-1').allowance).toBe(DEFAULT_OFFLINE_ALLOWANCE)
    clock.advance(2 * HOUR)
    expect(offlineBudget(db, clock, 'a-1').allowance).toBe(DEFAULT_OFFLINE_ALLOWANCE / 2)
    clock.advance(23 * HOUR)
    expect(offlineBudget(db, clock, 'a-1').allowance).toBe(0)
    db.close()
  })

  it('a till whose clock runs a day behind the server does not think two-day-old data fresh', () => {
    const db = freshTill()
    const clock = clockAt('2026-11-23T10:00:00.000Z') // the server says 24 Nov 10:00
    pullAt(db, clock.now(), '2026-11-24T10:00:00.000Z')
    clock.advance(48 * HOUR) // two days without a pull, on the till's own clock
    expect(offlineBudget(db, clock, 'a-1').allowance).toBe(0)
    db.close()
  })

  it('gives no allowance to a till that has no local time of a pull', () => {
    const db = freshTill()
    db.prepare(`DELETE FROM settings WHERE key = 'last_pull_local_at'`).run()
    expect(offlineBudget(db, clockAt('2026-11-24T09:00:00.000Z'), 'a-1').allowance).toBe(0)
    db.close()
  })
})

describe('the offline cap per card at this till', () => {
  it("counts only this till's offline sales to the card that the server has not acknowledged", () => {
    const db = freshTill()
    const clock = clockAt('2026-11-24T09:00:00.000Z')
    setSetting(db, 'offline_cap', 6000)
    expect(offlineBudget(db, clock, 'a-1').capLeft).toBe(6000)
    sell(db, 1500, false) // online: the server knew the balance
    const first = sell(db, 3500, true)
    sell(db, 800, true, 'a-3') // another card
    expect(offlineBudget(db, clock, 'a-1').capLeft).toBe(6000 - 3500)
    sell(db, 3500, true)
    expect(offlineBudget(db, clock, 'a-1').capLeft).toBe(0) // never below zero
    // The server rejected one: it never became money, and frees its part of the cap.
    db.prepare(`UPDATE outbox SET status = 'rejected' WHERE seq = ?`).run(first)
    expect(offlineBudget(db, clock, 'a-1').capLeft).toBe(6000 - 3500)
    // A pull acknowledges everything: the pulled balance carries it, the cap is free again.
    applyPullPage(db, { changes: [], cursor: '9:9', hasMore: false, ackSeq: 99, serverTime: '2026-11-24T09:00:00.000Z' }, { from: getSetting(db, 'pull_cursor'), localNow: clock.now() })
    expect(offlineBudget(db, clock, 'a-1').capLeft).toBe(6000)
    db.close()
  })

  it("defaults to about a day's lunch", () => {
    const db = freshTill()
    expect(offlineBudget(db, clockAt('2026-11-24T09:00:00.000Z'), 'a-1').capLeft).toBe(DEFAULT_OFFLINE_CAP)
    db.close()
  })
})
