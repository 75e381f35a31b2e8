import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate, type Db } from '../db'
import { DEMO_FILE, loadDemo, readDemoFile } from '../demo/demo'
import { openTestDb, testClock } from '../../test/support/server'
import { existsSync } from 'node:fs'
import { cutoffAt } from './calendar'
import { cutoffRules } from './menu'
import { orderSettings } from './admin'

describe.runIf(existsSync(DEMO_FILE))('the demo webshop', () => {
  let db: Db
  beforeAll(async () => {
    db = await openTestDb()
    await migrate(db)
    await loadDemo(db, await readDemoFile(), { clock: testClock() })
  })
  afterAll(async () => {
    await db.close()
  })

  it('sells a few priced meals and sandwiches at every demo canteen, with a school’s cut-offs', async () => {
    const { rows } = await db.query<{ id: string }>('SELECT id FROM locations ORDER BY id')
    expect(rows.length).toBeGreaterThan(0)
    for (const { id } of rows) {
      const s = await orderSettings(db, id)
      expect(s.productIds.length).toBeGreaterThanOrEqual(3)
      expect(s.productIds.length).toBeLessThanOrEqual(9)
      const unpriced = await db.query('SELECT 1 FROM orderable_products op WHERE op.location_id = $1 AND NOT EXISTS (SELECT 1 FROM product_prices pp WHERE pp.product_id = op.product_id AND pp.location_id = $1)', [id])
      expect(unpriced.rows).toHaveLength(0)
      // Monday 2026-11-30 closes Friday 2026-11-27 at 12:00; Tuesday at 09:00 the same day.
      const rules = await cutoffRules(db, id)
      expect(cutoffAt('2026-11-30', rules).toISOString()).toBe('2026-11-27T11:00:00.000Z')
      expect(cutoffAt('2026-12-01', rules).toISOString()).toBe('2026-12-01T08:00:00.000Z')
      expect([s.pickupEnd, s.creditUncollected, s.pickupTimes]).toEqual(['13:00', true, ['10:30', '11:30', '12:15']])
    }
  })
})
