/**
 * Pickup at the counter through the real server (issue 15): a guardian orders with the canteen
 * card, the canteen's till pulls the order, staff hand it out with the server unreachable, and
 * the hand-outs reach the server exactly once when it is back. Real till (SQLite files), real
 * server (PGlite, or PostgreSQL with KANTINE_TEST_DATABASE_URL), real HTTP through a proxy.
 */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type RunningServer } from '../../server/app'
import type { Db } from '../../server/db'
import { insertMunicipality } from '../../server/demo/demo'
import { periodKeys } from '../../domain/periods'
import type { HandoutResult, PickupList } from '../../electron/core/api/contract'
import { UNDO_MS } from '../../electron/core/handlers/pickup'
import { openTill, type Till } from '../../electron/core/till'
import { api, fixtureData, openTestDb, signInGuardian, type Fixture } from '../support/server'
import { startFaultProxy, type FaultProxy } from '../support/proxy'

let db: Db
let server: RunningServer
let f: Fixture
let proxy: FaultProxy
let till: Till
const root = mkdtempSync(join(tmpdir(), 'kantine-pickup-'))
/** The till's clock runs with the server's, and jumps over the undo window when told to. */
let offset = 0
const clock = { now: () => new Date(Date.now() + offset) }

async function call<T>(method: string, args: unknown = {}): Promise<T> {
  const res = await till.dispatch(method, args)
  if (!res.ok) throw new Error(`${method}: ${res.error.code} ${res.error.message}`)
  return res.value as T
}

async function placeOrder(token: string, lines: { productId: string; quantity: number }[]): Promise<{ id: string; number: number }> {
  const r = await api(server, 'POST', `/guardian/accounts/${f.alice.accountId}/orders`, {
    token,
    body: { locationId: f.locationId, day: periodKeys(new Date()).day, lines, payment: { kind: 'canteen-card' }, idempotencyKey: randomUUID() },
  })
  if (r.status !== 201) throw new Error(`order: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body
}

const serverOrder = async (id: string) => {
  const r = await api(server, 'GET', `/admin/locations/${f.locationId}/orders?day=${periodKeys(new Date()).day}`, { token: server.adminToken })
  expect(r.status).toBe(200)
  return (r.body.orders as { id: string; lines: { lineNo: number; handedOut: number }[] }[]).find((o) => o.id === id)!
}

beforeAll(async () => {
  db = await openTestDb()
  server = await startServer({ db, guardian: { identity: 'simulated' }, rateLimits: false })
  f = fixtureData()
  f.data.staff[0]!.roles = ['cashier', 'pickup']
  await insertMunicipality(db, f.data)
  // Orders for today stay open all day (the default cut-off is 09:00 on the pickup day).
  const settings = await api(server, 'PUT', `/admin/locations/${f.locationId}/order-settings`, {
    token: server.adminToken,
    body: {
      productIds: [f.products.bun.productId, f.products.cola.productId],
      cutoffs: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, daysBefore: 0, time: '23:59' })),
    },
  })
  expect(settings.status).toBe(200)
  proxy = await startFaultProxy(server.url)
  const code = await api(server, 'POST', '/admin/enrolment-codes', { token: server.adminToken, body: { locationId: f.locationId } })
  till = await openTill({ dataDir: join(root, 'till'), serverUrl: proxy.url, enrolmentCode: code.body.code, tillName: 'Udlevering', syncIntervalMs: 60_000, clock })
  await call('sync.now')
  await call('staff.signIn', { pin: '1234' })
}, 60_000)

afterAll(async () => {
  await till?.close()
  await proxy?.close()
  await server?.close()
  await db?.close()
  rmSync(root, { recursive: true, force: true })
})

describe('pickup with the server unreachable', () => {
  it('hands out one order whole and one in part offline; back online, the server has each hand-out once', async () => {
    const token = await signInGuardian(server, f.data.guardians[0]!.id)
    const whole = await placeOrder(token, [{ productId: f.products.bun.productId, quantity: 1 }])
    const partial = await placeOrder(token, [
      { productId: f.products.bun.productId, quantity: 1 },
      { productId: f.products.cola.productId, quantity: 1 },
    ])
    await call('sync.now')
    const list = await call<PickupList>('pickup.orders', {})
    expect(list.ready.map((o) => o.number).sort()).toEqual([whole.number, partial.number].sort())

    proxy.setOffline(true)
    const a = await call<HandoutResult>('pickup.handout', { orderId: whole.id })
    const b = await call<HandoutResult>('pickup.handout', { orderId: partial.id, lines: [{ lineNo: 2, quantity: 1 }] })
    expect([a.ok, b.ok]).toEqual([true, true])
    offset += UNDO_MS + 1000
    await call('pickup.orders', {}) // the undo window is over: the hand-outs go into the outbox
    let status = await call<{ online: boolean; pending: number }>('sync.now')
    for (let i = 0; i < 3 && status.online; i++) status = await call('sync.now')
    expect(status.online).toBe(false)
    expect(status.pending).toBe(2)
    // Offline, the till still shows them handed out from its own store.
    const offline = await call<PickupList>('pickup.orders', {})
    expect(offline.handedOut.map((o) => o.id)).toEqual([whole.id])
    expect(offline.ready.find((o) => o.id === partial.id)!.lines.map((l) => l.handedOut)).toEqual([0, 1])

    proxy.setOffline(false)
    status = await call('sync.now')
    expect(status.pending).toBe(0)
    await call('sync.now') // a second round sends nothing again
    expect((await serverOrder(whole.id)).lines.map((l) => l.handedOut)).toEqual([1])
    expect((await serverOrder(partial.id)).lines.map((l) => l.handedOut)).toEqual([0, 1])
    const audited = await db.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM audit_log WHERE action = 'order.handout' AND entity_id = ANY($1::text[])`, [[whole.id, partial.id]])
    expect(Number(audited.rows[0]!.n)).toBe(2)
    // After the pull the till's count is the server's, still the same.
    const after = await call<PickupList>('pickup.orders', {})
    expect(after.handedOut.map((o) => o.id)).toEqual([whole.id])
    expect(after.ready.find((o) => o.id === partial.id)!.lines.map((l) => l.handedOut)).toEqual([0, 1])
  }, 60_000)

  it('a till enrolled later gets the day’s orders in its snapshot; two tills hand out one order: the second sees who was first and when', async () => {
    const token = await signInGuardian(server, f.data.guardians[0]!.id)
    const raced = await placeOrder(token, [{ productId: f.products.cola.productId, quantity: 1 }])
    await call('sync.now')
    const proxy2 = await startFaultProxy(server.url)
    const code = await api(server, 'POST', '/admin/enrolment-codes', { token: server.adminToken, body: { locationId: f.locationId } })
    const till2 = await openTill({ dataDir: join(root, 'till2'), serverUrl: proxy2.url, enrolmentCode: code.body.code, tillName: 'Udlevering 2', syncIntervalMs: 60_000, clock })
    const call2 = async <T>(method: string, args: unknown = {}): Promise<T> => {
      const res = await till2.dispatch(method, args)
      if (!res.ok) throw new Error(`${method}: ${res.error.code} ${res.error.message}`)
      return res.value as T
    }
    try {
      await call2('sync.now')
      await call2('staff.signIn', { pin: '1234' })
      // From the snapshot: every order of today, with what the first till handed out.
      const list2 = await call2<PickupList>('pickup.orders', {})
      expect(list2.handedOut).toHaveLength(1)
      expect(list2.ready.map((o) => o.id)).toContain(raced.id)
      expect(list2.ready.find((o) => o.lines.length === 2)!.lines.map((l) => l.handedOut)).toEqual([0, 1])

      // The second till is offline; the first hands the order out and sends it.
      proxy2.setOffline(true)
      expect((await call<HandoutResult>('pickup.handout', { orderId: raced.id })).ok).toBe(true)
      const second = await call2<HandoutResult>('pickup.handout', { orderId: raced.id })
      expect(second.ok).toBe(true)
      offset += UNDO_MS + 1000
      await call('pickup.orders', {})
      await call2('pickup.orders', {})
      expect((await call<{ pending: number }>('sync.now')).pending).toBe(0)
      proxy2.setOffline(false)
      await call2('sync.now')
      await call2('sync.now')
      const seen = (await call2<PickupList>('pickup.orders', {})).handedOut.find((o) => o.id === raced.id)!
      expect(seen.rejected).toMatchObject({ by: 'Kasse Karen' })
      expect(seen.rejected!.reason).toMatch(/^already-handed-out: /)
      expect(seen.lines.map((l) => [l.handedOut, l.handedOutBy])).toEqual([[1, 'Kasse Karen']])
      expect((await serverOrder(raced.id)).lines.map((l) => l.handedOut)).toEqual([1])
    } finally {
      await till2.close()
      await proxy2.close()
    }
  }, 60_000)
})
