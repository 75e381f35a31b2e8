/**
 * The manager's "Ikke afhentet" list (order-routes.ts): a guardian orders for today, the counter
 * hands out part of it, and the manager at the till sees what was not picked up, with the
 * canteen's credit setting; another canteen or municipality, or a bad day, is refused.
 */
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { Mutation } from '../../domain/sync'
import { api, pushAs, signInGuardian, uniqueSuffix, type Fixture } from '../../test/support/server'
import { serverSuite } from '../../test/support/server-suite'
import { managerApi, managerSession } from '../../test/support/manager'

const s = serverSuite({ guardian: { identity: 'simulated' }, rateLimits: false })

const TUESDAY_MORNING = '2026-11-24T06:00:00.000Z' // 07:00 in Copenhagen, before the 09:00 cut-off
const TUESDAY_NOON = '2026-11-24T11:00:00.000Z'

function handout(seq: number, orderId: string, f: Fixture, lines: { lineNo: number; quantity: number }[]): Mutation {
  return { seq, id: randomUUID(), kind: 'order.handout', payload: { orderId, lines, handedOutAt: TUESDAY_NOON, staffId: f.staffId } }
}

/**
 * A municipality whose first canteen sells bun and cola in the webshop (credit setting as given);
 * Alice's guardian orders two buns and a cola for Tuesday, and Alice one bun in a second order;
 * at noon the counter hands out the two buns of the first. A manager of the first canteen only.
 */
async function story(creditUncollected: boolean) {
  s.clock.set(TUESDAY_MORNING)
  const canteen = await s.canteen()
  const { f, till } = canteen
  const settings = await api(s.server, 'PUT', `/admin/locations/${f.locationId}/order-settings`, {
    token: s.server.adminToken,
    body: { productIds: [f.products.bun.productId, f.products.cola.productId], creditUncollected, pickupTimes: ['11:00', '12:30'] },
  })
  expect(settings.status).toBe(200)
  const token = await signInGuardian(s.server, f.data.guardians[0]!.id)
  const order = async (pickupTime: string, lines: { productId: string; quantity: number }[]) => {
    const r = await api(s.server, 'POST', `/guardian/accounts/${f.alice.accountId}/orders`, {
      token,
      body: { locationId: f.locationId, day: '2026-11-24', lines, pickupTime, payment: { kind: 'canteen-card' }, idempotencyKey: `key-${uniqueSuffix()}` },
    })
    expect(r.status).toBe(201)
    return r.body as { id: string; number: number }
  }
  const first = await order('12:30', [
    { productId: f.products.bun.productId, quantity: 2 },
    { productId: f.products.cola.productId, quantity: 1 },
  ])
  const second = await order('11:00', [{ productId: f.products.bun.productId, quantity: 1 }])
  s.clock.set(TUESDAY_NOON)
  const pushed = await pushAs(s.server, till, [handout(1, first.id, f, [{ lineNo: 1, quantity: 2 }])])
  expect(pushed.body.results[0].status).toBe('applied')
  const m = await managerSession(s, { canteen })
  return { f, m, first, second }
}

type Line = { number: number; pickupTime: string | null; holderName: string; name: string; left: number; amount: number }
const brief = (lines: Line[]) => lines.map((l) => [l.number, l.pickupTime, l.holderName, l.name, l.left, l.amount])

describe('the manager’s list of order lines not picked up', () => {
  it('lists what was not handed out, not what was, with the canteen’s credit setting; today by default', async () => {
    const { f, m, first, second } = await story(true)
    const r = await managerApi(s.server, m, 'GET', `/manager/uncollected?locationId=${f.locationId}&day=2026-11-24`)
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ day: '2026-11-24', locationId: f.locationId, credited: true, pickupEnd: '14:00' })
    expect(brief(r.body.lines)).toEqual([
      [first.number, '12:30', 'Alice Andersen', 'Cola', 1, f.products.cola.unitPrice],
      [second.number, '11:00', 'Alice Andersen', 'Bolle med ost', 1, f.products.bun.unitPrice],
    ])
    expect(r.body.lines[0].orderId).toBe(first.id)
    // No day: today in Copenhagen (the clock says Tuesday noon).
    const today = await managerApi(s.server, m, 'GET', `/manager/uncollected?locationId=${f.locationId}`)
    expect(today.status).toBe(200)
    expect(today.body.day).toBe('2026-11-24')
    expect(today.body.lines).toEqual(r.body.lines)
    // Another day has nothing.
    const monday = await managerApi(s.server, m, 'GET', `/manager/uncollected?locationId=${f.locationId}&day=2026-11-23`)
    expect(monday.body).toMatchObject({ day: '2026-11-23', lines: [] })
  })

  it('says when the canteen does not credit the lines back', async () => {
    const { f, m } = await story(false)
    const r = await managerApi(s.server, m, 'GET', `/manager/uncollected?locationId=${f.locationId}&day=2026-11-24`)
    expect(r.status).toBe(200)
    expect(r.body.credited).toBe(false)
    expect(r.body.lines).toHaveLength(2)
  })

  it('refuses a bad day, a missing or unknown query field, another canteen of the municipality and another municipality’s canteen', async () => {
    const { f, m } = await story(true)
    const get = (query: string) => managerApi(s.server, m, 'GET', `/manager/uncollected?${query}`)
    const refused = async (query: string) => {
      const r = await get(query)
      return [r.status, r.body?.error]
    }
    expect(await refused(`locationId=${f.locationId}&day=2026-02-30`)).toEqual([400, 'day-invalid'])
    expect(await refused(`locationId=${f.locationId}&day=24-11-2026`)).toEqual([400, 'day-invalid'])
    expect(await refused(`locationId=${f.locationId}&day=`)).toEqual([400, 'bad-request'])
    expect(await refused('day=2026-11-24')).toEqual([400, 'bad-request'])
    expect(await refused(`locationId=${f.locationId}&day=2026-11-24&all=1`)).toEqual([400, 'bad-request'])
    // The municipality's other canteen is not this manager's.
    expect(await refused(`locationId=${f.otherLocationId}&day=2026-11-24`)).toEqual([403, 'canteen-not-yours'])
    // Another municipality's canteen answers like one that does not exist.
    const { f: elsewhere } = await s.canteen()
    expect(await refused(`locationId=${elsewhere.locationId}&day=2026-11-24`)).toEqual([404, 'location-unknown'])
    expect(await refused(`locationId=no-such-canteen&day=2026-11-24`)).toEqual([404, 'location-unknown'])
  })

  it('needs a manager session', async () => {
    const { f, m } = await story(true)
    const r = await managerApi(s.server, { headers: { authorization: m.headers.authorization! } }, 'GET', `/manager/uncollected?locationId=${f.locationId}`)
    expect([r.status, r.body.error]).toEqual([401, 'manager-session-required'])
  })
})
