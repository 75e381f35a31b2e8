import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openDb } from '../db'
import { applyOrderChanges, ordersOfDay } from '../orders'
import { setSetting } from '../settings'
import { MIGRATIONS } from '.'

const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))

const ORDER = '6f1c2f0e-1111-4a4a-8b8b-000000000001'

describe('till migration 0010: webshop orders', () => {
  it('upgrades a till from 0009 with its outbox, holds orders, and a pruned outbox row does not break a hand-out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kantine-orders-'))
    dirs.push(dir)
    const old = openDb(dir, MIGRATIONS.slice(0, 9))
    old.exec(`INSERT INTO outbox (seq, mutation_id, kind, payload, created_at, status) VALUES (1, 'm-1', 'order.handout', '{}', '2026-03-02T11:00:00.000Z', 'applied')`)
    old.close()

    const db = openDb(dir)
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length)
      applyOrderChanges(
        db,
        [
          {
            id: ORDER,
            data: {
              locationId: 'loc-1',
              accountId: 'a-1',
              holderName: 'Freja Nielsen',
              photoId: null,
              pickupDay: '2026-03-02',
              number: 101,
              status: 'paid',
              payment: 'canteen-card',
              total: 3500,
              captureAt: null,
              lines: [{ lineNo: 1, productId: 'p-lunch', name: 'Frikadeller', quantity: 1, unitPrice: 3500, handedOut: 1, handedOutBy: 'Mette Hansen', handedOutAt: '2026-03-02T11:00:00.000Z' }],
            },
          },
        ],
        '2026-03-02T11:01:00.000Z',
      )
      // This till's own hand-out, acknowledged (seq 1 <= acked_seq): the server's count holds it, not twice.
      db.prepare(`INSERT INTO order_handouts (id, order_id, lines, staff_id, staff_name, at, seq) VALUES ('h-1', ?, '[{"lineNo":1,"quantity":1}]', 's-mette', 'Mette Hansen', '2026-03-02T11:00:00.000Z', 1)`).run(ORDER)
      setSetting(db, 'acked_seq', 1)
      expect(ordersOfDay(db, '2026-03-02', 'loc-1').map((o) => [o.number, o.lines[0]!.handedOut, o.complete])).toEqual([[101, 1, true]])
      // No foreign key to the outbox: a closed day's acknowledged rows can still be pruned.
      db.prepare(`DELETE FROM outbox WHERE seq = 1`).run()
      expect(ordersOfDay(db, '2026-03-02', 'loc-1')[0]!.lines[0]!.handedOut).toBe(1)
      // An order's lines go with it.
      applyOrderChanges(db, [{ id: ORDER, deleted: true }], '2026-03-02T12:00:00.000Z')
      expect((db.prepare(`SELECT COUNT(*) AS n FROM order_lines`).get() as { n: number }).n).toBe(0)
      expect(() => db.prepare(`INSERT INTO orders (id, location_id, account_id, holder_name, pickup_day, number, status, payment, total, synced_at) VALUES ('x', 'l', 'a', 'n', 'd', 1, 'pending', 'canteen-card', 0, 's')`).run()).toThrow(/CHECK/)
    } finally {
      db.close()
    }
  })
})
