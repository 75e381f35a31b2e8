import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DB_FILE, MigrationMismatchError, migrate, openDb } from './db'
import { MIGRATIONS } from './migrations'

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
