import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb } from '../../../test/support/server'
import { migrate, type Db } from '..'
import { MIGRATIONS } from '.'

describe('migration 0016 on a database written before it', () => {
  let db: Db
  beforeAll(async () => {
    db = await openTestDb()
    await migrate(
      db,
      MIGRATIONS.filter((m) => m.version < 16),
    )
    await db.exec(`
      INSERT INTO municipalities (id, name) VALUES ('m-old', 'Gammelby');
      INSERT INTO locations (id, municipality_id, name) VALUES ('l-old', 'm-old', 'Kantinen');
      INSERT INTO changes (municipality_id, entity, entity_id, payload) VALUES ('m-old', 'location', 'l-old', '{"name":"Kantinen"}');
    `)
    await migrate(db)
  })
  afterAll(() => db.close())

  it('keeps the change rows already there as the municipality’s (no canteen)', async () => {
    expect((await db.query(`SELECT entity, location_id FROM changes`)).rows).toEqual([{ entity: 'location', location_id: null }])
  })

  it('takes an order change row only with its canteen, and no other entity with one', async () => {
    const insert = (entity: string, location: string | null) =>
      db.query(`INSERT INTO changes (municipality_id, entity, entity_id, payload, location_id) VALUES ('m-old', $1, 'x', NULL, $2)`, [entity, location])
    await expect(insert('order', null)).rejects.toThrow()
    await expect(insert('account', 'l-old')).rejects.toThrow()
    await expect(insert('invoice', null)).rejects.toThrow()
    await insert('order', 'l-old')
  })

  it('keeps a hand-out within the line’s quantity and an order number unique per canteen and day', async () => {
    await db.exec(`
      INSERT INTO holders (id, municipality_id, name) VALUES ('h-old', 'm-old', 'Ole');
      INSERT INTO accounts (id, holder_id, municipality_id, balance) VALUES ('acc-old', 'h-old', 'm-old', 0);
    `)
    const order = (id: string, number: number, key: string) =>
      db.query(
        `INSERT INTO orders (id, municipality_id, location_id, account_id, guardian_id, pickup_day, number, total, payment, status, cutoff_at, idempotency_key, created_at, updated_at)
         VALUES ($1, 'm-old', 'l-old', 'acc-old', 'g', '2026-11-25', $2, 1500, 'canteen-card', 'paid', now(), $3, now(), now())`,
        [id, number, key],
      )
    await order('6f1c2f0e-1111-4a4a-8b8b-000000000001', 101, 'k1')
    await expect(order('6f1c2f0e-1111-4a4a-8b8b-000000000002', 101, 'k2')).rejects.toThrow()
    await db.query(`INSERT INTO order_lines (order_id, line_no, product_id, name, category_id, unit_price, quantity) VALUES ('6f1c2f0e-1111-4a4a-8b8b-000000000001', 1, 'p', 'Bolle', 'c', 1500, 2)`)
    await expect(db.query(`UPDATE order_lines SET handed_out = 3`)).rejects.toThrow()
    await db.query(`UPDATE order_lines SET handed_out = 2`)
  })
})
