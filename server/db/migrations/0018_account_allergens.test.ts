import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ALLERGENS } from '../../../domain/allergens'
import { openTestDb } from '../../../test/support/server'
import { migrate, type Db } from '..'
import { MIGRATIONS } from '.'
import { sql } from './0018_account_allergens'

describe('migration 0018 on a database written before it', () => {
  let db: Db
  beforeAll(async () => {
    db = await openTestDb()
    await migrate(
      db,
      MIGRATIONS.filter((m) => m.version < 18),
    )
    await db.exec(`
      INSERT INTO municipalities (id, name) VALUES ('m-old', 'Gammelby');
      INSERT INTO holders (id, municipality_id, name) VALUES ('h-old', 'm-old', 'Ole');
      INSERT INTO accounts (id, holder_id, municipality_id, balance) VALUES ('acc-old', 'h-old', 'm-old', 0);
    `)
    await migrate(db)
  })
  afterAll(() => db.close())

  const allergens = async () => (await db.query<{ allergens: string[] }>(`SELECT allergens FROM accounts WHERE id = 'acc-old'`)).rows[0]!.allergens

  it('gives the accounts already there no allergens', async () => {
    expect(await allergens()).toEqual([])
  })

  it('holds every one of the 14 codes and nothing else: no unknown code, no NULL element, no NULL set', async () => {
    await db.query(`UPDATE accounts SET allergens = $1::text[] WHERE id = 'acc-old'`, [[...ALLERGENS]])
    expect(await allergens()).toEqual([...ALLERGENS])
    await expect(db.query(`UPDATE accounts SET allergens = ARRAY['milk', 'chocolate'] WHERE id = 'acc-old'`)).rejects.toThrow()
    await expect(db.query(`UPDATE accounts SET allergens = ARRAY['Milk'] WHERE id = 'acc-old'`)).rejects.toThrow()
    await expect(db.query(`UPDATE accounts SET allergens = ARRAY['milk', NULL] WHERE id = 'acc-old'`)).rejects.toThrow()
    await expect(db.query(`UPDATE accounts SET allergens = NULL WHERE id = 'acc-old'`)).rejects.toThrow()
    expect(await allergens()).toEqual([...ALLERGENS])
  })

  it('names exactly the domain’s 14 codes in its CHECK', () => {
    const listed = [...sql.matchAll(/'([a-z]+)'/g)].map((m) => m[1])
    expect(listed).toEqual([...ALLERGENS])
  })
})
