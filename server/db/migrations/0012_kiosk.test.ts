import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb } from '../../../test/support/server'
import { migrate, type Db } from '..'
import { MIGRATIONS } from '.'

describe('migration 0012 on a database written before it', () => {
  let db: Db
  beforeAll(async () => {
    db = await openTestDb()
    await migrate(
      db,
      MIGRATIONS.filter((m) => m.version < 12),
    )
    await db.exec(`
      INSERT INTO municipalities (id, name) VALUES ('m-old', 'Gammelby');
      INSERT INTO locations (id, municipality_id, name) VALUES ('l-old', 'm-old', 'Gammel kantine');
      INSERT INTO terminals (id, municipality_id, location_id, name, token_hash) VALUES ('t-old', 'm-old', 'l-old', 'Kasse 1', 'h-old');
      INSERT INTO enrolment_codes (code_hash, location_id, expires_at) VALUES ('c-old', 'l-old', now());
      INSERT INTO guardians (id, municipality_id, name, email) VALUES ('g-old', 'm-old', 'Gitte', 'gitte@example.dk');
    `)
    await migrate(db)
  })
  afterAll(() => db.close())

  it('makes every terminal and code so far a till’s, and no guardian has a PIN yet', async () => {
    expect((await db.query('SELECT kind FROM terminals')).rows).toEqual([{ kind: 'till' }])
    expect((await db.query('SELECT kind FROM enrolment_codes')).rows).toEqual([{ kind: 'till' }])
    expect((await db.query('SELECT pin_hash FROM guardians')).rows).toEqual([{ pin_hash: null }])
  })

  it('knows only the two kinds, and counts failures as positive numbers', async () => {
    await expect(db.query(`UPDATE terminals SET kind = 'toaster'`)).rejects.toThrow()
    await expect(db.query(`INSERT INTO guardian_pin_failures (card_hash, failures, last_failure_at) VALUES ('x', 0, now())`)).rejects.toThrow()
    expect((await db.query('SELECT kind FROM terminals')).rows).toEqual([{ kind: 'till' }])
  })
})
