import { describe, expect, it } from 'vitest'
import { serverSuite } from '../../test/support/server-suite'
import { managerSession } from '../../test/support/manager'
import { FAILURE_MEMORY_MS } from '../guardian/pin'
import { FAILURE_WINDOW_MS } from '../manager/auth'
import { MANAGER_SESSION_KEEP_MS, forgetStale } from './housekeeping'

const s = serverSuite()

const count = async (table: string, where = 'true', params: unknown[] = []) =>
  (await s.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params)).rows[0]!.n

describe('housekeeping forgets what only mattered for a while', () => {
  it('drops wrong-PIN counts that can lock no one any more, and keeps those that still can', async () => {
    const m = await managerSession(s)
    const now = s.clock.now()
    const old = new Date(now.getTime() - FAILURE_MEMORY_MS - 1000)
    await s.db.query(
      `INSERT INTO guardian_pin_failures (card_hash, failures, locked_until, last_failure_at) VALUES
         ('hk-old', 2, NULL, $1), ('hk-old-locked', 9, $2, $1), ('hk-fresh', 1, NULL, $3)`,
      [old, new Date(now.getTime() + 3600_000), now],
    )
    await s.db.query('INSERT INTO manager_pin_failures (staff_id, failures, first_failure_at, locked_until) VALUES ($1, 3, $2, NULL)', [
      m.staffId,
      new Date(now.getTime() - FAILURE_WINDOW_MS - 1000),
    ])
    const forgotten = await forgetStale(s.server.ctx)
    expect(forgotten.guardianPinFailures).toBeGreaterThanOrEqual(1)
    expect(await count('guardian_pin_failures', "card_hash LIKE 'hk-%'")).toBe(2)
    expect(await count('guardian_pin_failures', "card_hash = 'hk-old'")).toBe(0)
    expect(await count('manager_pin_failures', 'staff_id = $1', [m.staffId])).toBe(0)
  })

  it('keeps a manager session a month after it ended, then deletes it', async () => {
    const m = await managerSession(s)
    const hash = 'staff_id = $1'
    expect(await count('manager_sessions', hash, [m.staffId])).toBe(1)
    await forgetStale(s.server.ctx)
    expect(await count('manager_sessions', hash, [m.staffId])).toBe(1)
    s.clock.advance(MANAGER_SESSION_KEEP_MS + 9 * 3600_000)
    await forgetStale(s.server.ctx)
    expect(await count('manager_sessions', hash, [m.staffId])).toBe(0)
  })
})
