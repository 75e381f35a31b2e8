import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { MIGRATIONS } from './migrations'

export type Db = Database.Database

export const DB_FILE = 'till.sqlite'

export class MigrationMismatchError extends Error {}

/**
 * Opens (or creates) the till's store in `dataDir`. WAL for concurrent readers, and
 * `synchronous=FULL` because better-sqlite3's WAL default (NORMAL) can lose the last commits on
 * a power cut: a confirmed sale must survive one.
 */
export function openDb(dataDir: string, migrations = MIGRATIONS): Db {
  mkdirSync(dataDir, { recursive: true })
  const db = new Database(join(dataDir, DB_FILE))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  migrate(db, migrations)
  return db
}

export function migrate(db: Db, migrations = MIGRATIONS): void {
  const applied = db.pragma('user_version', { simple: true }) as number
  const known = migrations.length
  // A database from a newer build: running on would write rows this code does not understand.
  if (applied > known) {
    throw new MigrationMismatchError(`The till database has schema version ${applied}, this build knows ${known}. Update Kantine.`)
  }
  for (const m of migrations.slice(applied)) {
    if (m.version !== migrations.indexOf(m) + 1) throw new MigrationMismatchError(`Migration ${m.name} is out of order`)
    db.transaction(() => {
      db.exec(m.sql)
      db.pragma(`user_version = ${m.version}`)
    })()
  }
}
