import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb } from '../../../test/support/server'
import { migrate, type Db } from '..'
import { MIGRATIONS } from '.'

describe('migration 0011 on a database written before it', () => {
  let db: Db
  beforeAll(async () => {
    db = await openTestDb()
    await migrate(
      db,
      MIGRATIONS.filter((m) => m.version < 11),
    )
    await db.exec(`
      INSERT INTO municipalities (id, name) VALUES ('m-old', 'Gammelby');
      INSERT INTO holders (id, municipality_id, name) VALUES ('h-old', 'm-old', 'Ole');
      INSERT INTO accounts (id, holder_id, municipality_id, balance) VALUES ('acc-old', 'h-old', 'm-old', 0);
    `)
    await migrate(db)
  })
  afterAll(() => db.close())

  it('gives the accounts already there no note, and holds a note to 1–200 characters', async () => {
    expect((await db.query(`SELECT note FROM accounts WHERE id = 'acc-old'`)).rows).toEqual([{ note: null }])
    await expect(db.query(`UPDATE accounts SET note = '' WHERE id = 'acc-old'`)).rejects.toThrow()
    await expect(db.query(`UPDATE accounts SET note = repeat('x', 201) WHERE id = 'acc-old'`)).rejects.toThrow()
    await db.query(`UPDATE accounts SET note = repeat('ø', 200) WHERE id = 'acc-old'`)
    expect((await db.query<{ n: number }>(`SELECT char_length(note)::int AS n FROM accounts WHERE id = 'acc-old'`)).rows).toEqual([{ n: 200 }])
  })
})
