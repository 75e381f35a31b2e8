import { describe, expect, it } from 'vitest'
import { Change, Mutation, OrderHandoutPayload, PullResponse, SnapshotHead } from '../../domain/sync'

const order = {
  id: '6f1c2f0e-1111-4a4a-8b8b-000000000001',
  data: {
    locationId: 'l-a',
    accountId: 'acc-1',
    holderName: 'Alice',
    photoId: null,
    pickupDay: '2026-11-25',
    number: 101,
    status: 'paid',
    payment: 'canteen-card',
    total: 3000,
    captureAt: null,
    lines: [{ lineNo: 1, productId: 'p-bun', name: 'Bolle', quantity: 2, unitPrice: 1500, handedOut: 0, handedOutBy: null, handedOutAt: null }],
  },
}
const page = { changes: [], orders: [order], cursor: '1:1', hasMore: false, ackSeq: null, serverTime: '2026-11-24T11:00:00.000Z' }

describe('the order wire format and tills built before it', () => {
  it('a till of today reads the page’s orders', () => {
    expect(PullResponse.parse(page).orders).toEqual([order])
    expect(PullResponse.parse({ ...page, orders: undefined }).orders).toBeUndefined()
  })

  it('a till built before orders (its PullResponse had no `orders`) still reads the page, and drops them', () => {
    const before = PullResponse.omit({ orders: true })
    const parsed = before.parse(page)
    expect(parsed).not.toHaveProperty('orders')
    expect(SnapshotHead.omit({ orders: true }).parse({ cursor: '1:0', ackSeq: 0, serverTime: page.serverTime, periods: { day: 'd', week: 'w', month: 'm' }, changes: [], orders: [order] })).not.toHaveProperty('orders')
  })

  it('never puts an order among the changes (an older till would refuse the whole page)', () => {
    expect(Change.safeParse({ entity: 'order', id: order.id, data: order.data }).success).toBe(false)
  })

  it('checks a hand-out as the server reads it', () => {
    const ok = { orderId: order.id, lines: [{ lineNo: 1, quantity: 2 }], handedOutAt: '2026-11-24T11:00:00.000Z', staffId: 's-1' }
    expect(OrderHandoutPayload.safeParse(ok).success).toBe(true)
    expect(OrderHandoutPayload.safeParse({ ...ok, lines: [] }).success).toBe(false)
    expect(OrderHandoutPayload.safeParse({ ...ok, lines: [{ lineNo: 1, quantity: 0 }] }).success).toBe(false)
    expect(OrderHandoutPayload.safeParse({ ...ok, staffId: 'a\u0000b' }).success).toBe(false)
    expect(Mutation.safeParse({ seq: 1, id: order.id, kind: 'order.handout', payload: ok }).success).toBe(true)
  })
})
