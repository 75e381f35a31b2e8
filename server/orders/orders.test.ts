/**
 * Webshop orders and pickup, end to end on the server (issue 15): a guardian orders at the
 * kiosk, the canteen's till pulls it, staff hand it out. PGlite by default; PostgreSQL with
 * KANTINE_TEST_DATABASE_URL.
 */
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { Mutation } from '../../domain/sync'
import { ledgerSum } from '../money/ledger'
import { SimulatedProvider, TEST_CARDS, memoryStore } from '../payments/simulated'
import { TERMS_VERSION } from '../guardian/money-terms'
import { api, enrolTill, pullAll, pushAs, signInGuardian, snapshotOf, uniqueSuffix, type Fixture, type Till } from '../../test/support/server'
import { serverSuite } from '../../test/support/server-suite'
import { orderPaymentEvent } from './payments'
import { orderWorkerOf } from './worker'

const store = memoryStore()
const provider = new SimulatedProvider({ captureDelayMs: 1, store })
const s = serverSuite({ guardian: { identity: 'simulated' }, rateLimits: false, payments: provider })

const TUESDAY_NOON = '2026-11-24T11:00:00.000Z' // 12:00 in Copenhagen
const TUESDAY_MORNING = '2026-11-24T06:00:00.000Z' // 07:00, before Tuesday's 09:00 cut-off
/** A guardian session lasts 15 minutes without use: after the test clock jumps, sign in again. */
const signIn = (f: Fixture) => signInGuardian(s.server, f.data.guardians[0]!.id)
const providerStatus = async (orderId: string) => {
  const ref = (await s.db.query<{ provider_ref: string }>('SELECT provider_ref FROM orders WHERE id = $1', [orderId])).rows[0]!.provider_ref
  return (await store.payment(ref))?.status
}
const key = () => `key-${uniqueSuffix()}-${uniqueSuffix()}`

/** Settles the provider's capture events and the order worker's work. */
async function settle() {
  await s.server.ctx.idle()
  await orderWorkerOf(s.server.ctx)!.idle()
}
const tick = async () => {
  await orderWorkerOf(s.server.ctx)!.tick()
  await settle()
}

/** A fresh municipality whose two canteens sell bun, cola and candy in the webshop; Anna signed in. */
async function shop(settings: Record<string, unknown> = {}) {
  s.clock.set(TUESDAY_NOON)
  const { f, till } = await s.canteen()
  for (const loc of [f.locationId, f.otherLocationId]) {
    const r = await api(s.server, 'PUT', `/admin/locations/${loc}/order-settings`, {
      token: s.server.adminToken,
      body: { productIds: [f.products.bun.productId, f.products.cola.productId, f.products.candy.productId], ...settings },
    })
    expect(r.status).toBe(200)
  }
  const token = await signInGuardian(s.server, f.data.guardians[0]!.id)
  return { f, till, token }
}

const canteenCard = { kind: 'canteen-card' }
const paymentCard = (cardToken: string = TEST_CARDS.ok) => ({ kind: 'payment-card', cardToken, acceptedTermsVersion: TERMS_VERSION })

function order(token: string, f: Fixture, o: { account?: string; day?: string; location?: string; lines?: { productId: string; quantity: number }[]; payment?: unknown; idempotencyKey?: string } = {}) {
  return api(s.server, 'POST', `/guardian/accounts/${o.account ?? f.alice.accountId}/orders`, {
    token,
    body: {
      locationId: o.location ?? f.locationId,
      day: o.day ?? '2026-11-25',
      lines: o.lines ?? [{ productId: f.products.bun.productId, quantity: 2 }],
      payment: o.payment ?? canteenCard,
      idempotencyKey: o.idempotencyKey ?? key(),
    },
  })
}

const balanceOf = async (accountId: string) => Number((await s.db.query<{ balance: number }>('SELECT balance FROM accounts WHERE id = $1', [accountId])).rows[0]!.balance)
const ledgerOf = async (accountId: string) =>
  (await s.db.query<{ kind: string; amount: number }>('SELECT kind, amount FROM ledger WHERE account_id = $1 ORDER BY id', [accountId])).rows.map((r) => [r.kind, Number(r.amount)])
const spendOf = async (accountId: string, period: string) =>
  Number((await s.db.query<{ amount: number }>('SELECT amount FROM account_spend WHERE account_id = $1 AND period = $2', [accountId, period])).rows[0]?.amount ?? 0)

function handout(seq: number, orderId: string, f: Fixture, lines: { lineNo: number; quantity: number }[], at = TUESDAY_NOON): Mutation {
  return { seq, id: randomUUID(), kind: 'order.handout', payload: { orderId, lines, handedOutAt: at, staffId: f.staffId } }
}

const pulledOrders = async (till: Till) => (await pullAll(s.server, till)).pages.flatMap((p) => p.orders ?? [])

describe('the menu, closed days and the cut-off', () => {
  it('says when ordering closes per weekday, and refuses a closed day and a day past its cut-off', async () => {
    // Wednesdays close at 12:00 the day before; Thursdays at 09:00 the same morning (the default).
    const { f } = await shop({ cutoffs: [{ weekday: 3, daysBefore: 1, time: '12:00' }] })
    s.clock.set('2026-11-24T10:30:00.000Z') // Tuesday 11:30
    let token = await signIn(f)
    const wed = await api(s.server, 'GET', `/guardian/accounts/${f.alice.accountId}/menu?locationId=${f.locationId}&day=2026-11-25`, { token })
    expect(wed.status).toBe(200)
    expect(wed.body).toMatchObject({ day: '2026-11-25', closed: false, open: true, cutoffAt: '2026-11-24T11:00:00.000Z' })
    expect(wed.body.products.map((p: { id: string }) => p.id).sort()).toEqual([f.products.bun.productId, f.products.candy.productId, f.products.cola.productId].sort())

    s.clock.set('2026-11-24T11:00:00.000Z') // Tuesday 12:00: Wednesday has closed
    token = await signIn(f)
    expect((await order(token, f)).body.error).toBe('cut-off-passed')
    const thu = await order(token, f, { day: '2026-11-26' })
    expect(thu.status).toBe(201)
    expect(thu.body.cutoffAt).toBe('2026-11-26T08:00:00.000Z')

    const closed = await api(s.server, 'PUT', `/admin/locations/${f.locationId}/closed-days/2026-11-27`, { token: s.server.adminToken, body: { reason: 'Skolefest' } })
    expect(closed.status).toBe(200)
    const fri = await api(s.server, 'GET', `/guardian/accounts/${f.alice.accountId}/menu?locationId=${f.locationId}&day=2026-11-27`, { token })
    expect(fri.body).toMatchObject({ closed: true, closedReason: 'Skolefest', open: false })
    const refused = await order(token, f, { day: '2026-11-27' })
    expect([refused.status, refused.body.error]).toEqual([409, 'day-closed'])
    expect((await order(token, f, { day: '2026-11-23' })).body.error).toBe('cut-off-passed') // yesterday
  })
})

describe('checkout with the canteen card', () => {
  it('draws the amount at once through the ledger, "Betalt", counted on the pickup day; a retry draws once', async () => {
    const { f, token } = await shop()
    const idempotencyKey = key()
    const first = await order(token, f, { idempotencyKey })
    expect(first.status).toBe(201)
    expect(first.body).toMatchObject({ number: 101, status: 'paid', statusLabel: { da: 'Betalt', en: 'Paid' }, total: 3000, captureAt: null, cancellable: true })
    const again = await order(token, f, { idempotencyKey })
    expect(again.body.id).toBe(first.body.id)
    expect(await ledgerOf(f.alice.accountId)).toEqual([['deposit', 10000], ['purchase', -3000]])
    expect(await balanceOf(f.alice.accountId)).toBe(7000)
    expect(Number(await ledgerSum(s.db, f.alice.accountId))).toBe(7000)
    expect(await spendOf(f.alice.accountId, 'd:2026-11-25')).toBe(3000)
    expect(await spendOf(f.alice.accountId, 'd:2026-11-24')).toBe(0)
    const second = await order(token, f)
    expect(second.body.number).toBe(102)
    const list = await api(s.server, 'GET', `/guardian/accounts/${f.alice.accountId}/orders`, { token })
    expect(list.body.orders.map((o: { number: number }) => o.number)).toEqual([102, 101])
  })

  it('refuses with the till’s reasons, in the till’s order, and changes nothing', async () => {
    const { f, token } = await shop()
    // Anna manages Bob too here: 20 kr, day limit 30 kr, candy denied, only canteen A.
    await s.db.query('INSERT INTO guardian_accounts (guardian_id, account_id) VALUES ($1, $2)', [f.data.guardians[0]!.id, f.bob.accountId])
    const bob = (o: Parameters<typeof order>[2]) => order(token, f, { account: f.bob.accountId, ...o })
    const before = await ledgerOf(f.bob.accountId)
    expect((await bob({ location: f.otherLocationId })).body.error).toBe('location-not-allowed')
    expect((await bob({ lines: [{ productId: f.products.candy.productId, quantity: 1 }] })).body.error).toBe('product-not-permitted')
    expect((await bob({ lines: [{ productId: f.products.cola.productId, quantity: 2 }] })).body.error).toBe('day-limit')
    await s.db.query('UPDATE accounts SET limit_day = NULL WHERE id = $1', [f.bob.accountId])
    expect((await bob({ lines: [{ productId: f.products.cola.productId, quantity: 2 }] })).body.error).toBe('balance-too-low')
    await s.db.query('UPDATE accounts SET limit_week = 1000 WHERE id = $1', [f.bob.accountId])
    expect((await bob({})).body.error).toBe('week-limit')
    await s.db.query('UPDATE accounts SET limit_week = NULL, limit_month = 1000 WHERE id = $1', [f.bob.accountId])
    expect((await bob({})).body.error).toBe('month-limit')
    await api(s.server, 'POST', `/admin/accounts/${f.bob.accountId}/block`, { token: s.server.adminToken })
    expect((await bob({})).body.error).toBe('blocked')
    expect(await ledgerOf(f.bob.accountId)).toEqual(before)
    expect((await s.db.query('SELECT 1 FROM orders WHERE account_id = $1', [f.bob.accountId])).rows).toHaveLength(0)
  })
})

describe('cancellation before the cut-off', () => {
  it('credits a canteen-card order back through the ledger, once; after the cut-off it is refused', async () => {
    const { f, token } = await shop()
    const placed = (await order(token, f)).body
    const cancel = () => api(s.server, 'POST', `/guardian/accounts/${f.alice.accountId}/orders/${placed.id}/cancel`, { token, body: { idempotencyKey: key() } })
    const r = await cancel()
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ status: 'cancelled', statusLabel: { da: 'Annulleret', en: 'Cancelled' } })
    expect((await cancel()).status).toBe(200)
    expect(await ledgerOf(f.alice.accountId)).toEqual([['deposit', 10000], ['purchase', -3000], ['refund', 3000]])
    expect(await spendOf(f.alice.accountId, 'd:2026-11-25')).toBe(0)

    const late = (await order(token, f)).body
    s.clock.set('2026-11-25T08:00:00.000Z') // Wednesday 09:00: the cut-off
    const refused = await api(s.server, 'POST', `/guardian/accounts/${f.alice.accountId}/orders/${late.id}/cancel`, { token: await signIn(f), body: { idempotencyKey: key() } })
    expect([refused.status, refused.body.error]).toEqual([409, 'cut-off-passed'])
    expect(await balanceOf(f.alice.accountId)).toBe(7000)
  })

  it('releases a payment card’s authorisation at the provider', async () => {
    const { f, token } = await shop()
    const placed = (await order(token, f, { payment: paymentCard() })).body
    expect(placed).toMatchObject({ status: 'awaiting-payment', statusLabel: { da: 'Afventer betaling' }, captureAt: '2026-11-25T08:00:00.000Z' })
    const r = await api(s.server, 'POST', `/guardian/accounts/${f.alice.accountId}/orders/${placed.id}/cancel`, { token, body: { idempotencyKey: key() } })
    expect(r.body.status).toBe('cancelled')
    expect(await providerStatus(placed.id)).toBe('cancelled')
    // The cut-off passes: nothing is captured.
    s.clock.set('2026-11-25T08:01:00.000Z')
    await tick()
    expect(await providerStatus(placed.id)).toBe('cancelled')
    expect(await ledgerOf(f.alice.accountId)).toEqual([['deposit', 10000]])
  })
})

describe('cancellation while the provider is unreachable', () => {
  it('cancels the order at once, never captures it, and releases the authorisation when the provider answers again', async () => {
    const { f, token } = await shop()
    const placed = (await order(token, f, { payment: paymentCard() })).body
    const cancel = provider.cancel.bind(provider)
    provider.cancel = () => Promise.reject(new Error('503 from the provider'))
    try {
      const r = await api(s.server, 'POST', `/guardian/accounts/${f.alice.accountId}/orders/${placed.id}/cancel`, { token, body: { idempotencyKey: key() } })
      expect(r.body.status).toBe('cancelled')
      expect(await providerStatus(placed.id)).toBe('authorized')
    } finally {
      provider.cancel = cancel
    }
    s.clock.set('2026-11-25T08:00:00.000Z') // the cut-off: no capture of a cancelled order
    await tick()
    expect(await providerStatus(placed.id)).toBe('cancelled')
    await tick()
    expect((await s.db.query(`SELECT status FROM orders WHERE id = $1`, [placed.id])).rows).toEqual([{ status: 'cancelled' }])
  })
})

describe('checkout with a payment card', () => {
  it('captures at the cut-off; the capture event makes it "Betalt" exactly once, however often it is delivered', async () => {
    const { f, token } = await shop()
    const placed = (await order(token, f, { payment: paymentCard() })).body
    expect(placed.status).toBe('awaiting-payment')
    await tick()
    expect((await api(s.server, 'GET', `/guardian/accounts/${f.alice.accountId}/orders`, { token })).body.orders[0].status).toBe('awaiting-payment')

    s.clock.set('2026-11-25T08:00:00.000Z')
    await tick()
    expect(await providerStatus(placed.id)).toBe('captured')
    const after = (await api(s.server, 'GET', `/guardian/accounts/${f.alice.accountId}/orders`, { token: await signIn(f) })).body.orders[0]
    expect(after.status).toBe('paid')
    const ref = (await s.db.query<{ provider_ref: string }>('SELECT provider_ref FROM orders WHERE id = $1', [placed.id])).rows[0]!.provider_ref
    const event = { type: 'payment.captured' as const, paymentId: ref, amount: 3000 }
    const outcomes = [await orderPaymentEvent(s.server.ctx, event), await orderPaymentEvent(s.server.ctx, event), await orderPaymentEvent(s.server.ctx, event)]
    expect(outcomes).toEqual(['unchanged', 'unchanged', 'unchanged'])
    const paidEntries = await s.db.query(`SELECT 1 FROM audit_log WHERE action = 'order.paid' AND entity_id = $1`, [placed.id])
    expect(paidEntries.rows).toHaveLength(1)
    // The canteen card is not touched by a payment-card order.
    expect(await ledgerOf(f.alice.accountId)).toEqual([['deposit', 10000]])
  })

  it('a capture that fails makes it "Betaling fejlede", and the counter cannot hand it out', async () => {
    const { f, token, till } = await shop()
    s.clock.set(TUESDAY_MORNING)
    const cardToken = `tok_visa_${uniqueSuffix()}`
    const placed = (await order(token, f, { day: '2026-11-24', payment: paymentCard(cardToken) })).body
    expect(placed.status).toBe('awaiting-payment')
    provider.setCardState(cardToken, 'insufficient-funds')
    s.clock.set(TUESDAY_NOON)
    await tick()
    const view = (await api(s.server, 'GET', `/guardian/accounts/${f.alice.accountId}/orders`, { token: await signIn(f) })).body.orders[0]
    expect(view).toMatchObject({ status: 'payment-failed', statusLabel: { da: 'Betaling fejlede' }, failure: 'insufficient-funds' })
    const pushed = await pushAs(s.server, till, [handout(1, placed.id, f, [{ lineNo: 1, quantity: 2 }])])
    expect(pushed.body.results[0]).toMatchObject({ status: 'rejected', reason: 'order-not-paid' })
  })

  it('a declined card leaves no order the counter or the kitchen sees', async () => {
    const { f, token } = await shop()
    const r = await order(token, f, { payment: paymentCard(TEST_CARDS.declined) })
    expect([r.status, r.body.error]).toEqual([402, 'card-declined'])
    const prep = await api(s.server, 'GET', `/admin/locations/${f.locationId}/preparation?day=2026-11-25`, { token: s.server.adminToken })
    expect(prep.body.products).toEqual([])
  })
})

describe('orders reach only the tills of their canteen', () => {
  it('a till pulls its own canteen’s orders of today and tomorrow; another canteen’s till never sees them; next week’s come the day before', async () => {
    const { f, token, till } = await shop()
    const other = await enrolTill(s.server, f.otherLocationId, 'Kasse B')
    const placed = (await order(token, f)).body
    const nextWeek = (await order(token, f, { day: '2026-12-01' })).body

    const own = await pulledOrders(till)
    expect(own.map((o) => o.id)).toEqual([placed.id])
    expect(own[0]).toMatchObject({ data: { number: 101, status: 'paid', pickupDay: '2026-11-25', holderName: 'Alice Andersen', locationId: f.locationId } })
    expect(await pulledOrders(other)).toEqual([])
    expect((await pullAll(s.server, other)).changes.some((c) => (c.entity as string) === 'order')).toBe(false)
    const snap = await snapshotOf(s.server, till)
    expect(snap.orders?.map((o) => o.id)).toEqual([placed.id])
    expect((await snapshotOf(s.server, other)).orders).toBeUndefined()

    s.clock.set('2026-11-30T10:00:00.000Z') // Monday: next Tuesday's orders are released
    await tick()
    expect((await pulledOrders(till)).map((o) => o.id)).toContain(nextWeek.id)
    expect(await pulledOrders(other)).toEqual([])
  })
})

describe('hand-out at the counter', () => {
  async function todaysOrder() {
    const ctx = await shop()
    s.clock.set(TUESDAY_MORNING)
    const placed = (await order(ctx.token, ctx.f, { day: '2026-11-24', lines: [{ productId: ctx.f.products.bun.productId, quantity: 2 }, { productId: ctx.f.products.cola.productId, quantity: 1 }] })).body
    s.clock.set(TUESDAY_NOON)
    return { ...ctx, token: await signIn(ctx.f), placed }
  }

  it('two tills hand out the same line at once: one wins, the other hears who and when; a repeat changes nothing', async () => {
    const { f, till, placed } = await todaysOrder()
    const second = await enrolTill(s.server, f.locationId, 'Kasse 2')
    const a = [handout(1, placed.id, f, [{ lineNo: 1, quantity: 2 }])]
    const b = [handout(1, placed.id, f, [{ lineNo: 1, quantity: 2 }])]
    const [ra, rb] = await Promise.all([pushAs(s.server, till, a), pushAs(s.server, second, b)])
    const results = [ra.body.results[0], rb.body.results[0]]
    expect(results.filter((r) => r.status === 'applied')).toHaveLength(1)
    const lost = results.find((r) => r.status === 'rejected')
    expect(lost.reason).toMatch(/^already-handed-out: order 101 line 1 by Kasse Karen at 2026-11-24T11:00:00.000Z$/)
    const handed = await s.db.query<{ handed_out: number }>('SELECT handed_out FROM order_lines WHERE order_id = $1 AND line_no = 1', [placed.id])
    expect(handed.rows[0]!.handed_out).toBe(2)
    // The same push again: answered, not applied again.
    const winner = ra.body.results[0].status === 'applied' ? { till, m: a } : { till: second, m: b }
    const repeat = await pushAs(s.server, winner.till, winner.m)
    expect(repeat.body.results[0].status).toBe('applied')
    expect((await s.db.query(`SELECT 1 FROM audit_log WHERE action = 'order.handout' AND entity_id = $1`, [placed.id])).rows).toHaveLength(1)
    // The winner's pull acknowledges its hand-out with the page that carries the order's new state.
    const winnerPull = await pullAll(s.server, winner.till)
    const acked = winnerPull.pages.find((p) => p.ackSeq === 1)!
    expect(acked.orders?.some((o) => o.id === placed.id && 'data' in o && o.data.lines[0]!.handedOut === 2)).toBe(true)
    // The change row tells both tills what is left.
    const pulled = (await pulledOrders(second)).filter((o) => o.id === placed.id).at(-1)!
    expect(pulled).toMatchObject({ data: { lines: [{ lineNo: 1, handedOut: 2, handedOutBy: 'Kasse Karen' }, { lineNo: 2, handedOut: 0 }] } })
  })

  it('hands out part of an order, refuses more than is left, another canteen’s order and another day', async () => {
    const { f, till, placed, token } = await todaysOrder()
    expect((await pushAs(s.server, till, [handout(1, placed.id, f, [{ lineNo: 1, quantity: 1 }])])).body.results[0].status).toBe('applied')
    expect((await pushAs(s.server, till, [handout(2, placed.id, f, [{ lineNo: 2, quantity: 2 }])])).body.results[0].reason).toBe('quantity-too-large')
    expect((await pushAs(s.server, till, [handout(3, placed.id, f, [{ lineNo: 9, quantity: 1 }])])).body.results[0].reason).toBe('line-unknown')
    const other = await enrolTill(s.server, f.otherLocationId, 'Kasse B')
    expect((await pushAs(s.server, other, [handout(1, placed.id, f, [{ lineNo: 1, quantity: 1 }])])).body.results[0].reason).toBe('order-unknown')
    const tomorrow = (await order(token, f, { day: '2026-11-25' })).body
    expect((await pushAs(s.server, till, [handout(4, tomorrow.id, f, [{ lineNo: 1, quantity: 1 }])])).body.results[0].reason).toBe('order-not-today')
    expect((await pushAs(s.server, till, [handout(5, placed.id, f, [{ lineNo: 1, quantity: 1 }, { lineNo: 2, quantity: 1 }])])).body.results[0].status).toBe('applied')
    const view = (await api(s.server, 'GET', `/guardian/accounts/${f.alice.accountId}/orders`, { token })).body.orders.find((o: { id: string }) => o.id === placed.id)
    expect(view.lines.map((l: { handedOut: number }) => l.handedOut)).toEqual([2, 1])
    expect(view.cancellable).toBe(false)
  })
})

describe('the end of the pickup window and the kitchen', () => {
  it('lists the lines not picked up and credits them once when the canteen says so; the preparation list totals the day', async () => {
    const { f, token, till } = await shop({ creditUncollected: true, pickupEnd: '13:30' })
    s.clock.set(TUESDAY_MORNING)
    const placed = (await order(token, f, { day: '2026-11-24', lines: [{ productId: f.products.bun.productId, quantity: 2 }, { productId: f.products.cola.productId, quantity: 1 }] })).body
    await order(token, f, { day: '2026-11-24', lines: [{ productId: f.products.bun.productId, quantity: 1 }] })
    s.clock.set(TUESDAY_NOON)
    const prep = await api(s.server, 'GET', `/admin/locations/${f.locationId}/preparation?day=2026-11-24`, { token: s.server.adminToken })
    expect(prep.body.products).toEqual([
      { productId: f.products.bun.productId, name: 'Bolle med ost', quantity: 3, paid: 3, handedOut: 0 },
      { productId: f.products.cola.productId, name: 'Cola', quantity: 1, paid: 1, handedOut: 0 },
    ])
    await pushAs(s.server, till, [handout(1, placed.id, f, [{ lineNo: 1, quantity: 2 }])])
    const listed = await api(s.server, 'GET', `/admin/locations/${f.locationId}/uncollected?day=2026-11-24`, { token: s.server.adminToken })
    expect(listed.body.lines.map((l: { number: number; name: string; left: number; amount: number }) => [l.number, l.name, l.left, l.amount])).toEqual([
      [101, 'Cola', 1, 2000],
      [102, 'Bolle med ost', 1, 1500],
    ])
    const before = await balanceOf(f.alice.accountId)
    await tick() // 12:00 < 13:30: the window is still open
    expect(await balanceOf(f.alice.accountId)).toBe(before)
    s.clock.set('2026-11-24T12:30:00.000Z') // 13:30
    await tick()
    await tick()
    const closed = await api(s.server, 'POST', `/admin/locations/${f.locationId}/uncollected/close`, { token: s.server.adminToken, body: { day: '2026-11-24' } })
    expect(closed.body).toEqual({ orders: 0, credited: 0, amount: 0 })
    expect(await balanceOf(f.alice.accountId)).toBe(before + 3500)
    expect((await ledgerOf(f.alice.accountId)).filter(([k]) => k === 'refund')).toEqual([['refund', 2000], ['refund', 1500]])
    const statement = await api(s.server, 'GET', `/guardian/accounts/${f.alice.accountId}/statement?from=2026-11-24&to=2026-11-24`, { token: await signIn(f) })
    expect(statement.status).toBe(200)
    expect(statement.body.movements.filter((m: { kind: string }) => m.kind === 'refund').map((m: { amount: number }) => m.amount)).toEqual([2000, 1500])
  })
})

describe('an account that is not linked', () => {
  it('answers 404 account-unknown on every order route, with nothing changed', async () => {
    const { f, token } = await shop()
    const bob = f.bob.accountId
    const ledger = await ledgerOf(bob)
    const changes = async () => Number((await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM changes WHERE municipality_id = $1', [f.municipalityId])).rows[0]!.n)
    const before = await changes()
    const someOrder = randomUUID()
    const calls = [
      api(s.server, 'GET', `/guardian/accounts/${bob}/order-canteens`, { token }),
      api(s.server, 'GET', `/guardian/accounts/${bob}/menu?locationId=${f.locationId}&day=2026-11-25`, { token }),
      order(token, f, { account: bob }),
      order(token, f, { account: bob, payment: paymentCard() }),
      api(s.server, 'GET', `/guardian/accounts/${bob}/orders`, { token }),
      api(s.server, 'POST', `/guardian/accounts/${bob}/orders/${someOrder}/cancel`, { token, body: { idempotencyKey: key() } }),
      api(s.server, 'GET', `/guardian/accounts/acc-nobody/orders`, { token }),
    ]
    for (const r of await Promise.all(calls)) expect([r.status, r.body.error]).toEqual([404, 'account-unknown'])
    expect(await ledgerOf(bob)).toEqual(ledger)
    expect(await changes()).toBe(before)
    expect((await s.db.query('SELECT 1 FROM orders WHERE account_id = $1', [bob])).rows).toHaveLength(0)
  })
})
