import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Allergen } from '../../../../domain/allergens'
import { SnapshotResponse } from '../../../../domain/sync'
import { account, seedCanteen } from '../../../../test/support/core'
import { readCardAccount } from '../accounts'
import { openDb } from '../db'
import { applyPullPage, applySnapshot, stageSnapshot } from '../pull'
import { getSetting, setSetting } from '../settings'
import { MIGRATIONS } from '.'

const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'kantine-allergens-'))
  dirs.push(d)
  return d
}
const keys = { day: '2026-11-24', week: '2026-W48', month: '2026-11' }
const serverTime = '2026-11-24T10:00:00.000Z'
const allergensOf = (db: ReturnType<typeof openDb>) => readCardAccount(db, 'DEMO0001', 0, keys)!.allergens

const snap = (allergens?: Allergen[][]): SnapshotResponse => ({
  cursor: '9:0',
  ackSeq: 0,
  serverTime,
  periods: keys,
  changes: [],
  accounts: {
    id: ['a-1'],
    holderName: ['Freja Nielsen'],
    photoId: [null],
    status: ['active'],
    balance: [15000],
    limitDay: [null],
    limitWeek: [null],
    limitMonth: [null],
    spentDay: [0],
    spentWeek: [0],
    spentMonth: [0],
    deniedCategoryIds: [[]],
    allowedLocationIds: [null],
    note: [null],
    ...(allergens ? { allergens } : {}),
  },
  cards: { number: ['DEMO0001'], accountId: ['a-1'], status: ['active'] },
})

describe('till migration 0012: the child’s allergens', () => {
  it('upgrades a till that pulled accounts without allergens: none yet, and the next sync starts from a snapshot that brings them', () => {
    const dir = tmp()
    const v11 = MIGRATIONS.filter((m) => m.version <= 11)
    expect(v11).toHaveLength(11)
    const old = openDb(dir, v11)
    old
      .prepare(
        `INSERT INTO accounts (id, holder_name, photo_id, status, balance, limit_day, limit_week, limit_month, spent, denied_categories, allowed_locations, note, synced_at)
         VALUES ('a-1', 'Freja Nielsen', NULL, 'active', 15000, NULL, NULL, NULL, ?, '[]', NULL, 'Ingen nødder', '2026-11-24T09:00:00.000Z')`,
      )
      .run(JSON.stringify({ day: { key: '', amount: 0 }, week: { key: '', amount: 0 }, month: { key: '', amount: 0 } }))
    old.prepare(`INSERT INTO cards (number, account_id, status) VALUES ('DEMO0001', 'a-1', 'active')`).run()
    setSetting(old, 'pull_cursor', '1:1')
    old.close()

    const db = openDb(dir)
    expect(getSetting(db, 'pull_cursor')).toBeNull()
    expect(allergensOf(db)).toEqual([])
    expect(readCardAccount(db, 'DEMO0001', 0, keys)).toMatchObject({ holderName: 'Freja Nielsen', note: 'Ingen nødder', view: { balance: 15000 } })
    db.close()
  })

  it('stores the allergens a pull page brings, in the list’s order, and none when a change has none', () => {
    const db = openDb(tmp())
    seedCanteen(db, '2026-11-24T09:00:00.000Z')
    const page = (data: ReturnType<typeof account>, from: string, cursor: string) =>
      applyPullPage(db, { changes: [{ entity: 'account', id: 'a-1', data }], cursor, hasMore: false, ackSeq: null, serverTime }, { from, localNow: new Date(serverTime) })
    expect(page(account({ allergens: ['milk', 'gluten'] }), '1:1', '2:1')).not.toBeNull()
    expect(allergensOf(db)).toEqual(['gluten', 'milk'])
    // A change row written before allergens: none.
    expect(page(account(), '2:1', '3:1')).not.toBeNull()
    expect(allergensOf(db)).toEqual([])
    page(account({ allergens: ['sesame'] }), '3:1', '4:1')
    page(account({ allergens: [] }), '4:1', '5:1')
    expect(allergensOf(db)).toEqual([])
    db.close()
  })

  it('takes allergens from a snapshot, whole or in lines, and none from a server before them', () => {
    expect(SnapshotResponse.safeParse(snap([['milk']])).success).toBe(true)
    expect(SnapshotResponse.safeParse(snap()).success).toBe(true)
    expect(SnapshotResponse.safeParse(snap([['milk'], []])).success).toBe(false)
    expect(SnapshotResponse.safeParse(snap([['chocolate' as Allergen]])).success).toBe(false)
    // The wire form is made canonical: each once, in the list's order.
    expect(SnapshotResponse.parse(snap([['milk', 'gluten', 'milk']])).accounts.allergens).toEqual([['gluten', 'milk']])

    const db = openDb(tmp())
    expect(applySnapshot(db, snap([['milk', 'eggs']]), { from: null, localNow: new Date(serverTime) })).not.toBeNull()
    expect(allergensOf(db)).toEqual(['eggs', 'milk'])
    expect(applySnapshot(db, snap(), { from: '9:0', localNow: new Date(serverTime) })).not.toBeNull()
    expect(allergensOf(db)).toEqual([])

    const { accounts, cards, ...head } = snap([['peanuts']])
    const load = stageSnapshot(db, { ...head, cursor: '10:0' })
    load.accounts(accounts)
    load.cards(cards)
    expect(load.apply({ accounts: 1, cards: 1 }, { from: '9:0', localNow: new Date(serverTime) })).not.toBeNull()
    expect(allergensOf(db)).toEqual(['peanuts'])
    db.close()
  })
})
