import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb } from '../../../test/support/server'
import { migrate, type Db } from '..'
import { MIGRATIONS } from '.'

describe('migration 0017 on a database written before it', () => {
  let db: Db
  beforeAll(async () => {
    db = await openTestDb()
    await migrate(
      db,
      MIGRATIONS.filter((m) => m.version < 17),
    )
    await db.exec(`
      INSERT INTO municipalities (id, name) VALUES ('m-old', 'Gammelby'), ('m-two', 'Nyby');
      INSERT INTO locations (id, municipality_id, name) VALUES ('l-old', 'm-old', 'Kantinen');
      INSERT INTO categories (id, municipality_id, name) VALUES ('cat-old', 'm-old', 'Mad'), ('cat-two', 'm-two', 'Mad');
      INSERT INTO products (id, municipality_id, category_id, name, barcode) VALUES ('p-old', 'm-old', 'cat-old', 'Frikadeller', '5701234567892');
      INSERT INTO product_prices (product_id, location_id, price) VALUES ('p-old', 'l-old', 3500);
    `)
    await migrate(db)
  })
  afterAll(() => db.close())

  it('gives the rows already there no colour and no allergens', async () => {
    expect((await db.query(`SELECT colour FROM categories WHERE id = 'cat-old'`)).rows).toEqual([{ colour: null }])
    expect((await db.query(`SELECT allergens FROM products WHERE id = 'p-old'`)).rows).toEqual([{ allergens: [] }])
  })

  it('takes only a #rrggbb colour', async () => {
    await db.query(`UPDATE categories SET colour = '#a1b2c3' WHERE id = 'cat-old'`)
    for (const bad of ['#A1B2C3', 'red', '#abc', '#a1b2c3d']) {
      await expect(db.query(`UPDATE categories SET colour = $1 WHERE id = 'cat-old'`, [bad])).rejects.toThrow()
    }
    expect((await db.query(`SELECT colour FROM categories WHERE id = 'cat-old'`)).rows).toEqual([{ colour: '#a1b2c3' }])
  })

  it('takes only the EU allergen codes', async () => {
    await db.query(`UPDATE products SET allergens = '{gluten,milk}' WHERE id = 'p-old'`)
    await expect(db.query(`UPDATE products SET allergens = '{gluten,peanut}' WHERE id = 'p-old'`)).rejects.toThrow()
    expect((await db.query(`SELECT allergens FROM products WHERE id = 'p-old'`)).rows).toEqual([{ allergens: ['gluten', 'milk'] }])
  })

  it('keeps a barcode unique within a municipality, not across them', async () => {
    await expect(
      db.query(`INSERT INTO products (id, municipality_id, category_id, name, barcode) VALUES ('p-dup', 'm-old', 'cat-old', 'Kopi', '5701234567892')`),
    ).rejects.toThrow()
    await db.query(`INSERT INTO products (id, municipality_id, category_id, name, barcode) VALUES ('p-two', 'm-two', 'cat-two', 'Frikadeller', '5701234567892')`)
    await db.query(`INSERT INTO products (id, municipality_id, category_id, name) VALUES ('p-n1', 'm-old', 'cat-old', 'Uden'), ('p-n2', 'm-old', 'cat-old', 'Uden 2')`)
  })

  it('writes one "not sold" history row when a writer already said since when, and its own when none did', async () => {
    await db.exec(`
      INSERT INTO product_price_history (product_id, location_id, valid_from, price) VALUES ('p-old', 'l-old', '2031-01-01T00:00:00Z', NULL);
      DELETE FROM product_prices WHERE product_id = 'p-old';
    `)
    const rows = async () => (await db.query<{ price: number | null }>(`SELECT price FROM product_price_history WHERE product_id = 'p-old' ORDER BY valid_from`)).rows
    expect((await rows()).map((r) => r.price)).toEqual([3500, null])
    await db.exec(`
      INSERT INTO product_prices (product_id, location_id, price, valid_from) VALUES ('p-n1', 'l-old', 1000, '2020-01-01T00:00:00Z');
      DELETE FROM product_prices WHERE product_id = 'p-n1';
    `)
    const own = await db.query<{ price: number | null }>(`SELECT price FROM product_price_history WHERE product_id = 'p-n1' ORDER BY valid_from`)
    expect(own.rows.map((r) => r.price === null ? null : Number(r.price))).toEqual([1000, null])
  })
})
