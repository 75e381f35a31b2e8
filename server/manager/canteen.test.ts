/**
 * The canteen's cash setting (canteen.ts): the manager switches it at their till, every till of
 * the canteen gets it with the location on its next pull (poked at once), and the push follows
 * it. Anything else (another canteen, another municipality, a body that is not a yes or no, no
 * manager) is refused and changes nothing.
 */
import { describe, expect, it } from 'vitest'
import { api, connectLive, enrolTill, pullAll, snapshotOf, type Till } from '../../test/support/server'
import { serverSuite } from '../../test/support/server-suite'
import { managerApi, managerSession } from '../../test/support/manager'

const s = serverSuite({ rateLimits: false })

const cashOf = async (locationId: string) => (await s.db.query<{ cash_allowed: boolean }>('SELECT cash_allowed FROM locations WHERE id = $1', [locationId])).rows[0]?.cash_allowed
const locationChanges = async (till: Till, cursor: string) => (await pullAll(s.server, till, cursor)).changes.filter((c) => c.entity === 'location')

describe('the manager lets guests pay cash at their canteen', () => {
  it('switches it on and off for every till of the canteen: the row, a change row each time, a poke, the snapshot, an audit entry', async () => {
    const canteen = await s.canteen()
    const { f, till } = canteen
    const second = await enrolTill(s.server, f.locationId, 'Kasse 2')
    const m = await managerSession(s, { canteen })
    expect(await cashOf(f.locationId)).toBe(false)
    expect((await snapshotOf(s.server, till)).changes.find((c) => c.entity === 'location' && c.id === f.locationId)).toMatchObject({ data: { cashAllowed: false } })
    const { cursor } = await pullAll(s.server, second)

    const live = await connectLive(s.server, second.token)
    const on = await managerApi(s.server, m, 'PUT', `/manager/canteens/${f.locationId}/cash`, { body: { allowed: true } })
    expect([on.status, on.body]).toEqual([200, { locationId: f.locationId, cashAllowed: true }])
    // The other till of the canteen is poked at once, and its pull brings the canteen with cash.
    await live.next(2000)
    live.close()
    expect(await cashOf(f.locationId)).toBe(true)
    const pulled = await locationChanges(second, cursor)
    expect(pulled).toEqual([{ entity: 'location', id: f.locationId, data: expect.objectContaining({ name: 'Kantine A', cashAllowed: true }) }])
    expect((await snapshotOf(s.server, till)).changes.find((c) => c.entity === 'location' && c.id === f.locationId)).toMatchObject({ data: { cashAllowed: true } })
    // The municipality's other canteen is untouched.
    expect(await cashOf(f.otherLocationId)).toBe(false)

    // Saying it again changes nothing the tills hold.
    const { cursor: after } = await pullAll(s.server, second, cursor)
    expect((await managerApi(s.server, m, 'PUT', `/manager/canteens/${f.locationId}/cash`, { body: { allowed: true } })).status).toBe(200)
    expect(await locationChanges(second, after)).toEqual([])

    const off = await managerApi(s.server, m, 'PUT', `/manager/canteens/${f.locationId}/cash`, { body: { allowed: false } })
    expect([off.status, off.body]).toEqual([200, { locationId: f.locationId, cashAllowed: false }])
    expect(await locationChanges(second, after)).toEqual([{ entity: 'location', id: f.locationId, data: expect.objectContaining({ cashAllowed: false }) }])

    const audit = await s.db.query<{ actor: string; action: string; details: unknown }>(
      `SELECT actor, action, details FROM audit_log WHERE entity = 'location' AND entity_id = $1 ORDER BY id`,
      [f.locationId],
    )
    expect(audit.rows).toEqual([
      { actor: `staff:${m.staffId}`, action: 'canteen.cash', details: { allowed: true, was: false } },
      { actor: `staff:${m.staffId}`, action: 'canteen.cash', details: { allowed: true, was: true } },
      { actor: `staff:${m.staffId}`, action: 'canteen.cash', details: { allowed: false, was: true } },
    ])
  })

  it('refuses another canteen (403), another municipality’s or a missing one (404) and a body that is not a yes or no (400), changing nothing', async () => {
    const canteen = await s.canteen()
    const { f, till } = canteen
    const m = await managerSession(s, { canteen })
    const { f: elsewhere } = await s.canteen()
    const { cursor } = await pullAll(s.server, till)
    const put = async (locationId: string, body: unknown) => {
      const r = await managerApi(s.server, m, 'PUT', `/manager/canteens/${locationId}/cash`, { body })
      return [r.status, r.body?.error]
    }
    expect(await put(f.otherLocationId, { allowed: true })).toEqual([403, 'canteen-not-yours'])
    expect(await put(elsewhere.locationId, { allowed: true })).toEqual([404, 'location-unknown'])
    expect(await put('no-such-canteen', { allowed: true })).toEqual([404, 'location-unknown'])
    for (const body of [{ allowed: 'true' }, { allowed: 1 }, { allowed: null }, {}, { allowed: true, till: 'all' }, [true], 'true']) {
      expect(await put(f.locationId, body), JSON.stringify(body)).toEqual([400, 'bad-request'])
    }
    for (const id of [f.locationId, f.otherLocationId, elsewhere.locationId]) expect(await cashOf(id)).toBe(false)
    expect(await locationChanges(till, cursor)).toEqual([])
    const audit = await s.db.query(`SELECT 1 FROM audit_log WHERE action = 'canteen.cash' AND entity_id = ANY($1::text[])`, [[f.locationId, f.otherLocationId, elsewhere.locationId]])
    expect(audit.rows).toEqual([])
  })

  it('is a manager’s: a cashier gets no manager session (403), a manager made cashier loses theirs (401), and the setting stays as it was', async () => {
    const canteen = await s.canteen()
    const { f, till } = canteen
    const cashier = await api(s.server, 'POST', '/manager/session', { token: till.token, body: { staffId: f.staffId, pin: '1234' } })
    expect([cashier.status, cashier.body.error]).toEqual([403, 'not-a-manager'])

    const m = await managerSession(s, { canteen })
    await s.db.query(`UPDATE staff SET roles = '{cashier}' WHERE id = $1`, [m.staffId])
    const demoted = await managerApi(s.server, m, 'PUT', `/manager/canteens/${f.locationId}/cash`, { body: { allowed: true } })
    expect([demoted.status, demoted.body.error]).toEqual([401, 'manager-session-required'])
    // The till's device token alone is no manager.
    const bare = await api(s.server, 'PUT', `/manager/canteens/${f.locationId}/cash`, { token: till.token, body: { allowed: true } })
    expect([bare.status, bare.body.error]).toEqual([401, 'manager-session-required'])
    expect(await cashOf(f.locationId)).toBe(false)
  })
})
