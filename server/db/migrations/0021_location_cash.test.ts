import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb } from '../../../test/support/server'
import { migrate, type Db } from '..'
import { MIGRATIONS } from '.'

describe('migration 0021 on a database written before it', () => {
  let db: Db
  beforeAll(async () => {
    db = await openTestDb()
    await migrate(
      db,
      MIGRATIONS.filter((m) => m.version < 21),
    )
    await db.exec(`
      INSERT INTO municipalities (id, name) VALUES ('m-old', 'Gammelby');
      INSERT INTO locations (id, municipality_id, name) VALUES ('l-old', 'm-old', 'Kantinen');
    `)
    await migrate(db)
  })
  afterAll(() => db.close())

  const cash = async () => (await db.query<{ cash_allowed: boolean }>(`SELECT cash_allowed FROM locations WHERE id = 'l-old'`)).rows[0]!.cash_allowed

  it('leaves the canteens already there card-only until their manager allows cash', async () => {
    expect(await cash()).toBe(false)
  })

  it('holds yes or no, never unknown', async () => {
    await db.query(`UPDATE locations SET cash_allowed = true WHERE id = 'l-old'`)
    expect(await cash()).toBe(true)
    await expect(db.query(`UPDATE locations SET cash_allowed = NULL WHERE id = 'l-old'`)).rejects.toThrow()
    expect(await cash()).toBe(true)
    await db.exec(`INSERT INTO locations (id, municipality_id, name) VALUES ('l-new', 'm-old', 'Ny kantine')`)
    expect((await db.query<{ cash_allowed: boolean }>(`SELECT cash_allowed FROM locations WHERE id = 'l-new'`)).rows[0]!.cash_allowed).toBe(false)
  })
})
