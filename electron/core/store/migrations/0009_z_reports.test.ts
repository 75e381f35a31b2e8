import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openDb } from '../db'
import { nextZNumber, reportDays } from '../reports'
import { MIGRATIONS } from '.'

const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))

describe('till migration 0009: Z reports', () => {
  it('upgrades a till from 0008 with its sales, no day closed, and the first Z number 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kantine-z-'))
    dirs.push(dir)
    const old = openDb(dir, MIGRATIONS.slice(0, 8))
    old.exec(`
      INSERT INTO outbox (seq, mutation_id, kind, payload, created_at) VALUES (1, 'm-1', 'sale.record', '{}', '2026-03-02T11:00:00.000Z');
      INSERT INTO sales (id, seq, at, card_number, account_id, staff_id, total, offline, day_key, week_key, month_key, payment)
        VALUES ('s-1', 1, '2026-03-02T11:00:00.000Z', 'DEMO0001', 'a-1', 's-mette', 3500, 0, '2026-03-02', '2026-W10', '2026-03', 'card');
    `)
    old.close()

    const db = openDb(dir)
    try {
      expect(nextZNumber(db)).toBe(1)
      expect(reportDays(db, 10)).toEqual([{ day: '2026-03-02', number: null, salesCount: 1 }])
      const insert = db.prepare(`INSERT INTO z_reports (number, day_key, seq, closed_at, closed_by, counted_cash, expected_cash, report) VALUES (?, ?, ?, 'x', 's-jonas', ?, 0, '{}')`)
      // Not 2 before 1; not a negative count; then 1 and 2 in order; not a second report of a day.
      expect(() => insert.run(2, '2026-03-02', 10, 0)).toThrow(/without a gap/)
      expect(() => insert.run(1, '2026-03-02', 10, -1)).toThrow(/CHECK/)
      insert.run(1, '2026-03-02', 10, 0)
      expect(() => insert.run(2, '2026-03-02', 11, 0)).toThrow(/UNIQUE/)
      insert.run(2, '2026-03-03', 11, 0)
      expect(nextZNumber(db)).toBe(3)
    } finally {
      db.close()
    }
  })
})
