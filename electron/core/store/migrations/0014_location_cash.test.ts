import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { SnapshotResponse } from '../../../../domain/sync'
import { openDb } from '../db'
import { applySnapshot } from '../pull'
import { counterSettings, getSetting, setSetting } from '../settings'
import { MIGRATIONS } from '.'

const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'kantine-location-cash-'))
  dirs.push(d)
  return d
}
const serverTime = '2026-11-30T10:00:00.000Z'

const snap = (location: { name: string; cashAllowed?: boolean }): SnapshotResponse => ({
  cursor: '9:0',
  ackSeq: 0,
  serverTime,
  periods: { day: '2026-11-30', week: '2026-W49', month: '2026-11' },
  changes: [{ entity: 'location', id: 'loc-1', data: location }],
  accounts: { id: [], holderName: [], photoId: [], status: [], balance: [], limitDay: [], limitWeek: [], limitMonth: [], spentDay: [], spentWeek: [], spentMonth: [], deniedCategoryIds: [], allowedLocationIds: [], note: [] },
  cards: { number: [], accountId: [], status: [] },
})

describe('till migration 0014: cash is the canteen’s setting, pulled from the server', () => {
  it('drops the till’s own cash setting: card only until the next sync, which starts from a snapshot that brings the canteen’s', () => {
    const dir = tmp()
    const v13 = MIGRATIONS.filter((m) => m.version <= 13)
    expect(v13).toHaveLength(13)
    const old = openDb(dir, v13)
    old.prepare(`INSERT INTO locations (id, name) VALUES ('loc-1', 'Skovvangskolen')`).run()
    old.prepare(`INSERT INTO settings (key, value) VALUES ('cash_allowed', '1')`).run()
    setSetting(old, 'location_id', 'loc-1')
    setSetting(old, 'pull_cursor', '5:3')
    setSetting(old, 'offline_cap', 9000)
    old.close()

    const db = openDb(dir)
    expect(db.prepare(`SELECT count(*) AS n FROM settings WHERE key = 'cash_allowed'`).get()).toEqual({ n: 0 })
    expect(getSetting(db, 'pull_cursor')).toBeNull()
    // The till's other settings stay.
    expect(counterSettings(db)).toMatchObject({ cashAllowed: false, offlineCap: 9000 })

    expect(applySnapshot(db, snap({ name: 'Skovvangskolen', cashAllowed: true }), { from: null, localNow: new Date(serverTime) })).not.toBeNull()
    expect(counterSettings(db).cashAllowed).toBe(true)
    // A server before the setting sends none: card only.
    expect(applySnapshot(db, snap({ name: 'Skovvangskolen' }), { from: '9:0', localNow: new Date(serverTime) })).not.toBeNull()
    expect(counterSettings(db).cashAllowed).toBe(false)
    expect(() => db.prepare(`UPDATE locations SET cash_allowed = 2 WHERE id = 'loc-1'`).run()).toThrow()
    db.close()
  })

  it('leaves a till with no canteen, or no pull yet, card only', () => {
    const db = openDb(tmp())
    expect(counterSettings(db).cashAllowed).toBe(false)
    setSetting(db, 'location_id', 'loc-1')
    expect(counterSettings(db).cashAllowed).toBe(false)
    db.close()
  })
})
