import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { HandoutResult, PickupCardOrders, PickupList, PreparationList, UndoResult } from '../api/areas/pickup'
import { hashPin, seedCanteen } from '../../../test/support/core'
import { pendingUploads } from '../store/reports'
import { openDb } from '../store/db'
import { pendingMutations, recordPushResults } from '../store/outbox'
import { applyPullPage } from '../store/pull'
import { getSetting } from '../store/settings'
import { openTill, type Till } from '../till'
import { OrderHandoutPayload, PullResponse, type OrderChange, type OrderData } from '../../../domain/sync'
import { parseAlreadyHandedOut, UNDO_MS } from './pickup'

const dirs: string[] = []
const tills: Till[] = []
afterEach(async () => {
  for (const t of tills.splice(0)) await t.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** Lunch on Monday 2 March 2026 in Copenhagen, movable. */
function testClock(start = '2026-03-02T11:00:00.000Z') {
  let t = Date.parse(start)
  return { now: () => new Date(t), advance: (ms: number) => void (t += ms) }
}

const O1 = '6f1c2f0e-1111-4a4a-8b8b-000000000001'
const O2 = '6f1c2f0e-1111-4a4a-8b8b-000000000002'
const O3 = '6f1c2f0e-1111-4a4a-8b8b-000000000003'
const O4 = '6f1c2f0e-1111-4a4a-8b8b-000000000004'

function orderData(over: Partial<OrderData> = {}): OrderData {
  return {
    locationId: 'loc-1',
    accountId: 'a-1',
    holderName: 'Freja Nielsen',
    photoId: null,
    pickupDay: '2026-03-02',
    number: 101,
    status: 'paid',
    payment: 'canteen-card',
    total: 8600,
    captureAt: null,
    lines: [
      { lineNo: 1, productId: 'p-lunch', name: 'Frikadeller', quantity: 2, unitPrice: 3500, handedOut: 0, handedOutBy: null, handedOutAt: null },
      { lineNo: 2, productId: 'p-milk', name: 'Minimælk', quantity: 2, unitPrice: 800, handedOut: 0, handedOutBy: null, handedOutAt: null },
    ],
    ...over,
  }
}

function pullOrders(dir: string | ReturnType<typeof openDb>, orders: OrderChange[], cursor: string) {
  const db = typeof dir === 'string' ? openDb(dir) : dir
  applyPullPage(db, { changes: [], orders, cursor, hasMore: false, ackSeq: null, serverTime: '2026-03-02T10:59:00.000Z' }, { from: getSetting(db, 'pull_cursor'), localNow: new Date() })
  if (typeof dir === 'string') db.close()
}

/** The demo canteen (Mette: cashier + pickup, 1234; Ole: cashier only, 5555) with four orders of today and one of tomorrow. */
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kantine-pickup-'))
  dirs.push(dir)
  const db = openDb(dir)
  seedCanteen(db)
  applyPullPage(
    db,
    {
      changes: [{ entity: 'staff', id: 's-ole', data: { name: 'Ole Kok', pinHash: hashPin('5555'), roles: ['cashier'], locationIds: ['loc-1'], active: true } }],
      cursor: '1:2',
      hasMore: false,
      ackSeq: null,
      serverTime: new Date().toISOString(),
    },
    { from: getSetting(db, 'pull_cursor'), localNow: new Date() },
  )
  pullOrders(
    db,
    [
      { id: O1, data: orderData() },
      { id: O2, data: orderData({ number: 102, accountId: 'a-3', holderName: 'Ida Hansen', status: 'awaiting-payment', payment: 'payment-card', captureAt: '2026-03-02T08:00:00.000Z' }) },
      { id: O3, data: orderData({ number: 103, status: 'payment-failed', payment: 'payment-card' }) },
      { id: O4, data: orderData({ number: 104, pickupDay: '2026-03-03' }) },
    ],
    '1:3',
  )
  db.close()
  return dir
}

async function open(dir: string, clock = testClock()): Promise<Till> {
  const till = await openTill({ dataDir: dir, clock, tillName: 'Kasse 1' })
  tills.push(till)
  return till
}
async function call<T>(till: Till, method: string, args: unknown = {}): Promise<T> {
  const res = await till.dispatch(method, args)
  if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`)
  return res.value as T
}
const handouts = (dir: string) => {
  const db = openDb(dir)
  try {
    return pendingMutations(db, 100).filter((m) => m.kind === 'order.handout')
  } finally {
    db.close()
  }
}

describe('pickup mode at the till', () => {
  it("lists today's orders of the canteen grouped by status, finds one by name or number, and a card's orders", async () => {
    const till = await open(freshDir())
    await call(till, 'staff.signIn', { pin: '1234' })
    const list = await call<PickupList>(till, 'pickup.orders', {})
    expect(list.day).toBe('2026-03-02')
    expect(list.ready.map((o) => o.number)).toEqual([101])
    expect(list.awaitingPayment.map((o) => o.number)).toEqual([102])
    expect(list.notForPickup.map((o) => o.number)).toEqual([103])
    expect(list.handedOut).toEqual([])
    expect((await call<PickupList>(till, 'pickup.orders', { query: 'ida' })).awaitingPayment.map((o) => o.number)).toEqual([102])
    expect((await call<PickupList>(till, 'pickup.orders', { query: '101' })).ready.map((o) => o.number)).toEqual([101])
    const card = await call<PickupCardOrders>(till, 'pickup.card', { cardNumber: 'demo0001' })
    expect(card.ok && card.orders.map((o) => o.number)).toEqual([101, 103])
    expect(await call<PickupCardOrders>(till, 'pickup.card', { cardNumber: 'NOPE9' })).toEqual({ ok: false, reason: 'unknown-card' })
  })

  it('is for pickup staff and managers only', async () => {
    const till = await open(freshDir())
    await call(till, 'staff.signIn', { pin: '5555' })
    const res = await till.dispatch('pickup.orders', {})
    expect(res.ok).toBe(false)
    expect(!res.ok && res.error.code).toBe('forbidden')
  })

  it('hands an order out once with one tap, and a second tap finds nothing left', async () => {
    const clock = testClock()
    const dir = freshDir()
    const till = await open(dir, clock)
    await call(till, 'staff.signIn', { pin: '1234' })
    const out = await call<HandoutResult>(till, 'pickup.handout', { orderId: O1 })
    expect(out.ok).toBe(true)
    if (!out.ok) return
    expect(out.order.complete).toBe(true)
    expect(out.order.undo?.handoutId).toBe(out.handoutId)
    expect(await call<HandoutResult>(till, 'pickup.handout', { orderId: O1 })).toEqual({ ok: false, reason: 'nothing-left' })
    const list = await call<PickupList>(till, 'pickup.orders', {})
    expect(list.handedOut.map((o) => o.number)).toEqual([101])
    // Held for the undo window: nothing in the outbox yet.
    expect(handouts(dir)).toHaveLength(0)
    clock.advance(UNDO_MS + 1)
    await call(till, 'pickup.orders', {})
    const sent = handouts(dir)
    expect(sent).toHaveLength(1)
    expect(OrderHandoutPayload.parse(sent[0]!.payload)).toEqual({
      orderId: O1,
      lines: [
        { lineNo: 1, quantity: 2 },
        { lineNo: 2, quantity: 2 },
      ],
      handedOutAt: '2026-03-02T11:00:00.000Z',
      staffId: 's-mette',
    })
    expect(await call<UndoResult>(till, 'pickup.undo', { handoutId: out.handoutId })).toEqual({ ok: false, reason: 'already-sent' })
  })

  it('hands out single lines for a partial pickup, then the rest', async () => {
    const clock = testClock()
    const dir = freshDir()
    const till = await open(dir, clock)
    await call(till, 'staff.signIn', { pin: '1234' })
    const part = await call<HandoutResult>(till, 'pickup.handout', { orderId: O1, lines: [{ lineNo: 2, quantity: 1 }] })
    expect(part.ok && part.order.lines.map((l) => l.handedOut)).toEqual([0, 1])
    expect(part.ok && part.order.complete).toBe(false)
    expect(await call<HandoutResult>(till, 'pickup.handout', { orderId: O1, lines: [{ lineNo: 2, quantity: 2 }] })).toEqual({ ok: false, reason: 'quantity-too-large' })
    expect((await call<PickupList>(till, 'pickup.orders', {})).ready.map((o) => o.number)).toEqual([101])
    const rest = await call<HandoutResult>(till, 'pickup.handout', { orderId: O1 })
    expect(rest.ok && rest.order.lines.map((l) => l.handedOut)).toEqual([2, 2])
    clock.advance(UNDO_MS + 1)
    await call(till, 'pickup.orders', {})
    expect(handouts(dir).map((m) => (m.payload as OrderHandoutPayload).lines)).toEqual([
      [{ lineNo: 2, quantity: 1 }],
      [
        { lineNo: 1, quantity: 2 },
        { lineNo: 2, quantity: 1 },
      ],
    ])
  })

  it('undoes a hand-out within 30 s: nothing goes to the server; after 30 s it can no longer be undone', async () => {
    const clock = testClock()
    const dir = freshDir()
    const till = await open(dir, clock)
    await call(till, 'staff.signIn', { pin: '1234' })
    const first = await call<HandoutResult>(till, 'pickup.handout', { orderId: O1 })
    if (!first.ok) throw new Error(first.reason)
    // Held in its undo window, it still counts as waiting to be sent: the day cannot close over it.
    const db = openDb(dir)
    try {
      expect(pendingUploads(db).count).toBe(1)
    } finally {
      db.close()
    }
    clock.advance(20_000)
    expect(await call<UndoResult>(till, 'pickup.undo', { handoutId: first.handoutId })).toEqual({ ok: true })
    expect((await call<PickupList>(till, 'pickup.orders', {})).ready.map((o) => o.number)).toEqual([101])
    clock.advance(UNDO_MS + 1)
    await call(till, 'pickup.orders', {})
    expect(handouts(dir)).toHaveLength(0)
    const second = await call<HandoutResult>(till, 'pickup.handout', { orderId: O1 })
    if (!second.ok) throw new Error(second.reason)
    clock.advance(UNDO_MS)
    expect(await call<UndoResult>(till, 'pickup.undo', { handoutId: second.handoutId })).toEqual({ ok: false, reason: 'undo-expired' })
    expect(handouts(dir)).toHaveLength(1)
  })

  it('refuses an unpaid order with its status, and an order of another day', async () => {
    const till = await open(freshDir())
    await call(till, 'staff.signIn', { pin: '1234' })
    expect(await call<HandoutResult>(till, 'pickup.handout', { orderId: O2 })).toEqual({ ok: false, reason: 'order-not-paid', status: 'awaiting-payment' })
    expect(await call<HandoutResult>(till, 'pickup.handout', { orderId: O3 })).toEqual({ ok: false, reason: 'order-not-paid', status: 'payment-failed' })
    expect(await call<HandoutResult>(till, 'pickup.handout', { orderId: O4 })).toEqual({ ok: false, reason: 'order-not-today' })
  })

  it("shows who handed it out and when when the server says another till was first", async () => {
    const clock = testClock()
    const dir = freshDir()
    const till = await open(dir, clock)
    await call(till, 'staff.signIn', { pin: '1234' })
    await call<HandoutResult>(till, 'pickup.handout', { orderId: O1 })
    clock.advance(UNDO_MS + 1)
    await call(till, 'pickup.orders', {})
    const db = openDb(dir)
    const [m] = pendingMutations(db, 10)
    const reason = 'already-handed-out: order 101 line 1 by Bo Hansen at 2026-03-02T10:58:00.000Z'
    recordPushResults(db, [{ seq: m!.seq, id: m!.id, status: 'rejected', reason, flags: [] }])
    // The order's change row follows in the next pull: the other till's hand-out.
    pullOrders(db, [{ id: O1, data: orderData({ lines: orderData().lines.map((l) => ({ ...l, handedOut: 2, handedOutBy: 'Bo Hansen', handedOutAt: '2026-03-02T10:58:00.000Z' })) }) }], '1:4')
    db.close()
    const list = await call<PickupList>(till, 'pickup.orders', {})
    const o = list.handedOut[0]!
    expect(o.rejected).toMatchObject({ reason, by: 'Bo Hansen', handedOutAt: '2026-03-02T10:58:00.000Z' })
    expect(o.lines.map((l) => [l.handedOut, l.handedOutBy])).toEqual([
      [2, 'Bo Hansen'],
      [2, 'Bo Hansen'],
    ])
  })

  it("the preparation list totals the day's paid and awaiting orders per product", async () => {
    const till = await open(freshDir())
    await call(till, 'staff.signIn', { pin: '1234' })
    const p = await call<PreparationList>(till, 'pickup.preparation', {})
    expect(p).toMatchObject({ day: '2026-03-02', orderCount: 2 })
    expect(p.products.map((r) => [r.name, r.quantity])).toEqual([
      ['Frikadeller', 4],
      ['Minimælk', 4],
    ])
    // Orders from a server before pickup times: all of them "uden tidspunkt".
    expect(p.byPickupTime.map((slot) => [slot.pickupTime, slot.orderCount, slot.products.map((r) => r.quantity)])).toEqual([[null, 2, [4, 4]]])
  })

  it('keeps the pickup time from the pull to the counter: sorted by it within each group, and the kitchen’s list per time', async () => {
    const dir = freshDir()
    const O5 = '6f1c2f0e-1111-4a4a-8b8b-000000000005'
    const O6 = '6f1c2f0e-1111-4a4a-8b8b-000000000006'
    const one = (productId: string, name: string, quantity: number) => [{ lineNo: 1, productId, name, quantity, unitPrice: 3500, handedOut: 0, handedOutBy: null, handedOutAt: null }]
    // Through the wire's schema, as a pull page arrives.
    const page = PullResponse.parse({
      changes: [],
      orders: [
        { id: O1, data: orderData({ pickupTime: '12:15' }) },
        { id: O5, data: orderData({ number: 105, pickupTime: '10:30', lines: one('p-lunch', 'Frikadeller', 1) }) },
        { id: O6, data: orderData({ number: 106, pickupTime: null, lines: one('p-milk', 'Minimælk', 3) }) },
        { id: O2, data: orderData({ number: 102, status: 'awaiting-payment', payment: 'payment-card', captureAt: '2026-03-02T08:00:00.000Z', pickupTime: '10:30' }) },
      ],
      cursor: '1:4',
      hasMore: false,
      ackSeq: null,
      serverTime: '2026-03-02T10:59:00.000Z',
    })
    expect(PullResponse.safeParse({ ...page, orders: [{ id: O5, data: { ...orderData(), pickupTime: '10.30' } }] }).success).toBe(false)
    pullOrders(dir, page.orders!, '1:4')

    const till = await open(dir)
    await call(till, 'staff.signIn', { pin: '1234' })
    const list = await call<PickupList>(till, 'pickup.orders', {})
    expect(list.ready.map((o) => [o.number, o.pickupTime])).toEqual([
      [105, '10:30'],
      [101, '12:15'],
      [106, null],
    ])
    expect(list.awaitingPayment.map((o) => [o.number, o.pickupTime])).toEqual([[102, '10:30']])

    const p = await call<PreparationList>(till, 'pickup.preparation', {})
    expect(p.orderCount).toBe(4)
    expect(p.products.map((r) => [r.name, r.quantity])).toEqual([
      ['Frikadeller', 5],
      ['Minimælk', 7],
    ])
    expect(p.byPickupTime.map((slot) => [slot.pickupTime, slot.orderCount, slot.products.map((r) => [r.name, r.quantity])])).toEqual([
      ['10:30', 2, [['Frikadeller', 3], ['Minimælk', 2]]],
      ['12:15', 1, [['Frikadeller', 2], ['Minimælk', 2]]],
      [null, 1, [['Minimælk', 3]]],
    ])
  })

  it('drops orders of days gone by and a deleted order', async () => {
    const clock = testClock('2026-03-03T10:00:00.000Z')
    const dir = freshDir()
    pullOrders(dir, [{ id: O4, deleted: true }], '1:5')
    const till = await open(dir, clock)
    await call(till, 'staff.signIn', { pin: '1234' })
    const list = await call<PickupList>(till, 'pickup.orders', {})
    expect([...list.ready, ...list.awaitingPayment, ...list.handedOut, ...list.notForPickup]).toEqual([])
    const db = openDb(dir)
    expect((db.prepare('SELECT COUNT(*) AS n FROM orders').get() as { n: number }).n).toBe(0)
    db.close()
  })

  it('reads who and when from a rejection', () => {
    expect(parseAlreadyHandedOut('already-handed-out: order 101 line 2 by Anne Marie Holm at 2026-03-02T10:58:00.000Z')).toEqual({ by: 'Anne Marie Holm', at: '2026-03-02T10:58:00.000Z' })
    expect(parseAlreadyHandedOut('order-not-paid')).toEqual({ by: null, at: null })
  })
})
