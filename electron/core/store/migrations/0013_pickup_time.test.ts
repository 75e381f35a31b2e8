import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openDb } from '../db'
import { applyOrderChanges, ordersOfDay } from '../orders'
import { getSetting, setSetting } from '../settings'
import { MIGRATIONS } from '.'

const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))

const ORDER = '6f1c2f0e-1111-4a4a-8b8b-000000000001'
const data = (pickupTime?: string | null) => ({
  locationId: 'loc-1',
  accountId: 'a-1',
  holderName: 'Freja Nielsen',
  photoId: null,
  pickupDay: '2026-03-02',
  number: 101,
  status: 'paid' as const,
  payment: 'canteen-card' as const,
  total: 3500,
  captureAt: null,
  ...(pickupTime === undefined ? {} : { pickupTime }),
  lines: [{ lineNo: 1, productId: 'p-lunch', name: 'Frikadeller', quantity: 1, unitPrice: 3500, handedOut: 0, handedOutBy: null, handedOutAt: null }],
})

describe('till migration 0013: the order’s pickup time', () => {
  it('upgrades a till that holds orders without times: for the day, and the next sync starts from a snapshot that brings them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kantine-pickup-time-'))
    dirs.push(dir)
    const v12 = MIGRATIONS.filter((m) => m.version <= 12)
    expect(v12).toHaveLength(12)
    const old = openDb(dir, v12)
    old
      .prepare(
        `INSERT INTO orders (id, location_id, account_id, holder_name, photo_id, pickup_day, number, status, payment, total, capture_at, synced_at)
         VALUES (?, 'loc-1', 'a-1', 'Freja Nielsen', NULL, '2026-03-02', 101, 'paid', 'canteen-card', 3500, NULL, '2026-03-02T09:00:00.000Z')`,
      )
      .run(ORDER)
    setSetting(old, 'pull_cursor', '7:1')
    old.close()

    const db = openDb(dir)
    try {
      expect(getSetting(db, 'pull_cursor')).toBeNull()
      expect(ordersOfDay(db, '2026-03-02', 'loc-1').map((o) => [o.number, o.pickupTime])).toEqual([[101, null]])
      applyOrderChanges(db, [{ id: ORDER, data: data('11:30') }], '2026-03-02T09:01:00.000Z')
      expect(ordersOfDay(db, '2026-03-02', 'loc-1')[0]!.pickupTime).toBe('11:30')
      // A change row of a server before pickup times (no field): for the day again.
      applyOrderChanges(db, [{ id: ORDER, data: data() }], '2026-03-02T09:02:00.000Z')
      expect(ordersOfDay(db, '2026-03-02', 'loc-1')[0]!.pickupTime).toBeNull()
      expect(() => db.prepare(`UPDATE orders SET pickup_time = '11.30'`).run()).toThrow(/CHECK/)
    } finally {
      db.close()
    }
  })
})
