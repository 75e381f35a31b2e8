import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openDb } from '../db'
import { MIGRATIONS } from '.'

const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))

describe('till migration 0008: cash sales', () => {
  it('keeps every sale of a till upgraded from 0007 as a card sale, with its lines and its void, and takes a cash sale with no card', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kantine-cash-'))
    dirs.push(dir)
    const old = openDb(dir, MIGRATIONS.slice(0, 7))
    old.exec(`
      INSERT INTO outbox (seq, mutation_id, kind, payload, created_at, account_id, delta, spend, day_key, week_key, month_key)
        VALUES (1, 'm-1', 'sale.record', '{}', '2026-03-02T11:00:00.000Z', 'a-1', -3500, 3500, '2026-03-02', '2026-W10', '2026-03'),
               (2, 'm-2', 'sale.void', '{}', '2026-03-02T11:05:00.000Z', 'a-1', 3500, -3500, '2026-03-02', '2026-W10', '2026-03');
      INSERT INTO sales (id, seq, at, card_number, account_id, staff_id, total, offline, day_key, week_key, month_key)
        VALUES ('s-1', 1, '2026-03-02T11:00:00.000Z', 'DEMO0001', 'a-1', 's-mette', 3500, 0, '2026-03-02', '2026-W10', '2026-03');
      INSERT INTO sale_lines (sale_id, line_no, product_id, name, category_id, qty, unit_price)
        VALUES ('s-1', 1, 'p-1', 'Toast', 'c-1', 1, 3500);
      INSERT INTO sale_voids (sale_id, seq, reason, authorised_by, cashier_id, voided_at)
        VALUES ('s-1', 2, 'fejl', 's-jonas', 's-mette', '2026-03-02T11:05:00.000Z');
    `)
    old.close()

    const db = openDb(dir)
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length)
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
      expect(db.prepare('SELECT id, card_number, account_id, payment FROM sales').all()).toEqual([
        { id: 's-1', card_number: 'DEMO0001', account_id: 'a-1', payment: 'card' },
      ])
      expect(db.prepare('SELECT count(*) AS n FROM sale_lines WHERE sale_id = ?').get('s-1')).toEqual({ n: 1 })
      expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'sales' AND name = 'sales_at'").get()).toBeTruthy()

      db.exec(`INSERT INTO outbox (seq, mutation_id, kind, payload, created_at) VALUES (3, 'm-3', 'sale.record', '{}', '2026-03-02T11:10:00.000Z'), (4, 'm-4', 'sale.record', '{}', '2026-03-02T11:11:00.000Z')`)
      const insert = db.prepare(
        `INSERT INTO sales (id, seq, at, card_number, account_id, staff_id, total, offline, day_key, week_key, month_key, payment)
         VALUES (?, ?, '2026-03-02T11:10:00.000Z', ?, ?, 's-mette', 2000, 0, '2026-03-02', '2026-W10', '2026-03', ?)`,
      )
      insert.run('s-cash', 3, null, null, 'cash')
      // A card sale without its card, a cash sale with one, and an unknown payment are refused.
      expect(() => insert.run('s-x', 4, null, null, 'card')).toThrow(/CHECK/)
      expect(() => insert.run('s-x', 4, 'DEMO0001', 'a-1', 'cash')).toThrow(/CHECK/)
      expect(() => insert.run('s-x', 4, 'DEMO0001', 'a-1', 'cheque')).toThrow(/CHECK/)
      // The references to `sales` still hold on the rebuilt table.
      expect(() => db.prepare("INSERT INTO sale_lines (sale_id, line_no, product_id, name, category_id, qty, unit_price) VALUES ('nope', 1, 'p', 'n', 'c', 1, 1)").run()).toThrow(/FOREIGN KEY/)
    } finally {
      db.close()
    }
  })
})
