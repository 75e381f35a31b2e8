/**
 * Pickup times (issue 15: the kitchen's list "per pickup time"): the canteen's times in the back
 * office, the menu, checkout's refusals, and the time on every view of the order (the guardian's,
 * the till's change row, the kitchen's list, the uncollected lines). PGlite by default;
 * PostgreSQL with KANTINE_TEST_DATABASE_URL.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SimulatedProvider, TEST_CARDS, memoryStore } from '../payments/simulated'
import { TERMS_VERSION } from '../guardian/money-terms'
import { api, pullAll, signInGuardian, uniqueSuffix, type Fixture } from '../../test/support/server'
import { serverSuite } from '../../test/support/server-suite'

const provider = new SimulatedProvider({ captureDelayMs: 1, store: memoryStore() })
const s = serverSuite({ guardian: { identity: 'simulated' }, rateLimits: false, payments: provider })
afterEach(() => vi.restoreAllMocks())

const TUESDAY_NOON = '2026-11-24T11:00:00.000Z'
const key = () => `key-${uniqueSuffix()}-${uniqueSuffix()}`
const settingsOf = async (locationId: string) => (await api(s.server, 'GET', `/admin/locations/${locationId}/order-settings`, { token: s.server.adminToken })).body
const putSettings = (locationId: string, body: Record<string, unknown>) => api(s.server, 'PUT', `/admin/locations/${locationId}/order-settings`, { token: s.server.adminToken, body })

/** Canteen A hands out at 10:30 and 12:00; canteen B has no times. */
async function shop() {
  s.clock.set(TUESDAY_NOON)
  const { f, till } = await s.canteen()
  const productIds = [f.products.bun.productId, f.products.cola.productId, f.products.candy.productId]
  expect((await putSettings(f.locationId, { productIds, pickupTimes: ['12:00', '10:30'] })).status).toBe(200)
  expect((await putSettings(f.otherLocationId, { productIds })).status).toBe(200)
  const token = await signInGuardian(s.server, f.data.guardians[0]!.id)
  return { f, till, token }
}

function order(token: string, f: Fixture, o: { location?: string; pickupTime?: unknown; payment?: unknown; lines?: { productId: string; quantity: number }[] } = {}) {
  return api(s.server, 'POST', `/guardian/accounts/${f.alice.accountId}/orders`, {
    token,
    body: {
      locationId: o.location ?? f.locationId,
      day: '2026-11-25',
      lines: o.lines ?? [{ productId: f.products.bun.productId, quantity: 2 }],
      ...('pickupTime' in o ? { pickupTime: o.pickupTime } : {}),
      payment: o.payment ?? { kind: 'canteen-card' },
      idempotencyKey: key(),
    },
  })
}
const paymentCard = { kind: 'payment-card', cardToken: TEST_CARDS.ok, acceptedTermsVersion: TERMS_VERSION }
const ledgerRows = async (accountId: string) => (await s.db.query('SELECT kind, amount FROM ledger WHERE account_id = $1 ORDER BY id', [accountId])).rows
const orderRows = async (accountId: string) => (await s.db.query('SELECT 1 FROM orders WHERE account_id = $1', [accountId])).rows.length

describe('the canteen’s pickup times in the back office', () => {
  it('keeps them sorted, and refuses a bad list with 400 and nothing changed', async () => {
    const { f } = await shop()
    expect(await settingsOf(f.locationId)).toMatchObject({ pickupTimes: ['10:30', '12:00'], pickupEnd: '14:00' })
    expect((await settingsOf(f.otherLocationId)).pickupTimes).toEqual([])
    const before = await settingsOf(f.locationId)
    const bad: unknown[] = [
      ['9:30'], // not HH:MM
      ['24:00'],
      ['10:30', '10:30'], // twice
      ['08:00', '08:30', '09:00', '09:30', '10:00', '10:30', '11:00', '11:30', '12:00'], // nine
      ['10:30', '14:00'], // at the window's end
      ['15:00'], // after it
    ]
    for (const pickupTimes of bad) {
      const r = await putSettings(f.locationId, { pickupTimes, creditUncollected: true })
      expect([r.status, r.body.error], JSON.stringify(pickupTimes)).toEqual([400, 'pickup-times-invalid'])
    }
    // Not a list of strings: refused at the edge.
    for (const pickupTimes of ['10:30', [1030], null]) expect((await putSettings(f.locationId, { pickupTimes })).status).toBe(400)
    // A window's end before a time already set: the pair as it would stand is refused.
    const early = await putSettings(f.locationId, { pickupEnd: '12:00' })
    expect([early.status, early.body.error]).toEqual([400, 'pickup-times-invalid'])
    // …and with a list that fits it, taken together.
    expect(await settingsOf(f.locationId)).toEqual(before)
    const both = await putSettings(f.locationId, { pickupEnd: '12:00', pickupTimes: ['11:45', '10:00', '11:00'] })
    expect(both.body).toMatchObject({ pickupEnd: '12:00', pickupTimes: ['10:00', '11:00', '11:45'] })
    expect((await putSettings(f.locationId, { pickupTimes: [] })).body.pickupTimes).toEqual([])
  })
})

describe('checkout with pickup times', () => {
  it('shows the times on the menu and carries the chosen one on the order, its list, the till’s change row and the kitchen’s list', async () => {
    const { f, token, till } = await shop()
    const menu = await api(s.server, 'GET', `/guardian/accounts/${f.alice.accountId}/menu?locationId=${f.locationId}&day=2026-11-25`, { token })
    expect(menu.body.pickupTimes).toEqual(['10:30', '12:00'])
    const other = await api(s.server, 'GET', `/guardian/accounts/${f.alice.accountId}/menu?locationId=${f.otherLocationId}&day=2026-11-25`, { token })
    expect(other.body.pickupTimes).toEqual([])

    const late = await order(token, f, { pickupTime: '12:00' })
    expect([late.status, late.body.pickupTime]).toEqual([201, '12:00'])
    const early = await order(token, f, { pickupTime: '10:30', payment: paymentCard, lines: [{ productId: f.products.bun.productId, quantity: 1 }, { productId: f.products.cola.productId, quantity: 3 }] })
    expect([early.status, early.body.status, early.body.pickupTime]).toEqual([201, 'awaiting-payment', '10:30'])
    const list = await api(s.server, 'GET', `/guardian/accounts/${f.alice.accountId}/orders`, { token })
    expect(list.body.orders.map((o: { number: number; pickupTime: string }) => [o.number, o.pickupTime])).toEqual([
      [102, '10:30'],
      [101, '12:00'],
    ])
    // A canteen without times: the order is for the day, with the time left out or null.
    const forDay = await order(token, f, { location: f.otherLocationId })
    expect([forDay.status, forDay.body.pickupTime]).toEqual([201, null])
    expect((await order(token, f, { location: f.otherLocationId, pickupTime: null })).status).toBe(201)

    // The till of canteen A gets both, each with its time.
    const pulled = (await pullAll(s.server, till)).pages.flatMap((p) => p.orders ?? [])
    const times = Object.fromEntries(pulled.flatMap((c) => ('data' in c ? [[c.data.number, c.data.pickupTime]] : [])))
    expect(times).toEqual({ 101: '12:00', 102: '10:30' })

    // The kitchen's list: the day's totals and per time, earliest first.
    const prep = await api(s.server, 'GET', `/admin/locations/${f.locationId}/preparation?day=2026-11-25`, { token: s.server.adminToken })
    expect(prep.body.products.map((p: { name: string; quantity: number }) => [p.name, p.quantity])).toEqual([
      ['Bolle med ost', 3],
      ['Cola', 3],
    ])
    expect(prep.body.times).toEqual([
      { pickupTime: '10:30', products: [expect.objectContaining({ name: 'Bolle med ost', quantity: 1, paid: 0 }), expect.objectContaining({ name: 'Cola', quantity: 3 })] },
      { pickupTime: '12:00', products: [expect.objectContaining({ name: 'Bolle med ost', quantity: 2, paid: 2 })] },
    ])
    const ofDay = await api(s.server, 'GET', `/admin/locations/${f.locationId}/orders?day=2026-11-25`, { token: s.server.adminToken })
    expect(ofDay.body.orders.map((o: { number: number }) => o.number)).toEqual([102, 101])

    // The uncollected lines (the manager's list reads the same) carry it too.
    s.clock.set('2026-11-25T14:00:00.000Z')
    const unc = await api(s.server, 'GET', `/admin/locations/${f.locationId}/uncollected?day=2026-11-25`, { token: s.server.adminToken })
    expect(unc.body.lines.map((l: { number: number; pickupTime: string }) => [l.number, l.pickupTime])).toEqual([[101, '12:00']])
  })

  it('refuses a missing, unknown or unoffered time with 400 and its own code: no order, no ledger row, no payment started', async () => {
    const { f, token } = await shop()
    const createPayment = vi.spyOn(provider, 'createPayment')
    const before = await ledgerRows(f.alice.accountId)
    const cases: [Parameters<typeof order>[2], string][] = [
      [{}, 'pickup-time-required'],
      [{ pickupTime: null }, 'pickup-time-required'],
      [{ payment: paymentCard }, 'pickup-time-required'],
      [{ pickupTime: '11:00' }, 'pickup-time-unknown'],
      [{ pickupTime: '10:30:00' }, 'pickup-time-unknown'],
      [{ pickupTime: '' }, 'pickup-time-unknown'],
      [{ pickupTime: '1030' }, 'pickup-time-unknown'],
      [{ pickupTime: '09:00', payment: paymentCard }, 'pickup-time-unknown'],
      [{ location: f.otherLocationId, pickupTime: '10:30' }, 'pickup-time-not-offered'],
      [{ location: f.otherLocationId, pickupTime: '10:30', payment: paymentCard }, 'pickup-time-not-offered'],
    ]
    for (const [o, code] of cases) {
      const r = await order(token, f, o)
      expect([r.status, r.body.error], JSON.stringify(o)).toEqual([400, code])
    }
    // Not a string at all: refused at the edge.
    for (const pickupTime of [1030, ['10:30'], { at: '10:30' }]) expect((await order(token, f, { pickupTime })).status).toBe(400)
    expect(createPayment).not.toHaveBeenCalled()
    expect(await orderRows(f.alice.accountId)).toBe(0)
    expect(await ledgerRows(f.alice.accountId)).toEqual(before)

    // A time the canteen took away after the kiosk showed it is refused the same way.
    await putSettings(f.locationId, { pickupTimes: ['12:00'] })
    expect((await order(token, f, { pickupTime: '10:30' })).body.error).toBe('pickup-time-unknown')
    expect(await orderRows(f.alice.accountId)).toBe(0)
  })
})
