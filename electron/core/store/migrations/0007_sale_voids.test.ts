import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openDb } from '../db'
import { recentSales } from '../sales'
import { MIGRATIONS } from '.'

const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))

describe('till migration 0007: voids', () => {
  it('keeps the sales of a till upgraded from 0006, none voided, and holds a void to a sale and an outbox row it has', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kantine-voids-'))
    dirs.push(dir)
    const old = openDb(dir, MIGRATIONS.slice(0, 6))
    old.exec(`
      INSERT INTO outbox (seq, mutation_id, kind, payload, created_at, account_id, delta, spend, day_key, week_key, month_key)
        VALUES (1, 'm-1', 'sale.record', '{}', '2026-03-02T11:00:00.000Z', 'a-1', -3500, 3500, '2026-03-02', '2026-W10', '2026-03');
      INSERT INTO sales (id, seq, at, card_number, account_id, staff_id, total, offline, day_key, week_key, month_key)
        VALUES ('s-1', 1, '2026-03-02T11:00:00.000Z', 'DEMO0001', 'a-1', 's-mette', 3500, 0, '2026-03-02', '2026-W10', '2026-03');
    `)
    old.close()

    const db = openDb(dir)
    try {
      expect(recentSales(db, 5, '2026-03-02')).toEqual([expect.objectContaining({ saleId: 's-1', voided: null, voidable: true })])
      const insert = db.prepare('INSERT INTO sale_voids (sale_id, seq, reason, authorised_by, cashier_id, voided_at) VALUES (?, ?, ?, ?, ?, ?)')
      // No such sale, no such outbox row: refused by the foreign keys.
      expect(() => insert.run('s-x', 1, 'r', 's-jonas', 's-mette', '2026-03-02T11:05:00.000Z')).toThrow(/FOREIGN KEY/)
      expect(() => insert.run('s-1', 99, 'r', 's-jonas', 's-mette', '2026-03-02T11:05:00.000Z')).toThrow(/FOREIGN KEY/)
    } finally {
      db.close()
    }
  })
})
