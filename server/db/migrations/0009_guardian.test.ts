import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb } from '../../../test/support/server'
import { migrate, type Db } from '..'
import { MIGRATIONS } from '.'

describe('migration 0009 on a database written before it', () => {
  let db: Db
  beforeAll(async () => {
    db = await openTestDb()
    await migrate(
      db,
      MIGRATIONS.filter((m) => m.version < 9),
    )
    await db.exec(`
      INSERT INTO municipalities (id, name) VALUES ('m-old', 'Gammelby');
      INSERT INTO guardians (id, municipality_id, name, email) VALUES ('g-old', 'm-old', 'Gitte', 'gitte@example.dk');
    `)
    await migrate(db)
  })
  afterAll(() => db.close())

  it('adds device grants and sessions for the guardians already there', async () => {
    await db.query(
      `INSERT INTO guardian_device_grants (device_code_hash, user_code, status, guardian_id, interval_seconds, expires_at, created_at)
       VALUES ('h1', 'BCDF-GHJK', 'approved', 'g-old', 5, now(), now())`,
    )
    await db.query(`INSERT INTO guardian_sessions (token_hash, guardian_id, expires_at, created_at) VALUES ('t1', 'g-old', now(), now())`)
    // An approved grant names its guardian; a user code has the kiosk's shape.
    await expect(db.query(`INSERT INTO guardian_device_grants (device_code_hash, user_code, status, interval_seconds, expires_at, created_at) VALUES ('h2', 'BCDF-GHJL', 'approved', 5, now(), now())`)).rejects.toThrow()
    await expect(db.query(`INSERT INTO guardian_device_grants (device_code_hash, user_code, interval_seconds, expires_at, created_at) VALUES ('h3', 'bcdf', 5, now(), now())`)).rejects.toThrow()
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM guardian_sessions')).rows[0]!.n).toBe(1)
  })
})
