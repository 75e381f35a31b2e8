import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb } from '../../../test/support/server'
import { migrate, type Db } from '..'
import { MIGRATIONS } from '.'

describe('migration 0014 on a database written before it', () => {
  let db: Db
  beforeAll(async () => {
    db = await openTestDb()
    await migrate(
      db,
      MIGRATIONS.filter((m) => m.version < 14),
    )
    await db.exec(`
      INSERT INTO municipalities (id, name) VALUES ('m-old', 'Gammelby');
      INSERT INTO locations (id, municipality_id, name) VALUES ('l-old', 'm-old', 'Kantinen');
      INSERT INTO terminals (id, municipality_id, location_id, name, token_hash) VALUES ('t-old', 'm-old', 'l-old', 'Kasse', 'h');
      INSERT INTO holders (id, municipality_id, name) VALUES ('h-old', 'm-old', 'Ole');
      INSERT INTO accounts (id, holder_id, municipality_id, balance) VALUES ('acc-old', 'h-old', 'm-old', 0);
      INSERT INTO sales (id, municipality_id, terminal_id, seq, account_id, card_number, location_id, staff_id, total, offline, sold_at)
        VALUES ('6f1c2f0e-1111-4a4a-8b8b-000000000001', 'm-old', 't-old', 1, 'acc-old', 'C1', 'l-old', 's-old', 1500, false, now());
    `)
    await migrate(db)
  })
  afterAll(() => db.close())

  const insertSale = (seq: number, payment: string, account: string | null, card: string | null) =>
    db.query(
      `INSERT INTO sales (id, municipality_id, terminal_id, seq, account_id, card_number, location_id, staff_id, total, offline, sold_at, payment)
       VALUES ($1, 'm-old', 't-old', $2, $3, $4, 'l-old', 's-old', 2000, false, now(), $5)`,
      [`6f1c2f0e-1111-4a4a-8b8b-00000000000${seq}`, seq, account, card, payment],
    )

  it('keeps the sales already there as card sales', async () => {
    expect((await db.query(`SELECT payment, account_id FROM sales`)).rows).toEqual([{ payment: 'card', account_id: 'acc-old' }])
  })

  it('takes a cash sale with no account or card, and refuses a card sale without them or a cash sale with them', async () => {
    await insertSale(2, 'cash', null, null)
    await expect(insertSale(3, 'card', null, null)).rejects.toThrow()
    await expect(insertSale(3, 'card', 'acc-old', null)).rejects.toThrow()
    await expect(insertSale(3, 'cash', 'acc-old', 'C1')).rejects.toThrow()
    await expect(insertSale(3, 'cheque', null, null)).rejects.toThrow()
    await insertSale(3, 'card', 'acc-old', 'C1')
    expect((await db.query(`SELECT seq::int, payment FROM sales ORDER BY seq`)).rows).toEqual([
      { seq: 1, payment: 'card' },
      { seq: 2, payment: 'cash' },
      { seq: 3, payment: 'card' },
    ])
  })
})
