/**
 * Manager mode end to end in Node: a till core enrolled at the real server, a manager and a
 * cashier pulled from it, the core's relay (handlers/manager.ts) talking to the server's
 * /manager API (server/manager). What the till may and may not do; the API's own rules are
 * tested on the server.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { addStaff } from '../../../test/support/manager'
import { serverSuite } from '../../../test/support/server-suite'
import { api } from '../../../test/support/server'
import { openDb } from '../store/db'
import { getSetting } from '../store/settings'
import { openTill, type Till } from '../till'

const s = serverSuite({ rateLimits: false })
const dirs: string[] = []
const open: Till[] = []
afterEach(async () => {
  for (const t of open.splice(0)) await t.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

async function value(till: Till, method: string, args: unknown = {}) {
  const res = await till.dispatch(method, args)
  if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`)
  return res.value as any // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A till core enrolled at a fresh canteen, with a manager (PIN 2580) and a cashier (PIN 1234: the fixture's Kasse Karen) pulled. */
async function tillWithManager() {
  const { f } = await s.canteen()
  const manager = await addStaff(s, f, { name: 'Leder Lise', pin: '2580', roles: ['manager', 'cashier'] })
  const code = await api(s.server, 'POST', '/admin/enrolment-codes', { token: s.server.adminToken, body: { locationId: f.locationId } })
  const dir = mkdtempSync(join(tmpdir(), 'kantine-manager-srv-'))
  dirs.push(dir)
  const till = await openTill({ dataDir: dir, serverUrl: s.server.url, enrolmentCode: code.body.code, syncIntervalMs: 60_000 })
  open.push(till)
  for (let i = 0; i < 100 && !(await value(till, 'sync.now')).enrolled; i++) await new Promise((r) => setTimeout(r, 50))
  return { f, till, manager, dir }
}

describe('manager mode against the server', () => {
  it('unlocks with the manager’s PIN, relays reads and writes, and locks at sign-out (the server forgets the session)', async () => {
    const { f, till, manager } = await tillWithManager()
    expect(await value(till, 'staff.signIn', { pin: '2580' })).toMatchObject({ ok: true, session: { name: 'Leder Lise' } })
    expect(await value(till, 'manager.unlock', { pin: '1234' })).toEqual({ ok: false, reason: 'pin-wrong' })
    expect(await value(till, 'manager.unlock', { pin: '2580' })).toMatchObject({ ok: true, status: { unlocked: true, staffName: 'Leder Lise' } })

    const list = await value(till, 'manager.request', { method: 'GET', path: '/manager/staff' })
    expect(list.status).toBe(200)
    expect(list.body.staff.map((x: { name: string }) => x.name).sort()).toEqual(['Kasse Karen', 'Leder Lise'])
    const added = await value(till, 'manager.request', { method: 'POST', path: '/manager/staff', body: { name: 'Ny Nina', pin: '4455', roles: ['cashier'], locationIds: [f.locationId] } })
    expect(added.status).toBe(201)
    // A refusal comes back as the server gave it, and changes nothing.
    const refused = await value(till, 'manager.request', { method: 'POST', path: '/manager/staff', body: { name: 'Ude Ulla', pin: '4455', roles: ['cashier'], locationIds: ['somewhere-else'] } })
    expect(refused.status).toBeGreaterThanOrEqual(400)
    expect(refused.status).toBeLessThan(500)
    const after = await value(till, 'manager.request', { method: 'GET', path: '/manager/staff' })
    expect(after.body.staff.map((x: { name: string }) => x.name).sort()).toEqual(['Kasse Karen', 'Leder Lise', 'Ny Nina'])

    await value(till, 'staff.signOut')
    const ended = async () => (await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM manager_sessions WHERE staff_id = $1 AND ended_at IS NULL', [manager.staffId])).rows[0]!.n
    await expect.poll(ended).toBe(0)
    await value(till, 'staff.signIn', { pin: '2580' })
    expect(await value(till, 'manager.request', { method: 'GET', path: '/manager/staff' })).toMatchObject({ status: 401, body: { error: 'manager-session-required' } })
  })

  it('refuses a cashier in the core, and the server refuses a cashier’s PIN for a manager session', async () => {
    const { f, till, dir } = await tillWithManager()
    expect(await value(till, 'staff.signIn', { pin: '1234' })).toMatchObject({ ok: true, session: { name: 'Kasse Karen' } })
    expect(await till.dispatch('manager.unlock', { pin: '1234' })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(await till.dispatch('manager.request', { method: 'GET', path: '/manager/staff' })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    // Straight to the server with the till's own token: the cashier's right PIN opens no manager session,
    // nor does a manager of another municipality.
    const db = openDb(dir)
    const deviceToken = getSetting(db, 'device_token')!
    db.close()
    const session = (body: unknown) => api(s.server, 'POST', '/manager/session', { token: deviceToken, body })
    expect(await session({ staffId: f.staffId, pin: '1234' })).toMatchObject({ status: 403, body: { error: 'not-a-manager' } })
    const elsewhere = await s.canteen()
    const stranger = await addStaff(s, elsewhere.f, { name: 'Fremmed Frede', pin: '7777', roles: ['manager'] })
    expect(await session({ staffId: stranger.staffId, pin: '7777' })).toMatchObject({ status: 401, body: { error: 'sign-in-refused' } })
    const { rows } = await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM manager_sessions WHERE staff_id = ANY($1)', [[f.staffId, stranger.staffId]])
    expect(rows[0]!.n).toBe(0)
  })
})
