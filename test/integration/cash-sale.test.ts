/**
 * A guest's cash sale from a real till (SQLite file) to the real server over loopback, with the
 * push answer lost once on the way: recorded once, in no account. Whether the till takes cash is
 * the canteen's setting on the server, and it reaches the till with its pull.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeCashAllowed } from '../../server/manager/canteen'
import { write } from '../../server/platform/tx'
import { startCluster, type Cluster } from '../support/cluster'

let c: Cluster
beforeAll(async () => {
  c = await startCluster()
})
afterAll(async () => {
  await c?.close()
})

describe('a cash sale syncs', () => {
  it('exactly once, even when the push answer is lost, and moves no account’s money', async () => {
    const { alice, bob, products, locationId } = c.fixture
    // The canteen takes cash (its manager's setting); the till's first sync brings it.
    await write(c.server.ctx, (tx) => writeCashAllowed(tx, locationId, true))
    const t = await c.newTill('cash-till')
    expect(await t.call('app.settings')).toMatchObject({ cashAllowed: true })
    const ledgerRows = async () => Number((await c.db.query<{ n: number }>('SELECT count(*)::int AS n FROM ledger')).rows[0]!.n)
    const before = await ledgerRows()
    const balances = async () => (await c.db.query<{ id: string; balance: string }>('SELECT id, balance::text FROM accounts WHERE id = ANY($1::text[]) ORDER BY id', [[alice.accountId, bob.accountId]])).rows

    const start = await balances()
    const saleId = randomUUID()
    t.proxy.dropPushAnswers(1)
    const sold = await t.call('sale.cash', { saleId, lines: [{ productId: products.bun.productId, qty: 2 }] })
    expect(sold).toEqual({ ok: true, saleId, total: 2 * products.bun.unitPrice, payment: 'cash' })
    // The first push's answer is swallowed after the server committed; the next push repeats it.
    for (let i = 0; i < 4; i++) {
      const s = await t.call('sync.now')
      if (s.pending === 0) break
    }
    expect((await t.call('sync.now')).pending).toBe(0)

    const { rows } = await c.db.query<{ payment: string; account_id: string | null; total: string }>('SELECT payment, account_id, total::text FROM sales WHERE id = $1', [saleId])
    expect(rows).toEqual([{ payment: 'cash', account_id: null, total: String(2 * products.bun.unitPrice) }])
    expect(await ledgerRows()).toBe(before)
    expect(await balances()).toEqual(start)
    expect((await t.call('sale.recent', {}))[0]).toMatchObject({ saleId, payment: 'cash', sync: 'sent' })

    // The manager switches cash off on the server: after its next pull the till refuses it too.
    await write(c.server.ctx, (tx) => writeCashAllowed(tx, locationId, false))
    await t.call('sync.now')
    expect(await t.call('app.settings')).toMatchObject({ cashAllowed: false })
    expect(await t.call('sale.cash', { saleId: randomUUID(), lines: [{ productId: products.bun.productId, qty: 1 }] })).toMatchObject({ ok: false, reason: 'cash-not-allowed' })
  })

  it('is set aside by the server when the till sold for cash after its canteen stopped taking it (the till did not know yet)', async () => {
    const { products, locationId } = c.fixture
    await write(c.server.ctx, (tx) => writeCashAllowed(tx, locationId, true))
    const t = await c.newTill('stale-till')
    expect(await t.call('app.settings')).toMatchObject({ cashAllowed: true })
    // Cash is switched off while the till is cut off from the server: it sells on what it last pulled.
    t.proxy.setOffline(true)
    await write(c.server.ctx, (tx) => writeCashAllowed(tx, locationId, false))
    const saleId = randomUUID()
    expect(await t.call('sale.cash', { saleId, lines: [{ productId: products.bun.productId, qty: 1 }] })).toMatchObject({ ok: true, payment: 'cash' })
    t.proxy.setOffline(false)
    expect(await t.call('sync.now')).toMatchObject({ pending: 0, rejected: 1 })
    expect((await c.db.query('SELECT 1 FROM sales WHERE id = $1', [saleId])).rows).toEqual([])
    expect((await t.call('sale.recent', {}))[0]).toMatchObject({ saleId, sync: 'rejected', rejectReason: 'cash-not-allowed' })
    expect(await t.call('app.settings')).toMatchObject({ cashAllowed: false })
  })
})
