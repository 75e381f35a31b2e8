import { describe, expect, it } from 'vitest'
import { serverSuite, type ServerSuite } from '../../test/support/server-suite'
import { api, enrolTill, type Till } from '../../test/support/server'
import { FAILURE_WINDOW_MS, LOCK_MS, MAX_FAILURES, SESSION_IDLE_MS, SESSION_MAX_MS } from './auth'
import { addStaff, managerApi, managerSession } from '../../test/support/manager'

/** POST /manager/session as a till sends it (`device`: its token; null: none). */
async function unlock(s: ServerSuite, device: string | null, body: unknown) {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (device !== null) headers.authorization = `Bearer ${device}`
  const r = await fetch(`${s.server.url}/manager/session`, { method: 'POST', headers, body: JSON.stringify(body) })
  return { status: r.status, body: (await r.json()) as any, retryAfter: r.headers.get('retry-after') } // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A manager request with a device token and a session token (either may be missing). */
function asTill(s: ServerSuite, device: string | null, session: string | null, method = 'GET', path = '/manager/staff', body?: unknown) {
  const headers: Record<string, string> = {}
  if (device !== null) headers.authorization = `Bearer ${device}`
  if (session !== null) headers['kantine-manager'] = session
  return managerApi(s.server, { headers }, method, path, { body })
}

async function enrolKiosk(s: ServerSuite, locationId: string): Promise<string> {
  const code = await api(s.server, 'POST', '/admin/enrolment-codes', { token: s.server.adminToken, body: { locationId, kind: 'kiosk' } })
  const r = await api(s.server, 'POST', '/enrol', { body: { code: code.body.code, name: 'Kiosk 1', kind: 'kiosk' } })
  expect(r.status).toBe(200)
  return r.body.token
}

const sessionRequired = { status: 401, body: { error: 'manager-session-required' } }

describe('unlocking manager mode (POST /manager/session)', () => {
  const s = serverSuite({ rateLimits: false })

  it('a manager’s PIN at a till of their canteen opens a session bound to that till; it reads the municipality’s staff', async () => {
    const { f, till } = await s.canteen()
    const lise = await addStaff(s, f, { name: 'Leder Lise', pin: '97531', roles: ['cashier', 'manager'], locationIds: [f.locationId, f.otherLocationId] })
    const r = await unlock(s, till.token, { staffId: lise.staffId, pin: '97531' })
    expect(r.status).toBe(200)
    expect(r.body).toEqual({
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresAt: new Date(s.clock.now().getTime() + SESSION_IDLE_MS).toISOString(),
      staff: { id: lise.staffId, name: 'Leder Lise' },
      municipalityId: f.municipalityId,
      locationIds: [f.locationId, f.otherLocationId].sort(),
    })
    // Only the token's hash is kept.
    const { rows } = await s.db.query<{ token_hash: string; terminal_id: string }>('SELECT token_hash, terminal_id FROM manager_sessions WHERE staff_id = $1', [lise.staffId])
    expect(rows).toEqual([{ token_hash: expect.stringMatching(/^[0-9a-f]{64}$/), terminal_id: till.terminalId }])
    expect(rows[0]!.token_hash).not.toBe(r.body.token)

    const staff = await asTill(s, till.token, r.body.token)
    expect(staff.status).toBe(200)
    expect(staff.body.staff.map((m: { id: string }) => m.id).sort()).toEqual([f.staffId, lise.staffId].sort())
    const audit = await s.db.query<{ actor: string; action: string }>(`SELECT actor, action FROM audit_log WHERE entity = 'terminal' AND entity_id = $1`, [till.terminalId])
    expect(audit.rows).toEqual([{ actor: `staff:${lise.staffId}`, action: 'manager.unlocked' }])
  })

  it('a cashier’s right PIN is 403 not-a-manager; so is a manager of another canteen; nothing is opened', async () => {
    const { f, till } = await s.canteen()
    // The fixture's staff member: a cashier with PIN 1234.
    expect(await unlock(s, till.token, { staffId: f.staffId, pin: '1234' })).toMatchObject({ status: 403, body: { error: 'not-a-manager' } })
    const elsewhere = await addStaff(s, f, { roles: ['manager'], locationIds: [f.otherLocationId] })
    expect(await unlock(s, till.token, { staffId: elsewhere.staffId, pin: elsewhere.pin })).toMatchObject({ status: 403, body: { error: 'not-a-manager' } })
    expect((await s.db.query('SELECT 1 FROM manager_sessions WHERE staff_id = ANY($1::text[])', [[f.staffId, elsewhere.staffId]])).rows).toEqual([])
  })

  it('a wrong PIN, an unknown staff id, another municipality’s manager and a retired manager all get the one 401 sign-in-refused', async () => {
    const { f, till } = await s.canteen()
    const other = await s.canteen()
    const lise = await addStaff(s, f)
    const foreign = await addStaff(s, other.f)
    const retired = await addStaff(s, f, { active: false })
    for (const body of [
      { staffId: lise.staffId, pin: '0000' },
      { staffId: lise.staffId, pin: 'abcd' },
      { staffId: lise.staffId, pin: '' },
      { staffId: 'staff-nobody', pin: '2580' },
      { staffId: foreign.staffId, pin: foreign.pin },
      { staffId: retired.staffId, pin: retired.pin },
    ]) {
      expect(await unlock(s, till.token, body)).toMatchObject({ status: 401, body: { error: 'sign-in-refused' } })
    }
    // Malformed requests are 400, not a sign-in try.
    for (const body of [{ staffId: lise.staffId }, { staffId: '', pin: '2580' }, { staffId: lise.staffId, pin: 2580 }, { staffId: lise.staffId, pin: '2580', roles: ['manager'] }]) {
      expect(await unlock(s, till.token, body)).toMatchObject({ status: 400, body: { error: 'bad-request' } })
    }
    expect((await s.db.query('SELECT 1 FROM manager_sessions WHERE staff_id = ANY($1::text[])', [[lise.staffId, foreign.staffId, retired.staffId]])).rows).toEqual([])
  })

  it(`${MAX_FAILURES} wrong PINs lock the staff member (429 locked, right PIN too) for ${LOCK_MS / 60_000} minutes; a right PIN before that clears the count`, async () => {
    const { f, till } = await s.canteen()
    const lise = await addStaff(s, f, { pin: '2580' })
    for (let i = 1; i < MAX_FAILURES; i++) expect((await unlock(s, till.token, { staffId: lise.staffId, pin: `000${i}` })).status).toBe(401)
    // A right PIN now clears the count: 4 more wrong ones are still 401.
    expect((await unlock(s, till.token, { staffId: lise.staffId, pin: '2580' })).status).toBe(200)
    for (let i = 1; i < MAX_FAILURES; i++) expect((await unlock(s, till.token, { staffId: lise.staffId, pin: `000${i}` })).status).toBe(401)
    const fifth = await unlock(s, till.token, { staffId: lise.staffId, pin: '0005' })
    expect(fifth).toMatchObject({ status: 429, body: { error: 'locked', retryAfterSeconds: LOCK_MS / 1000 }, retryAfter: String(LOCK_MS / 1000) })
    s.clock.advance(60_000)
    expect(await unlock(s, till.token, { staffId: lise.staffId, pin: '2580' })).toMatchObject({ status: 429, body: { error: 'locked', retryAfterSeconds: LOCK_MS / 1000 - 60 } })
    s.clock.advance(LOCK_MS - 60_000)
    expect((await unlock(s, till.token, { staffId: lise.staffId, pin: '2580' })).status).toBe(200)
  })

  it('wrong PINs further apart than the window are not held against anyone', async () => {
    const { f, till } = await s.canteen()
    const lise = await addStaff(s, f)
    for (let i = 1; i < MAX_FAILURES; i++) expect((await unlock(s, till.token, { staffId: lise.staffId, pin: '0000' })).status).toBe(401)
    s.clock.advance(FAILURE_WINDOW_MS)
    expect((await unlock(s, till.token, { staffId: lise.staffId, pin: '0000' })).status).toBe(401)
    expect((await unlock(s, till.token, { staffId: lise.staffId, pin: lise.pin })).status).toBe(200)
  })

  it('counts parallel guesses one by one: at most 4 are tried, the rest find the lock', async () => {
    const { f, till } = await s.canteen()
    const lise = await addStaff(s, f)
    const pins = ['1111', '2222', '3333', '4444', '5555', '6666', '7777', '8888', '9999']
    const guesses = await Promise.all(pins.map((pin) => unlock(s, till.token, { staffId: lise.staffId, pin })))
    const statuses = guesses.map((g) => g.status).sort()
    expect(statuses.filter((st) => st === 401)).toHaveLength(MAX_FAILURES - 1)
    expect(statuses.filter((st) => st === 429)).toHaveLength(pins.length - MAX_FAILURES + 1)
    expect(await unlock(s, till.token, { staffId: lise.staffId, pin: lise.pin })).toMatchObject({ status: 429, body: { error: 'locked' } })
  })

  it('needs a till’s device token: none or unknown → 401, a revoked till → 401, a kiosk → 403 kiosk-terminal', async () => {
    const { f, till } = await s.canteen()
    const lise = await addStaff(s, f)
    const body = { staffId: lise.staffId, pin: lise.pin }
    expect(await unlock(s, null, body)).toMatchObject({ status: 401, body: { error: 'unauthorized' } })
    expect(await unlock(s, 'not-a-token', body)).toMatchObject({ status: 401, body: { error: 'unauthorized' } })
    const kiosk = await enrolKiosk(s, f.locationId)
    expect(await unlock(s, kiosk, body)).toMatchObject({ status: 403, body: { error: 'kiosk-terminal' } })
    const revoked = await enrolTill(s.server, f.locationId, 'Kasse 2')
    expect((await api(s.server, 'POST', `/admin/terminals/${revoked.terminalId}/revoke`, { token: s.server.adminToken })).status).toBe(200)
    expect(await unlock(s, revoked.token, body)).toMatchObject({ status: 401, body: { error: 'unauthorized' } })
    // None of these was a try on the PIN.
    expect((await s.db.query('SELECT 1 FROM manager_pin_failures WHERE staff_id = $1', [lise.staffId])).rows).toEqual([])
    expect((await unlock(s, till.token, body)).status).toBe(200)
  })
})

describe('a manager session on every other /manager/* route', () => {
  const s = serverSuite({ rateLimits: false })

  it('needs both the till’s device token and the session header', async () => {
    const m = await managerSession(s)
    expect((await managerApi(s.server, m, 'GET', '/manager/staff')).status).toBe(200)
    expect(await asTill(s, m.terminal.token, null)).toMatchObject(sessionRequired)
    expect(await asTill(s, null, m.token)).toMatchObject(sessionRequired)
    expect(await asTill(s, m.terminal.token, 'x'.repeat(43))).toMatchObject(sessionRequired)
    expect(await asTill(s, m.token, m.terminal.token)).toMatchObject(sessionRequired)
  })

  it('used from another till, even of the same canteen, it is 401; from a kiosk too', async () => {
    const m = await managerSession(s)
    const other: Till = await enrolTill(s.server, m.locationId, 'Kasse 2')
    expect(await asTill(s, other.token, m.token)).toMatchObject(sessionRequired)
    expect(await asTill(s, await enrolKiosk(s, m.locationId), m.token)).toMatchObject(sessionRequired)
    expect((await managerApi(s.server, m, 'GET', '/manager/staff')).status).toBe(200)
  })

  it('a revoked till’s session stops at once', async () => {
    const m = await managerSession(s)
    expect((await api(s.server, 'POST', `/admin/terminals/${m.terminal.terminalId}/revoke`, { token: s.server.adminToken })).status).toBe(200)
    expect(await managerApi(s.server, m, 'GET', '/manager/staff')).toMatchObject(sessionRequired)
  })

  it('expires 30 minutes after its last use, and 8 hours after the unlock whatever the use', async () => {
    const idle = await managerSession(s)
    s.clock.advance(SESSION_IDLE_MS - 1000)
    expect((await managerApi(s.server, idle, 'GET', '/manager/staff')).status).toBe(200)
    s.clock.advance(SESSION_IDLE_MS - 1000)
    expect((await managerApi(s.server, idle, 'GET', '/manager/staff')).status).toBe(200)
    s.clock.advance(SESSION_IDLE_MS)
    expect(await managerApi(s.server, idle, 'GET', '/manager/staff')).toMatchObject(sessionRequired)

    const busy = await managerSession(s)
    const step = 20 * 60_000
    for (let t = step; t < SESSION_MAX_MS; t += step) {
      s.clock.advance(step)
      expect((await managerApi(s.server, busy, 'GET', '/manager/staff')).status).toBe(200)
    }
    s.clock.advance(SESSION_MAX_MS % step || step)
    expect(await managerApi(s.server, busy, 'GET', '/manager/staff')).toMatchObject(sessionRequired)
  })

  it('DELETE /manager/session ends it (204, idempotent); another till cannot end it', async () => {
    const m = await managerSession(s)
    const other = await enrolTill(s.server, m.locationId, 'Kasse 2')
    expect((await asTill(s, other.token, m.token, 'DELETE', '/manager/session')).status).toBe(204)
    expect((await managerApi(s.server, m, 'GET', '/manager/staff')).status).toBe(200)
    expect(await asTill(s, null, m.token, 'DELETE', '/manager/session')).toMatchObject({ status: 401 })
    expect((await managerApi(s.server, m, 'DELETE', '/manager/session')).status).toBe(204)
    expect(await managerApi(s.server, m, 'GET', '/manager/staff')).toMatchObject(sessionRequired)
    expect((await managerApi(s.server, m, 'DELETE', '/manager/session')).status).toBe(204)
  })

  it('retired, the manager role removed, or the till’s canteen taken away: the next request is 401', async () => {
    for (const change of [
      'UPDATE staff SET active = false WHERE id = $1',
      `UPDATE staff SET roles = ARRAY['cashier'] WHERE id = $1`,
      'UPDATE staff SET location_ids = ARRAY[]::text[] WHERE id = $1',
    ]) {
      const m = await managerSession(s)
      expect((await managerApi(s.server, m, 'GET', '/manager/staff')).status).toBe(200)
      await s.db.query(change, [m.staffId])
      expect(await managerApi(s.server, m, 'GET', '/manager/staff')).toMatchObject(sessionRequired)
    }
  })

  it('another manager retiring them, or taking their role, ends their session at the next request', async () => {
    const boss = await managerSession(s)
    const canteen = { f: boss.f, till: boss.terminal }
    const retired = await managerSession(s, { canteen })
    const demoted = await managerSession(s, { canteen })
    expect((await managerApi(s.server, boss, 'POST', `/manager/staff/${retired.staffId}/retire`)).status).toBe(200)
    expect((await managerApi(s.server, boss, 'PUT', `/manager/staff/${demoted.staffId}`, { body: { roles: ['cashier'] } })).status).toBe(200)
    expect(await managerApi(s.server, retired, 'GET', '/manager/staff')).toMatchObject(sessionRequired)
    expect(await managerApi(s.server, demoted, 'GET', '/manager/staff')).toMatchObject(sessionRequired)
    expect((await managerApi(s.server, boss, 'GET', '/manager/staff')).status).toBe(200)
  })

  it('another municipality’s manager neither sees nor touches this municipality’s staff: 404 as for a missing id', async () => {
    const here = await managerSession(s)
    const there = await managerSession(s)
    const list = await managerApi(s.server, there, 'GET', '/manager/staff')
    expect(list.body.staff.map((m: { id: string }) => m.id)).not.toContain(here.staffId)
    const id = here.f.staffId
    for (const [method, path, body] of [
      ['GET', `/manager/staff/${id}`, undefined],
      ['PUT', `/manager/staff/${id}`, { name: 'Overtaget' }],
      ['POST', `/manager/staff/${id}/pin`, { pin: '9999' }],
      ['POST', `/manager/staff/${id}/retire`, undefined],
      ['POST', `/manager/staff/${id}/reinstate`, undefined],
    ] as const) {
      const foreign = await managerApi(s.server, there, method, path, { body })
      const missing = await managerApi(s.server, there, method, path.replace(id, 'staff-missing'), { body })
      expect(foreign).toMatchObject({ status: 404, body: { error: 'staff-unknown' } })
      expect(foreign.body).toEqual(missing.body)
    }
    const { rows } = await s.db.query<{ name: string; active: boolean }>('SELECT name, active FROM staff WHERE id = $1', [id])
    expect(rows).toEqual([{ name: 'Kasse Karen', active: true }])
  })
})

describe('POST /manager/session is rate limited per address', () => {
  const s = serverSuite({ rateLimits: { managerSession: 3 } })

  it('the 4th unlock within a minute is 429 rate-limited', async () => {
    const { f, till } = await s.canteen()
    const lise = await addStaff(s, f)
    for (let i = 0; i < 3; i++) expect((await unlock(s, till.token, { staffId: lise.staffId, pin: lise.pin })).status).toBe(200)
    expect(await unlock(s, till.token, { staffId: lise.staffId, pin: lise.pin })).toMatchObject({ status: 429, body: { error: 'rate-limited' } })
  })
})
