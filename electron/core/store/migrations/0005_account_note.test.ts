import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { SnapshotResponse } from '../../../../domain/sync'
import { account, seedCanteen } from '../../../../test/support/core'
import { readCardAccount } from '../accounts'
import { openDb } from '../db'
import { applyPullPage, applySnapshot } from '../pull'
import { getSetting, setSetting } from '../settings'
import { MIGRATIONS } from '.'

const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'kantine-note-'))
  dirs.push(d)
  return d
}
const keys = { day: '2026-11-24', week: '2026-W48', month: '2026-11' }
const serverTime = '2026-11-24T10:00:00.000Z'
const noteOf = (db: ReturnType<typeof openDb>) => readCardAccount(db, 'DEMO0001', 0, keys)!.note

describe('till migration 0005: the guardian’s note', () => {
  it('upgrades a till that pulled accounts without notes: no note yet, and the next sync starts from a snapshot that brings them', () => {
    const dir = tmp()
    const old = openDb(dir, MIGRATIONS.slice(0, 4))
    // Freja's account and card as a schema-4 till held them (by hand: today's pull code writes today's columns).
    old
      .prepare(
        `INSERT INTO accounts (id, holder_name, photo_id, status, balance, limit_day, limit_week, limit_month, spent, denied_categories, allowed_locations, synced_at)
         VALUES ('a-1', 'Freja Nielsen', NULL, 'active', 15000, NULL, NULL, NULL, ?, '[]', NULL, '2026-11-24T09:00:00.000Z')`,
      )
      .run(JSON.stringify({ day: { key: '', amount: 0 }, week: { key: '', amount: 0 }, month: { key: '', amount: 0 } }))
    old.prepare(`INSERT INTO cards (number, account_id, status) VALUES ('DEMO0001', 'a-1', 'active')`).run()
    setSetting(old, 'pull_cursor', '1:1')
    old.close()

    const db = openDb(dir)
    expect(getSetting(db, 'pull_cursor')).toBeNull()
    expect(noteOf(db)).toBeNull()
    // Everything else the till held is still there until the snapshot replaces it.
    expect(readCardAccount(db, 'DEMO0001', 0, keys)).toMatchObject({ holderName: 'Freja Nielsen', view: { balance: 15000 } })
    db.close()
  })

  it('stores the note a pull page brings, and clears it when a change has none (a row written before notes, or null)', () => {
    const db = openDb(tmp())
    seedCanteen(db, '2026-11-24T09:00:00.000Z')
    const page = (data: ReturnType<typeof account>, from: string, cursor: string) =>
      applyPullPage(db, { changes: [{ entity: 'account', id: 'a-1', data }], cursor, hasMore: false, ackSeq: null, serverTime }, { from, localNow: new Date(serverTime) })
    expect(page(account({ note: 'Ingen nødder' }), '1:1', '2:1')).not.toBeNull()
    expect(noteOf(db)).toBe('Ingen nødder')
    expect(page(account(), '2:1', '3:1')).not.toBeNull()
    expect(noteOf(db)).toBeNull()
    page(account({ note: 'Allergi: sesam' }), '3:1', '4:1')
    page(account({ note: null }), '4:1', '5:1')
    expect(noteOf(db)).toBeNull()
    db.close()
  })

  it('takes notes from a snapshot, and none from a snapshot of a server before them (no note column)', () => {
    const snap = (note?: (string | null)[]): SnapshotResponse => ({
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
        ...(note ? { note } : {}),
      },
      cards: { number: ['DEMO0001'], accountId: ['a-1'], status: ['active'] },
    })
    // The wire check: a note column, if there is one, is as long as the others.
    expect(SnapshotResponse.safeParse(snap(['Kun vegetar'])).success).toBe(true)
    expect(SnapshotResponse.safeParse(snap()).success).toBe(true)
    expect(SnapshotResponse.safeParse(snap(['Kun vegetar', null])).success).toBe(false)
    expect(SnapshotResponse.safeParse(snap(['x'.repeat(201)])).success).toBe(false)
    const db = openDb(tmp())
    expect(applySnapshot(db, snap(['Kun vegetar']), { from: null, localNow: new Date(serverTime) })).not.toBeNull()
    expect(noteOf(db)).toBe('Kun vegetar')
    expect(applySnapshot(db, snap(), { from: '9:0', localNow: new Date(serverTime) })).not.toBeNull()
    expect(noteOf(db)).toBeNull()
    db.close()
  })
})
