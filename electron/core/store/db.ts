import Database from 'better-sqlite3'
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { MIGRATIONS } from './migrations'

export type Db = Database.Database

/**
 * Statements prepared once per database handle. `db.prepare` compiles the SQL every call
 * (tens of microseconds, more for a join); the sale path, the card lookup and sync run the same
 * few statements thousands of times a day. Keyed by the handle (a WeakMap, so a closed handle's
 * statements go with it) and by the SQL text: callers pass a constant string, never one built
 * from values (those are bound as parameters), so the cache stays as small as the code's SQL.
 */
const STATEMENTS = new WeakMap<Db, Map<string, Database.Statement>>()

export function stmt(db: Db, sql: string): Database.Statement {
  let cache = STATEMENTS.get(db)
  if (!cache) STATEMENTS.set(db, (cache = new Map()))
  let s = cache.get(sql)
  if (!s) cache.set(sql, (s = db.prepare(sql)))
  return s
}

export const DB_FILE = 'till.sqlite'

export class MigrationMismatchError extends Error {}

export interface OpenDbOptions {
  /**
   * better-sqlite3's compiled addon to load instead of node_modules' own build: the packaged
   * Electron app passes the copy built for Electron's ABI (native/electron/, see
   * electron/main/native-binding.ts), while node_modules keeps the build for Node that the tests
   * and the host shell use.
   */
  nativeBinding?: string
}

/**
 * Opens (or creates) the till's store in `dataDir`. WAL for concurrent readers, and
 * `synchronous=FULL` because better-sqlite3's WAL default (NORMAL) can lose the last commits on
 * a power cut: a confirmed sale must survive one.
 */
export function openDb(dataDir: string, migrations = MIGRATIONS, options: OpenDbOptions = {}): Db {
  const file = join(dataDir, DB_FILE)
  secureDataDir(dataDir)
  // Created empty with its mode before SQLite opens it: SQLite gives the -wal and -shm files the
  // mode of the database file, and there is no moment in which the file is world-readable.
  if (!existsSync(file)) closeSync(openSync(file, 'a', FILE_MODE))
  const db = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {})
  db.pragma('journal_mode = WAL')
  // A folder or files left by an older build (or copied in) with looser modes are tightened.
  for (const f of [file, `${file}-wal`, `${file}-shm`]) tighten(f, FILE_MODE)
  db.pragma('synchronous = FULL')
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  migrate(db, migrations)
  return db
}

/**
 * The data folder holds the device token (the till's key to the server), names, balances and
 * the staff's PIN hashes: only the till's own OS user may read it. On Windows the modes mean
 * little (the folder lives in the user's own %APPDATA%), so nothing is checked there.
 */
const DIR_MODE = 0o700
const FILE_MODE = 0o600

export function secureDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: DIR_MODE })
  tighten(dataDir, DIR_MODE)
}

function tighten(path: string, mode: number): void {
  if (process.platform === 'win32' || !existsSync(path)) return
  if ((statSync(path).mode & 0o777 & ~mode) !== 0) chmodSync(path, mode)
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
    // A table rebuild (SQLite's "12 steps") drops a table others reference: foreign keys are off
    // for it (the pragma is a no-op inside a transaction, so it is set around it) and checked
    // before the migration commits, so it never leaves a dangling reference behind.
    if (m.foreignKeysOff) db.pragma('foreign_keys = OFF')
    try {
      db.transaction(() => {
        db.exec(m.sql)
        if (m.foreignKeysOff) {
          const broken = db.pragma('foreign_key_check') as unknown[]
          if (broken.length > 0) throw new MigrationMismatchError(`Migration ${m.name} leaves ${broken.length} broken references`)
        }
        db.pragma(`user_version = ${m.version}`)
      })()
    } finally {
      if (m.foreignKeysOff) db.pragma('foreign_keys = ON')
    }
  }
}
