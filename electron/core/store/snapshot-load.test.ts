import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { AccountColumns, CardColumns, SnapshotResponse } from '../../../domain/sync'
import { canteenChanges, seedCanteen } from '../../../test/support/core'
import { openDb, type Db } from './db'
import { applySnapshot, stageSnapshot } from './pull'
import { getSetting, setSetting } from './settings'

const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))
const localNow = new Date('2026-11-24T10:00:00.000Z')

function till(): Db {
  const dir = mkdtempSync(join(tmpdir(), 'kantine-snapload-'))
  dirs.push(dir)
  return openDb(dir)
}

/** A municipality of `n` accounts with every kind of value the columns carry (nulls, notes, lists). */
function snapshotOf(n: number): SnapshotResponse {
  const i = Array.from({ length: n }, (_, k) => k)
  return {
    cursor: '812:0',
    ackSeq: 7,
    serverTime: '2026-11-24T09:59:00.000Z',
    periods: { day: '2026-11-24', week: '2026-W48', month: '2026-11' },
    changes: canteenChanges().filter((c) => c.entity !== 'account' && c.entity !== 'card'),
    accounts: {
      id: i.map((k) => `a-${k}`),
      holderName: i.map((k) => `Elev ${k} Ærø`),
      photoId: i.map((k) => (k % 3 === 0 ? null : `${String(k).padStart(2, '0')}${'f'.repeat(62)}`.slice(0, 64))),
      status: i.map((k) => (k % 7 === 0 ? 'blocked' : 'active')),
      balance: i.map((k) => k * 100 - 500),
      limitDay: i.map((k) => (k % 2 ? 5000 : null)),
      limitWeek: i.map((k) => (k % 5 ? null : 20000)),
      limitMonth: i.map(() => null),
      spentDay: i.map((k) => k % 4),
      spentWeek: i.map((k) => k % 9),
      spentMonth: i.map((k) => k),
      deniedCategoryIds: i.map((k) => (k % 4 === 0 ? ['cat-hot'] : [])),
      allowedLocationIds: i.map((k) => (k % 2 ? null : ['loc-1'])),
      note: i.map((k) => (k % 10 === 0 ? `Nødder: nej (${k})` : null)),
    },
    cards: { number: i.map((k) => `K${String(k).padStart(6, '0')}`), accountId: i.map((k) => `a-${k}`), status: i.map((k) => (k % 11 === 0 ? 'lost' : 'active')) },
  }
}

const slice = <T extends Record<string, unknown[] | undefined>>(cols: T, from: number, to: number): T =>
  Object.fromEntries(Object.entries(cols).map(([k, v]) => [k, v?.slice(from, to)])) as T

/** The snapshot through the staged path, `size` rows per chunk, as the lines of the NDJSON answer bring it. */
function streamed(db: Db, snap: SnapshotResponse, size: number, from: string | null) {
  const { accounts, cards, ...head } = snap
  const load = stageSnapshot(db, head)
  for (let k = 0; k < accounts.id.length; k += size) load.accounts(slice(accounts, k, k + size) as AccountColumns)
  for (let k = 0; k < cards.number.length; k += size) load.cards(slice(cards, k, k + size) as CardColumns)
  return load.apply({ accounts: accounts.id.length, cards: cards.number.length }, { from, localNow })
}

const dump = (db: Db) =>
  Object.fromEntries(
    ['accounts', 'cards', 'products', 'categories', 'locations', 'staff', 'settings'].map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY 1`).all()]),
  )

describe('a snapshot stored chunk by chunk as it arrives', () => {
  it('gives the same store as the whole snapshot applied at once', () => {
    const snap = snapshotOf(2500)
    const whole = till()
    const staged = till()
    expect(applySnapshot(whole, snap, { from: null, localNow })).toEqual(streamed(staged, snap, 1000, null))
    expect(dump(staged)).toEqual(dump(whole))
    expect((staged.prepare('SELECT COUNT(*) AS n FROM accounts').get() as { n: number }).n).toBe(2500)
    expect(getSetting(staged, 'pull_cursor')).toBe('812:0')
    expect(getSetting(staged, 'acked_seq')).toBe('7')
    // The staging tables are gone with the load.
    expect(staged.prepare("SELECT name FROM sqlite_temp_master WHERE type = 'table'").all()).toEqual([])
  })

  it('replaces what the till held, as a whole snapshot does', () => {
    const db = till()
    seedCanteen(db, '2026-11-23T09:00:00.000Z')
    expect(db.prepare("SELECT 1 FROM cards WHERE number = 'DEMO0001'").get()).toBeDefined()
    expect(streamed(db, snapshotOf(10), 4, '1:1')).not.toBeNull()
    expect(db.prepare("SELECT 1 FROM cards WHERE number = 'DEMO0001'").get()).toBeUndefined()
    expect((db.prepare('SELECT COUNT(*) AS n FROM cards').get() as { n: number }).n).toBe(10)
  })

  it('applies nothing when fewer rows arrived than the server says it sent', () => {
    const db = till()
    seedCanteen(db, '2026-11-23T09:00:00.000Z')
    const before = dump(db)
    const { accounts, cards, ...head } = snapshotOf(30)
    const load = stageSnapshot(db, head)
    load.accounts(slice(accounts, 0, 20) as AccountColumns)
    load.cards(cards)
    expect(() => load.apply({ accounts: 30, cards: 30 }, { from: '1:1', localNow })).toThrow(/sent 30 accounts/)
    expect(dump(db)).toEqual(before)
    expect(db.prepare("SELECT name FROM sqlite_temp_master WHERE type = 'table'").all()).toEqual([])
  })

  it('applies nothing when the cursor moved on while it arrived', () => {
    const db = till()
    seedCanteen(db, '2026-11-23T09:00:00.000Z')
    setSetting(db, 'pull_cursor', '2:1')
    const before = dump(db)
    expect(streamed(db, snapshotOf(5), 2, '1:1')).toBeNull()
    expect(dump(db)).toEqual(before)
  })

  it('sells from the old data while a snapshot is staged, and a load cut off midway leaves it as it was', () => {
    const db = till()
    seedCanteen(db, '2026-11-23T09:00:00.000Z')
    const before = dump(db)
    const { accounts, ...head } = snapshotOf(6)
    const load = stageSnapshot(db, head)
    load.accounts(slice(accounts, 0, 3) as AccountColumns)
    // Between two chunks the till's own transactions run as usual on the same connection.
    db.transaction(() => setSetting(db, 'sound_on', '0'))()
    expect(db.prepare("SELECT 1 FROM cards WHERE number = 'DEMO0001'").get()).toBeDefined()
    load.discard()
    expect(dump(db)).toEqual({ ...before, settings: dump(db).settings })
    expect(getSetting(db, 'pull_cursor')).toBe('1:1')
    // A new load on the same connection starts clean.
    expect(streamed(db, snapshotOf(3), 2, '1:1')).not.toBeNull()
    expect((db.prepare('SELECT COUNT(*) AS n FROM accounts').get() as { n: number }).n).toBe(3)
  })
})
