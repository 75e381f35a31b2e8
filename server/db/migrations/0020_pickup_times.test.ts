import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb } from '../../../test/support/server'
import { migrate, type Db } from '..'
import { MIGRATIONS } from '.'

describe('migration 0020 on a database written before it', () => {
  let db: Db
  beforeAll(async () => {
    db = await openTestDb()
    await migrate(
      db,
      MIGRATIONS.filter((m) => m.version < 20),
    )
    await db.exec(`
      INSERT INTO municipalities (id, name) VALUES ('m-old', 'Gammelby');
      INSERT INTO locations (id, municipality_id, name) VALUES ('l-old', 'm-old', 'Kantinen');
      INSERT INTO holders (id, municipality_id, name) VALUES ('h-old', 'm-old', 'Ole');
      INSERT INTO accounts (id, holder_id, municipality_id, balance) VALUES ('acc-old', 'h-old', 'm-old', 0);
      INSERT INTO order_settings (location_id, pickup_end, credit_uncollected) VALUES ('l-old', '13:00', true);
      INSERT INTO orders (id, municipality_id, location_id, account_id, guardian_id, pickup_day, number, total, payment, status, cutoff_at, idempotency_key, created_at, updated_at)
      VALUES ('6f1c2f0e-1111-4a4a-8b8b-000000000001', 'm-old', 'l-old', 'acc-old', 'g', '2026-11-25', 101, 1500, 'canteen-card', 'paid', now(), 'k1', now(), now());
    `)
    await migrate(db)
  })
  afterAll(() => db.close())

  it('gives the canteens already there no pickup times and the orders already placed no time (for the day, as before)', async () => {
    expect((await db.query(`SELECT pickup_end::text AS pickup_end, credit_uncollected, pickup_times::text[] AS times FROM order_settings`)).rows).toEqual([
      { pickup_end: '13:00:00', credit_uncollected: true, times: [] },
    ])
    expect((await db.query(`SELECT number, pickup_time FROM orders`)).rows).toEqual([{ number: 101, pickup_time: null }])
  })

  it('holds up to 8 times with no NULL among them, and an order’s time of day', async () => {
    const set = (times: string) => db.query(`UPDATE order_settings SET pickup_times = $1::time[] WHERE location_id = 'l-old'`, [times])
    await set('{10:30,12:00}')
    expect((await db.query<{ t: string }>(`SELECT to_char(unnest(pickup_times), 'HH24:MI') AS t FROM order_settings`)).rows.map((r) => r.t)).toEqual(['10:30', '12:00'])
    await expect(set('{08:00,08:30,09:00,09:30,10:00,10:30,11:00,11:30,12:00}')).rejects.toThrow()
    await expect(set('{10:30,NULL}')).rejects.toThrow()
    await expect(db.query(`UPDATE order_settings SET pickup_times = NULL`)).rejects.toThrow()
    await db.query(`UPDATE orders SET pickup_time = '10:30'`)
    expect((await db.query(`SELECT to_char(pickup_time, 'HH24:MI') AS t FROM orders`)).rows).toEqual([{ t: '10:30' }])
    await expect(db.query(`UPDATE orders SET pickup_time = '25:00'`)).rejects.toThrow()
  })
})
