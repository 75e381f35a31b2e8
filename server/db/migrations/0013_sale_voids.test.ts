import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb } from '../../../test/support/server'
import { migrate, type Db } from '..'
import { MIGRATIONS } from '.'

describe('migration 0013 on a database written before it', () => {
  let db: Db
  const sale = '6f1c2f0e-1111-4a4a-8b8b-000000000001'
  beforeAll(async () => {
    db = await openTestDb()
    await migrate(
      db,
      MIGRATIONS.filter((m) => m.version < 13),
    )
    await db.exec(`
      INSERT INTO municipalities (id, name) VALUES ('m-old', 'Gammelby');
      INSERT INTO locations (id, municipality_id, name) VALUES ('l-old', 'm-old', 'Kantinen');
      INSERT INTO terminals (id, municipality_id, location_id, name, token_hash) VALUES ('t-old', 'm-old', 'l-old', 'Kasse', 'h');
      INSERT INTO holders (id, municipality_id, name) VALUES ('h-old', 'm-old', 'Ole');
      INSERT INTO accounts (id, holder_id, municipality_id, balance) VALUES ('acc-old', 'h-old', 'm-old', 0);
      INSERT INTO sales (id, municipality_id, terminal_id, seq, account_id, card_number, location_id, staff_id, total, offline, sold_at)
        VALUES ('${sale}', 'm-old', 't-old', 1, 'acc-old', 'C1', 'l-old', 's-old', 1500, false, now());
    `)
    await migrate(db)
  })
  afterAll(() => db.close())

  const insertVoid = (seq: number, reason = 'Forkert vare') =>
    db.query(
      `INSERT INTO sale_voids (sale_id, municipality_id, terminal_id, seq, authorised_by, reason, amount, voided_at)
       VALUES ($1, 'm-old', 't-old', $2, 's-boss', $3, 1500, now())`,
      [sale, seq, reason],
    )

  it('keeps the sales already there, and voids one sale once only', async () => {
    expect((await db.query(`SELECT count(*)::int AS n FROM sales`)).rows).toEqual([{ n: 1 }])
    await insertVoid(2)
    await expect(insertVoid(3)).rejects.toThrow()
  })

  it('holds a reason to 1–200 characters and a void to a sale that exists', async () => {
    await expect(db.query(`INSERT INTO sale_voids (sale_id, municipality_id, terminal_id, seq, authorised_by, reason, amount, voided_at)
      VALUES ('6f1c2f0e-1111-4a4a-8b8b-000000000009', 'm-old', 't-old', 9, 's', 'x', 0, now())`)).rejects.toThrow()
    await expect(db.query(`UPDATE sale_voids SET reason = '' WHERE sale_id = $1`, [sale])).rejects.toThrow()
    await expect(db.query(`UPDATE sale_voids SET reason = repeat('x', 201) WHERE sale_id = $1`, [sale])).rejects.toThrow()
  })
})
