import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DB_FILE, MigrationMismatchError, migrate, openDb } from './db'
import { MIGRATIONS } from './migrations'
import { readCardAccount } from './accounts'
import { seedCanteen } from '../../../test/support/core'

const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'kantine-db-'))
  dirs.push(d)
  return d
}

describe('the till store', () => {
  it('opens with WAL, synchronous=FULL and foreign keys on', () => {
    const db = openDb(tmp())
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('synchronous', { simple: true })).toBe(2) // FULL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length)
    db.close()
  })

  it('upgrades an old database and keeps its sales', () => {
    const dir = tmp()
    const old = openDb(dir, MIGRATIONS.slice(0, 1))
    old.prepare(`INSERT INTO outbox (mutation_id, kind, payload, created_at) VALUES ('m1', 'sale.record', '{}', '2026-11-24T10:00:00Z')`).run()
    old.close()
    const next = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'test_add_column', sql: 'ALTER TABLE outbox ADD COLUMN note TEXT' }]
    const db = openDb(dir, next)
    expect(db.pragma('user_version', { simple: true })).toBe(next.length)
    expect(db.prepare('SELECT mutation_id, note FROM outbox').all()).toEqual([{ mutation_id: 'm1', note: null }])
    db.close()
  })

  it('0002 moves a schema-1 till to photo ids: photos dropped, cursor cleared (a new snapshot follows), outbox kept', () => {
    const dir = tmp()
    const old = openDb(dir, MIGRATIONS.slice(0, 1))
    old.prepare(`INSERT INTO outbox (mutation_id, kind, payload, created_at) VALUES ('m1', 'sale.record', '{}', '2026-11-24T10:00:00Z')`).run()
    old
      .prepare(
        `INSERT INTO accounts (id, holder_name, photo, status, balance, spent, denied_categories, synced_at)
         VALUES ('a-1', 'Pia', 'data:image/svg+xml;base64,PHN2Zy8+', 'active', 100, '{}', '[]', '2026-11-24T10:00:00Z')`,
      )
      .run()
    old.prepare(`INSERT INTO settings (key, value) VALUES ('pull_cursor', '12:34'), ('acked_seq', '7')`).run()
    old.close()
    const db = openDb(dir, MIGRATIONS.slice(0, 2))
    expect(db.prepare('SELECT id, photo_id, balance FROM accounts').all()).toEqual([{ id: 'a-1', photo_id: null, balance: 100 }])
    expect(db.prepare('SELECT key, value FROM settings ORDER BY key').all()).toEqual([{ key: 'acked_seq', value: '7' }])
    expect(db.prepare('SELECT mutation_id FROM outbox').all()).toEqual([{ mutation_id: 'm1' }])
    db.close()
  })

  it('0003 keeps an old till counting its pending sales: balance and day/week/month spend, now from the outbox row alone', () => {
    const dir = tmp()
    const old = openDb(dir, MIGRATIONS.slice(0, 2))
    // Freja's account and card as a schema-2 till held them (written by hand: today's pull code writes today's columns).
    old
      .prepare(
        `INSERT INTO accounts (id, holder_name, photo_id, status, balance, limit_day, limit_week, limit_month, spent, denied_categories, allowed_locations, synced_at)
         VALUES ('a-1', 'Freja Nielsen', NULL, 'active', 15000, NULL, NULL, NULL, ?, '[]', NULL, '2026-11-24T09:00:00.000Z')`,
      )
      .run(JSON.stringify({ day: { key: '', amount: 0 }, week: { key: '', amount: 0 }, month: { key: '', amount: 0 } }))
    old.prepare(`INSERT INTO cards (number, account_id, status) VALUES ('DEMO0001', 'a-1', 'active')`).run()
    // A pending sale of 35 kr. as a schema-2 till wrote it (outbox + sales), and one the server already acknowledged.
    for (const [seq, total] of [[1, 1000], [2, 3500]] as const) {
      old
        .prepare(`INSERT INTO outbox (seq, mutation_id, kind, payload, created_at, account_id, delta) VALUES (?, ?, 'sale.record', '{}', '2026-11-24T10:00:00Z', 'a-1', ?)`)
        .run(seq, `m${seq}`, -total)
      old
        .prepare(
          `INSERT INTO sales (id, seq, at, card_number, account_id, staff_id, total, offline, day_key, week_key, month_key)
           VALUES (?, ?, '2026-11-24T10:00:00Z', 'DEMO0001', 'a-1', 's-mette', ?, 1, '2026-11-24', '2026-W48', '2026-11')`,
        )
        .run(`s${seq}`, seq, total)
    }
    old.close()

    const db = openDb(dir) // upgraded through 0003 and every migration after it, as a real till is
    // The sales table plays no part in what is pending any more.
    db.prepare('DELETE FROM sale_lines').run()
    db.pragma('foreign_keys = OFF')
    db.prepare('DELETE FROM sales').run()
    const card = readCardAccount(db, 'DEMO0001', 1, { day: '2026-11-24', week: '2026-W48', month: '2026-11' })!
    expect(card.view.balance).toBe(15000 - 3500)
    expect(card.view.spent).toEqual({
      day: { key: '2026-11-24', amount: 3500 },
      week: { key: '2026-W48', amount: 3500 },
      month: { key: '2026-11', amount: 3500 },
    })
    expect(db.prepare('SELECT seq, spend, offline FROM outbox ORDER BY seq').all()).toEqual([
      { seq: 1, spend: 1000, offline: 1 },
      { seq: 2, spend: 3500, offline: 1 },
    ])
    db.close()
  })

  it('counts a pending mutation that is not a sale by its own effects (a void gives money and spend back)', () => {
    const db = openDb(tmp())
    seedCanteen(db, '2026-11-24T09:00:00.000Z')
    const keys = { day: '2026-11-24', week: '2026-W48', month: '2026-11' }
    const row = db.prepare(
      `INSERT INTO outbox (mutation_id, kind, payload, created_at, account_id, delta, spend, day_key, week_key, month_key)
       VALUES (?, ?, '{}', '2026-11-24T10:00:00Z', 'a-1', ?, ?, ?, ?, ?)`,
    )
    row.run('m-sale', 'sale.record', -3500, 3500, keys.day, keys.week, keys.month)
    row.run('m-void', 'sale.void', 3500, -3500, keys.day, keys.week, keys.month)
    row.run('m-sale-2', 'sale.record', -800, 800, keys.day, keys.week, keys.month)
    const card = readCardAccount(db, 'DEMO0001', 0, keys)!
    expect(card.view.balance).toBe(15000 - 800)
    expect(card.view.spent.day).toEqual({ key: keys.day, amount: 800 })
    db.close()
  })

  it('refuses to start on a database from a newer build', () => {
    const dir = tmp()
    openDb(dir).close()
    const raw = new Database(join(dir, DB_FILE))
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`)
    raw.close()
    expect(() => openDb(dir)).toThrow(MigrationMismatchError)
  })

  it('leaves the database untouched when a migration fails half way', () => {
    const raw = new Database(':memory:')
    const broken = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'broken', sql: 'CREATE TABLE x (a INTEGER); SELECT nope FROM nowhere' }]
    expect(() => migrate(raw, broken)).toThrow()
    expect(raw.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length)
    expect(raw.prepare(`SELECT name FROM sqlite_master WHERE name = 'x'`).get()).toBeUndefined()
  })
})
