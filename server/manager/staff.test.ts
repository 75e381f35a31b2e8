import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { parsePinHash, PIN_SCRYPT } from '../../domain/pin-hash'
import { verifyPin as tillVerifyPin } from '../../electron/core/pin'
import { connectLive, pullAll, type Till } from '../../test/support/server'
import { serverSuite, type ServerSuite } from '../../test/support/server-suite'
import { addStaff, managerApi, managerSession, type ManagerSession } from '../../test/support/manager'

/** The newest state of a staff member as a till of the municipality pulls it. */
async function tillCopy(s: ServerSuite, till: Till, staffId: string) {
  const { changes } = await pullAll(s.server, till)
  const own = changes.filter((c) => c.entity === 'staff' && c.id === staffId)
  const last = own.at(-1)
  return last && 'data' in last ? last.data : null
}

async function staffRow(s: ServerSuite, id: string) {
  const { rows } = await s.db.query<{ name: string; pin_hash: string; roles: string[]; location_ids: string[]; active: boolean }>(
    'SELECT name, pin_hash, roles, location_ids, active FROM staff WHERE id = $1',
    [id],
  )
  return rows[0] ?? null
}

const count = async (s: ServerSuite, sql: string, params: unknown[]) => Number((await s.db.query<{ n: string }>(sql, params)).rows[0]!.n)

/** What must not move when a request is refused: the municipality's staff and its change log. */
async function state(s: ServerSuite, m: ManagerSession) {
  const staff = await s.db.query('SELECT id, name, pin_hash, roles, location_ids, active FROM staff WHERE municipality_id = $1 ORDER BY id', [m.municipalityId])
  const changes = await count(s, `SELECT count(*) AS n FROM changes WHERE municipality_id = $1 AND entity = 'staff'`, [m.municipalityId])
  return { staff: staff.rows, changes }
}

describe('staff, as a manager keeps them', () => {
  const s = serverSuite({ rateLimits: false })

  it('GET /manager/staff lists the municipality’s staff, without their PIN hashes', async () => {
    const m = await managerSession(s, { name: 'Leder Lise' })
    const r = await managerApi(s.server, m, 'GET', '/manager/staff')
    expect(r.status).toBe(200)
    expect(r.body.staff).toEqual([
      { id: m.f.staffId, name: 'Kasse Karen', roles: ['cashier'], locationIds: [m.f.locationId, m.f.otherLocationId], active: true },
      { id: m.staffId, name: 'Leder Lise', roles: ['manager'], locationIds: [m.locationId], active: true },
    ])
    expect(JSON.stringify(r.body)).not.toContain('scrypt')
    expect(await managerApi(s.server, m, 'GET', `/manager/staff/${m.f.staffId}`)).toMatchObject({ status: 200, body: { staff: { id: m.f.staffId, name: 'Kasse Karen' } } })
    expect(await managerApi(s.server, m, 'GET', '/manager/staff/nobody')).toMatchObject({ status: 404, body: { error: 'staff-unknown' } })
  })

  it('POST /manager/staff adds one: the PIN hashed as the tills check it, audited without it, and an online till is poked and pulls them', async () => {
    const m = await managerSession(s)
    const live = await connectLive(s.server, m.terminal.token)
    try {
      const poked = live.next(3000)
      const r = await managerApi(s.server, m, 'POST', '/manager/staff', { body: { name: '  Ny  Kasserer ', pin: '864213', roles: ['pickup', 'cashier', 'cashier'], locationIds: [m.locationId] } })
      expect(r.status).toBe(201)
      const id = r.body.staff.id as string
      expect(r.body.staff).toEqual({ id, name: 'Ny Kasserer', roles: ['cashier', 'pickup'], locationIds: [m.locationId], active: true })
      expect(await poked).toMatchObject({ type: 'poke' })

      const row = await staffRow(s, id)
      expect(row).toMatchObject({ name: 'Ny Kasserer', roles: ['cashier', 'pickup'], location_ids: [m.locationId], active: true })
      expect(parsePinHash(row!.pin_hash)).toMatchObject({ N: PIN_SCRYPT.N, r: PIN_SCRYPT.r, p: PIN_SCRYPT.p })
      expect(row!.pin_hash).not.toContain('864213')

      const copy = await tillCopy(s, m.terminal, id)
      expect(copy).toEqual({ name: 'Ny Kasserer', pinHash: row!.pin_hash, roles: ['cashier', 'pickup'], locationIds: [m.locationId], active: true })
      // The till's own check (electron/core/pin.ts) accepts the PIN and only the PIN.
      expect(await tillVerifyPin('864213', (copy as { pinHash: string }).pinHash)).toBe(true)
      expect(await tillVerifyPin('864214', (copy as { pinHash: string }).pinHash)).toBe(false)

      const audit = await s.db.query<{ actor: string; action: string; details: unknown }>(`SELECT actor, action, details FROM audit_log WHERE entity = 'staff' AND entity_id = $1`, [id])
      expect(audit.rows).toEqual([{ actor: `staff:${m.staffId}`, action: 'staff.created', details: { name: 'Ny Kasserer', roles: ['cashier', 'pickup'], locationIds: [m.locationId] } }])
      expect(JSON.stringify(audit.rows)).not.toContain('864213')
    } finally {
      live.close()
    }
  })

  it('refuses a bad new staff member with a clear 4xx and adds nothing', async () => {
    const m = await managerSession(s)
    const other = await managerSession(s)
    const good = { name: 'Ny', pin: '1357', roles: ['cashier'], locationIds: [m.locationId] }
    const before = await state(s, m)
    const cases: [unknown, number, string][] = [
      ...['123', '123456789', '12a4', '', ' 1234', '١٢٣٤'].map((pin): [unknown, number, string] => [{ ...good, pin }, 400, 'pin-invalid']),
      [{ ...good, name: '' }, 400, 'name-invalid'],
      [{ ...good, name: '    ' }, 400, 'name-invalid'],
      [{ ...good, name: 'x'.repeat(121) }, 400, 'name-invalid'],
      [{ ...good, roles: [] }, 400, 'bad-request'],
      [{ ...good, roles: ['admin'] }, 400, 'bad-request'],
      [{ ...good, roles: 'manager' }, 400, 'bad-request'],
      [{ ...good, locationIds: [] }, 400, 'bad-request'],
      [{ ...good, locationIds: ['loc-nowhere'] }, 400, 'location-unknown'],
      [{ ...good, locationIds: [other.locationId] }, 400, 'location-unknown'],
      [{ ...good, locationIds: [m.locationId, m.f.otherLocationId] }, 403, 'canteen-not-yours'],
      [{ ...good, pin: 1357 }, 400, 'bad-request'],
      [{ ...good, active: false }, 400, 'bad-request'],
      [{ name: 'Ny', roles: ['cashier'], locationIds: [m.locationId] }, 400, 'bad-request'],
    ]
    for (const [body, status, error] of cases) {
      expect(await managerApi(s.server, m, 'POST', '/manager/staff', { body }), JSON.stringify(body)).toMatchObject({ status, body: { error } })
    }
    expect(await state(s, m)).toEqual(before)
  })

  it('a POST repeated after a lost answer, with the id the screen chose, adds one colleague and answers with them, not pin-taken', async () => {
    const m = await managerSession(s)
    const other = await managerSession(s)
    const id = randomUUID()
    const body = { id, name: 'Ny Kollega', pin: '1357', roles: ['cashier'], locationIds: [m.locationId] }
    const first = await managerApi(s.server, m, 'POST', '/manager/staff', { body })
    expect([first.status, first.body.staff.id]).toEqual([201, id])
    const before = await state(s, m)
    expect(await managerApi(s.server, m, 'POST', '/manager/staff', { body })).toMatchObject({ status: 201, body: first.body })
    expect(await state(s, m)).toEqual(before)
    // Another municipality's manager cannot take or see the id; a malformed id is no id.
    const otherBefore = await state(s, other)
    expect(await managerApi(s.server, other, 'POST', '/manager/staff', { body: { ...body, pin: '2468', locationIds: [other.locationId] } })).toMatchObject({ status: 409, body: { error: 'id-taken' } })
    expect(await managerApi(s.server, m, 'POST', '/manager/staff', { body: { ...body, id: 's-jonas' } })).toMatchObject({ status: 400, body: { error: 'bad-request' } })
    expect(await state(s, other)).toEqual(otherBefore)
    expect(await state(s, m)).toEqual(before)
  })

  it('PUT /manager/staff/:id changes name, roles and the manager’s own canteens; the till pulls it', async () => {
    const m = await managerSession(s)
    const both = await managerSession(s, { canteen: { f: m.f, till: m.terminal }, locationIds: [m.f.locationId, m.f.otherLocationId] })
    const staff = await addStaff(s, m.f, { roles: ['cashier'], locationIds: [m.locationId] })
    const r = await managerApi(s.server, both, 'PUT', `/manager/staff/${staff.staffId}`, { body: { name: 'Omdøbt', roles: ['manager', 'cashier'], locationIds: [m.f.otherLocationId, m.locationId] } })
    expect(r).toMatchObject({ status: 200, body: { staff: { id: staff.staffId, name: 'Omdøbt', roles: ['cashier', 'manager'], locationIds: [m.locationId, m.f.otherLocationId].sort(), active: true } } })
    expect(await tillCopy(s, m.terminal, staff.staffId)).toMatchObject({ name: 'Omdøbt', roles: ['cashier', 'manager'], locationIds: [m.locationId, m.f.otherLocationId].sort(), active: true })
    // Only what was sent changes.
    expect((await managerApi(s.server, both, 'PUT', `/manager/staff/${staff.staffId}`, { body: { roles: ['pickup'] } })).body.staff).toMatchObject({ name: 'Omdøbt', roles: ['pickup'] })
    const audit = await s.db.query<{ action: string; actor: string }>(`SELECT action, actor FROM audit_log WHERE entity = 'staff' AND entity_id = $1 ORDER BY id`, [staff.staffId])
    expect(audit.rows).toEqual([
      { action: 'staff.updated', actor: `staff:${both.staffId}` },
      { action: 'staff.updated', actor: `staff:${both.staffId}` },
    ])
  })

  it('a staff member outside the manager’s canteens may be read but not changed; another manager’s canteens on a list stay as they were', async () => {
    const m = await managerSession(s) // manager of canteen A only
    const atB = await addStaff(s, m.f, { roles: ['cashier'], locationIds: [m.f.otherLocationId] })
    const shared = m.f.staffId // Kasse Karen: A and B
    const before = await state(s, m)
    expect((await managerApi(s.server, m, 'GET', `/manager/staff/${atB.staffId}`)).status).toBe(200)
    for (const [method, path, body] of [
      ['PUT', `/manager/staff/${atB.staffId}`, { name: 'Nej' }],
      ['POST', `/manager/staff/${atB.staffId}/pin`, { pin: '9999' }],
      ['POST', `/manager/staff/${atB.staffId}/retire`, undefined],
      ['POST', `/manager/staff/${atB.staffId}/reinstate`, undefined],
      // Karen works at A too, but B is not the manager's to take away or to give.
      ['PUT', `/manager/staff/${shared}`, { locationIds: [m.locationId] }],
      ['PUT', `/manager/staff/${atB.staffId}`, { locationIds: [m.locationId, m.f.otherLocationId] }],
    ] as const) {
      expect(await managerApi(s.server, m, method, path, { body }), `${method} ${path}`).toMatchObject({ status: 403, body: { error: 'canteen-not-yours' } })
    }
    expect(await state(s, m)).toEqual(before)
    // Taking A away from Karen (and sending B back as it was) is the manager's to do.
    expect(await managerApi(s.server, m, 'PUT', `/manager/staff/${shared}`, { body: { locationIds: [m.f.otherLocationId] } })).toMatchObject({
      status: 200,
      body: { staff: { locationIds: [m.f.otherLocationId] } },
    })
  })

  it('refuses bad changes with a clear 4xx and changes nothing', async () => {
    const m = await managerSession(s)
    const staff = await addStaff(s, m.f, { roles: ['cashier'], locationIds: [m.locationId] })
    const path = `/manager/staff/${staff.staffId}`
    const before = await state(s, m)
    const cases: [string, string, unknown, number, string][] = [
      ['PUT', path, { roles: [] }, 400, 'bad-request'],
      ['PUT', path, { roles: ['owner'] }, 400, 'bad-request'],
      ['PUT', path, { locationIds: [] }, 400, 'bad-request'],
      ['PUT', path, { locationIds: ['loc-nowhere'] }, 400, 'location-unknown'],
      ['PUT', path, { name: ' ' }, 400, 'name-invalid'],
      ['PUT', path, { pin: '1234' }, 400, 'bad-request'],
      ['PUT', path, { active: false }, 400, 'bad-request'],
      ['POST', `${path}/pin`, { pin: '12' }, 400, 'pin-invalid'],
      ['POST', `${path}/pin`, { pin: '123456789' }, 400, 'pin-invalid'],
      ['POST', `${path}/pin`, { pin: 'abcd' }, 400, 'pin-invalid'],
      ['POST', `${path}/pin`, {}, 400, 'bad-request'],
      ['PUT', '/manager/staff/staff-nobody', { name: 'X' }, 404, 'staff-unknown'],
      ['POST', '/manager/staff/staff-nobody/pin', { pin: '1234' }, 404, 'staff-unknown'],
    ]
    for (const [method, p, body, status, error] of cases) {
      expect(await managerApi(s.server, m, method, p, { body }), `${method} ${p} ${JSON.stringify(body)}`).toMatchObject({ status, body: { error } })
    }
    expect(await state(s, m)).toEqual(before)
  })

  it('a manager cannot retire themselves or take away their own manager role (409 own-account)', async () => {
    const m = await managerSession(s)
    const before = await state(s, m)
    expect(await managerApi(s.server, m, 'POST', `/manager/staff/${m.staffId}/retire`)).toMatchObject({ status: 409, body: { error: 'own-account' } })
    expect(await managerApi(s.server, m, 'PUT', `/manager/staff/${m.staffId}`, { body: { roles: ['cashier'] } })).toMatchObject({ status: 409, body: { error: 'own-account' } })
    expect(await state(s, m)).toEqual(before)
    // Adding a role to themselves is fine.
    expect(await managerApi(s.server, m, 'PUT', `/manager/staff/${m.staffId}`, { body: { roles: ['manager', 'cashier'] } })).toMatchObject({
      status: 200,
      body: { staff: { roles: ['cashier', 'manager'] } },
    })
    expect((await managerApi(s.server, m, 'GET', '/manager/staff')).status).toBe(200)
  })

  it('POST /manager/staff/:id/pin resets a PIN: the till pulls the new hash, the old PIN stops working', async () => {
    const m = await managerSession(s)
    const staff = await addStaff(s, m.f, { roles: ['cashier'], pin: '1111', locationIds: [m.locationId] })
    const r = await managerApi(s.server, m, 'POST', `/manager/staff/${staff.staffId}/pin`, { body: { pin: '24682468' } })
    expect(r.status).toBe(204)
    const copy = (await tillCopy(s, m.terminal, staff.staffId)) as { pinHash: string }
    expect(copy.pinHash).toBe((await staffRow(s, staff.staffId))!.pin_hash)
    expect(await tillVerifyPin('24682468', copy.pinHash)).toBe(true)
    expect(await tillVerifyPin('1111', copy.pinHash)).toBe(false)
    const audit = await s.db.query<{ action: string; details: unknown }>(`SELECT action, details FROM audit_log WHERE entity = 'staff' AND entity_id = $1`, [staff.staffId])
    expect(audit.rows).toEqual([{ action: 'staff.pin-reset', details: {} }])
  })

  it('a PIN reset ends the staff member’s other manager sessions (opened with the old PIN)', async () => {
    const boss = await managerSession(s)
    const other = await managerSession(s, { canteen: { f: boss.f, till: boss.terminal } })
    expect((await managerApi(s.server, boss, 'POST', `/manager/staff/${other.staffId}/pin`, { body: { pin: '5050' } })).status).toBe(204)
    expect(await managerApi(s.server, other, 'GET', '/manager/staff')).toMatchObject({ status: 401, body: { error: 'manager-session-required' } })
    // Their own reset keeps the session it was made in.
    expect((await managerApi(s.server, boss, 'POST', `/manager/staff/${boss.staffId}/pin`, { body: { pin: '6060' } })).status).toBe(204)
    expect((await managerApi(s.server, boss, 'GET', '/manager/staff')).status).toBe(200)
  })

  it('refuses a PIN another active staff member of one of the canteens has (409 pin-taken): the till signs in by PIN alone', async () => {
    const m = await managerSession(s, { pin: '4321' })
    const both = await managerSession(s, { canteen: { f: m.f, till: m.terminal }, pin: '8765', locationIds: [m.f.locationId, m.f.otherLocationId] })
    const atB = await addStaff(s, m.f, { roles: ['cashier'], pin: '5555', locationIds: [m.f.otherLocationId] })
    const retired = await addStaff(s, m.f, { roles: ['cashier'], pin: '7777', locationIds: [m.locationId], active: false })
    const before = await state(s, m)
    const taken = { status: 409, body: { error: 'pin-taken' } }
    // Karen (A and B) has 1234, the manager 4321.
    expect(await managerApi(s.server, m, 'POST', '/manager/staff', { body: { name: 'Ny', pin: '1234', roles: ['cashier'], locationIds: [m.locationId] } })).toMatchObject(taken)
    expect(await managerApi(s.server, m, 'POST', '/manager/staff', { body: { name: 'Ny', pin: '4321', roles: ['cashier'], locationIds: [m.locationId] } })).toMatchObject(taken)
    expect(await managerApi(s.server, m, 'POST', `/manager/staff/${m.f.staffId}/pin`, { body: { pin: '4321' } })).toMatchObject(taken)
    expect(await managerApi(s.server, both, 'POST', '/manager/staff', { body: { name: 'Ny', pin: '5555', roles: ['cashier'], locationIds: [m.f.otherLocationId] } })).toMatchObject(taken)
    expect(await state(s, m)).toEqual(before)
    // 5555 is only taken at canteen B; a retired staff member's PIN is nobody's; your own PIN again is yours.
    expect((await managerApi(s.server, m, 'POST', '/manager/staff', { body: { name: 'Ny A', pin: '5555', roles: ['cashier'], locationIds: [m.locationId] } })).status).toBe(201)
    expect((await managerApi(s.server, m, 'POST', '/manager/staff', { body: { name: 'Ny R', pin: '7777', roles: ['cashier'], locationIds: [m.locationId] } })).status).toBe(201)
    expect((await managerApi(s.server, m, 'POST', `/manager/staff/${m.staffId}/pin`, { body: { pin: '4321' } })).status).toBe(204)
    expect(atB.staffId && retired.staffId).toBeTruthy()
  })

  it('retire and reinstate: the till pulls them inactive, then active again', async () => {
    const m = await managerSession(s)
    const staff = await addStaff(s, m.f, { roles: ['cashier'], locationIds: [m.locationId] })
    expect(await managerApi(s.server, m, 'POST', `/manager/staff/${staff.staffId}/retire`)).toMatchObject({ status: 200, body: { staff: { id: staff.staffId, active: false } } })
    expect(await tillCopy(s, m.terminal, staff.staffId)).toMatchObject({ active: false, roles: ['cashier'] })
    // Retiring twice changes nothing more (no second change row, no second audit entry).
    const changes = await count(s, `SELECT count(*) AS n FROM changes WHERE entity = 'staff' AND entity_id = $1`, [staff.staffId])
    expect((await managerApi(s.server, m, 'POST', `/manager/staff/${staff.staffId}/retire`)).status).toBe(200)
    expect(await count(s, `SELECT count(*) AS n FROM changes WHERE entity = 'staff' AND entity_id = $1`, [staff.staffId])).toBe(changes)
    expect(await managerApi(s.server, m, 'POST', `/manager/staff/${staff.staffId}/reinstate`)).toMatchObject({ status: 200, body: { staff: { active: true } } })
    expect(await tillCopy(s, m.terminal, staff.staffId)).toMatchObject({ active: true })
    const audit = await s.db.query<{ action: string }>(`SELECT action FROM audit_log WHERE entity = 'staff' AND entity_id = $1 ORDER BY id`, [staff.staffId])
    expect(audit.rows.map((a) => a.action)).toEqual(['staff.retired', 'staff.reinstated'])
  })
})

describe('PIN changes are rate limited per manager', () => {
  const s = serverSuite({ rateLimits: { managerSession: 1000 } })

  it('the 21st PIN reset within a minute by one manager is 429; another manager is not held back', async () => {
    const m = await managerSession(s)
    const other = await managerSession(s, { canteen: { f: m.f, till: m.terminal } })
    const staff = await addStaff(s, m.f, { roles: ['cashier'], locationIds: [m.locationId] })
    for (let i = 0; i < 20; i++) {
      expect((await managerApi(s.server, m, 'POST', `/manager/staff/${staff.staffId}/pin`, { body: { pin: `60${String(i).padStart(2, '0')}` } })).status).toBe(204)
    }
    expect(await managerApi(s.server, m, 'POST', `/manager/staff/${staff.staffId}/pin`, { body: { pin: '7000' } })).toMatchObject({ status: 429, body: { error: 'rate-limited' } })
    expect((await managerApi(s.server, other, 'POST', `/manager/staff/${staff.staffId}/pin`, { body: { pin: '7002' } })).status).toBe(204)
  })
})
