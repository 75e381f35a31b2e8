import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DB_FILE, openDb } from './db'

// The till's folder holds the device token, names and PIN hashes: another local user must not
// read it. Modes are POSIX; on Windows the folder sits in the user's own profile.
const posix = process.platform !== 'win32'

const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))
const parent = () => {
  const d = mkdtempSync(join(tmpdir(), 'kantine-perm-'))
  dirs.push(d)
  return d
}
const mode = (path: string) => statSync(path).mode & 0o777

describe.runIf(posix)("the till's files are for its own user only", () => {
  it('creates the data folder 0700 and the database, its WAL and shared memory 0600, whatever the umask', () => {
    const previous = process.umask(0o022) // the usual umask: new files would be 0644, folders 0755
    try {
      const dataDir = join(parent(), 'Kantine', 'till')
      const db = openDb(dataDir)
      db.prepare("INSERT INTO outbox (mutation_id, kind, payload, created_at) VALUES ('m1', 'sale.record', '{}', '2026-11-24T10:00:00Z')").run()
      expect(mode(dataDir)).toBe(0o700)
      expect(mode(join(dataDir, DB_FILE))).toBe(0o600)
      expect(mode(join(dataDir, `${DB_FILE}-wal`))).toBe(0o600)
      expect(mode(join(dataDir, `${DB_FILE}-shm`))).toBe(0o600)
      db.close()
    } finally {
      process.umask(previous)
    }
  })

  it('tightens a folder and files it finds readable by others', () => {
    const dataDir = join(parent(), 'till')
    openDb(dataDir).close()
    chmodSync(dataDir, 0o755)
    chmodSync(join(dataDir, DB_FILE), 0o644)
    writeFileSync(join(dataDir, `${DB_FILE}-wal`), '')
    chmodSync(join(dataDir, `${DB_FILE}-wal`), 0o666)

    const db = openDb(dataDir)
    expect(mode(dataDir)).toBe(0o700)
    expect(mode(join(dataDir, DB_FILE))).toBe(0o600)
    expect(mode(join(dataDir, `${DB_FILE}-wal`))).toBe(0o600)
    db.close()
  })

  it('tightens a folder the user made beforehand (e.g. --data-dir /var/lib/kantine)', () => {
    const dataDir = join(parent(), 'kantine')
    mkdirSync(dataDir, { mode: 0o777 })
    chmodSync(dataDir, 0o777)
    openDb(dataDir).close()
    expect(mode(dataDir)).toBe(0o700)
  })
})
