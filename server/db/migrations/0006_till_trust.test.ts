import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb } from '../../../test/support/server'
import { MIGRATIONS, migrate, type Db } from '..'

describe('migration 0006: a price history the server checks sales against', () => {
  let db: Db
  beforeAll(async () => {
    db = await openTestDb()
    await migrate(db, MIGRATIONS.filter((m) => m.version < 6))
    await db.exec(`
      INSERT INTO municipalities (id, name) VALUES ('m-old', 'Gammelby');
      INSERT INTO locations (id, municipality_id, name) VALUES ('loc-old', 'm-old', 'Kantinen');
      INSERT INTO categories (id, municipality_id, name) VALUES ('cat-old', 'm-old', 'Mad');
      INSERT INTO products (id, municipality_id, category_id, name) VALUES ('p-old', 'm-old', 'cat-old', 'Frikadeller');
      INSERT INTO product_prices (product_id, location_id, price) VALUES ('p-old', 'loc-old', 3500);
    `)
    await migrate(db)
  })
  afterAll(() => db.close())

  const history = async () =>
    (
      await db.query<{ since: string; price: number | null }>(
        `SELECT CASE WHEN valid_from = '-infinity' THEN 'always' ELSE to_char(valid_from AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') END AS since, price
           FROM product_price_history WHERE product_id = 'p-old' ORDER BY valid_from`,
      )
    ).rows

  it('keeps the prices an old database already had as valid since always', async () => {
    expect(await history()).toEqual([{ since: 'always', price: 3500 }])
  })

  it('remembers every later price from when it holds, whoever writes it, and a price taken off the canteen', async () => {
    await db.query(`UPDATE product_prices SET price = 3800, valid_from = '2026-11-20T10:00:00Z' WHERE product_id = 'p-old'`)
    // A writer that does not say since when: from the transaction's time, not from the old price's.
    await db.query(`UPDATE product_prices SET price = 4000 WHERE product_id = 'p-old'`)
    const { rows } = await db.query<{ fresh: boolean }>(`SELECT valid_from > '2026-11-20T10:00:00Z' AS fresh FROM product_prices WHERE product_id = 'p-old'`)
    expect(rows[0]?.fresh).toBe(true)
    await db.query(`DELETE FROM product_prices WHERE product_id = 'p-old'`)
    const h = await history()
    expect(h.map((r) => r.price)).toEqual([3500, 3800, 4000, null])
    expect(h[1]?.since).toBe('2026-11-20 10:00')
  })
})
