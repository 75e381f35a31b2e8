import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { Mutation } from '../../domain/sync'
import { accountSummary } from '../money/accounts'
import { createTopupAgreement } from '../payments/auto-topup'
import { SimulatedProvider } from '../payments/simulated'
import { serverSuite } from '../../test/support/server-suite'
import { pullAll, pushAs, sale, uniqueSuffix, type Fixture } from '../../test/support/server'
import { AUTO_TOPUP_QUEUED } from './sale-flags'
import { writeCashAllowed } from '../manager/canteen'
import { write } from '../platform/tx'

/** A guest's cash sale as a till's outbox holds it: no card, no account. */
function cashSale(f: Fixture, seq: number, o: Record<string, unknown> = {}): Extract<Mutation, { kind: 'sale.record' }> {
  const lines = [{ ...f.products.bun, qty: 2 }]
  return {
    seq,
    id: randomUUID(),
    kind: 'sale.record',
    payload: {
      payment: 'cash',
      saleId: randomUUID(),
      locationId: f.locationId,
      staffId: f.staffId,
      at: '2026-11-24T11:00:00.000Z',
      lines,
      total: 3000,
      offline: false,
      ...o,
    } as Extract<Mutation, { kind: 'sale.record' }>['payload'],
  }
}

type Result = { status: string; reason: string | null; flags: string[] }

describe('a guest pays cash at the counter (sale.record, payment cash)', () => {
  const suite = serverSuite({ payments: new SimulatedProvider({ captureDelayMs: 5 }) })
  const summary = async (accountId: string) => (await accountSummary(suite.server.ctx, accountId))!
  /** A fresh municipality whose till's canteen takes cash (its manager's setting, manager/canteen.ts). */
  const cashCanteen = async () => {
    const c = await suite.canteen()
    await write(suite.server.ctx, (tx) => writeCashAllowed(tx, c.f.locationId, true))
    return c
  }
  const salesOf = async (terminalId: string) =>
    (await suite.db.query<{ payment: string; n: number }>('SELECT payment, count(*)::int AS n FROM sales WHERE terminal_id = $1 GROUP BY payment ORDER BY payment', [terminalId])).rows

  it('records the cash sale exactly once and counts it in no account: no ledger entry, no spend, no change row', async () => {
    const { f, till } = await cashCanteen()
    const { cursor } = await pullAll(suite.server, till)
    const before = { alice: await summary(f.alice.accountId), bob: await summary(f.bob.accountId) }
    const m = cashSale(f, 1)
    const first = await pushAs(suite.server, till, [m])
    expect(first.status).toBe(200)
    expect(first.body.results).toEqual([{ seq: 1, id: m.id, status: 'applied', reason: null, flags: [] }])
    const again = await pushAs(suite.server, till, [m])
    expect(again.body).toEqual(first.body)

    const { rows } = await suite.db.query<{ payment: string; account_id: string | null; card_number: string | null; total: string }>(
      'SELECT payment, account_id, card_number, total::text FROM sales WHERE terminal_id = $1',
      [till.terminalId],
    )
    expect(rows).toEqual([{ payment: 'cash', account_id: null, card_number: null, total: '3000' }])
    const lines = await suite.db.query('SELECT qty, unit_price FROM sale_lines WHERE sale_id = $1', [m.payload.saleId])
    expect(lines.rows).toEqual([{ qty: 2, unit_price: 1500 }])
    for (const who of ['alice', 'bob'] as const) {
      const after = await summary(f[who].accountId)
      expect(after.balance).toBe(before[who].balance)
      expect(after.ledger).toHaveLength(before[who].ledger.length)
    }
    const spend = await suite.db.query('SELECT count(*)::int AS n FROM account_spend WHERE account_id = ANY($1::text[])', [[f.alice.accountId, f.bob.accountId]])
    expect(spend.rows).toEqual([{ n: 0 }])
    // The pull after it carries no account change, yet acknowledges nothing it should not.
    const next = await pullAll(suite.server, till, cursor)
    expect(next.changes.filter((c) => c.entity === 'account')).toEqual([])
  })

  it('sets a cash sale aside where the canteen does not take cash, whatever the till believed, and applies it once the manager allows cash', async () => {
    const { f, till } = await suite.canteen()
    const refused = cashSale(f, 1)
    const r = await pushAs(suite.server, till, [refused, sale(f, 2)])
    expect(r.status).toBe(200)
    expect(r.body.results).toEqual([
      { seq: 1, id: refused.id, status: 'rejected', reason: 'cash-not-allowed', flags: [] },
      expect.objectContaining({ seq: 2, status: 'applied' }),
    ])
    expect(await salesOf(till.terminalId)).toEqual([{ payment: 'card', n: 1 }])
    // The same mutation again is answered as before, even after the setting changed: exactly once.
    await write(suite.server.ctx, (tx) => writeCashAllowed(tx, f.locationId, true))
    expect((await pushAs(suite.server, till, [refused])).body.results[0]).toMatchObject({ status: 'rejected', reason: 'cash-not-allowed' })
    const allowed = await pushAs(suite.server, till, [cashSale(f, 3)])
    expect(allowed.body.results[0]).toMatchObject({ status: 'applied', reason: null })
    expect(await salesOf(till.terminalId)).toEqual([
      { payment: 'card', n: 1 },
      { payment: 'cash', n: 1 },
    ])
    // Another canteen of the municipality allowing cash does not make this one take it.
    await write(suite.server.ctx, async (tx) => {
      await writeCashAllowed(tx, f.locationId, false)
      await writeCashAllowed(tx, f.otherLocationId, true)
    })
    expect((await pushAs(suite.server, till, [cashSale(f, 4)])).body.results[0]).toMatchObject({ status: 'rejected', reason: 'cash-not-allowed' })
    expect(await salesOf(till.terminalId)).toEqual([
      { payment: 'card', n: 1 },
      { payment: 'cash', n: 1 },
    ])
  })

  it('applies a cash sale and a card sale of one batch, each as itself', async () => {
    const { f, till } = await cashCanteen()
    const r = await pushAs(suite.server, till, [cashSale(f, 1), sale(f, 2), cashSale(f, 3, { lines: [f.products.cola], total: f.products.cola.unitPrice })])
    expect((r.body.results as Result[]).map((x) => x.status)).toEqual(['applied', 'applied', 'applied'])
    expect((await summary(f.alice.accountId)).balance).toBe(10000 - 1500)
    const { rows } = await suite.db.query<{ payment: string; n: number }>(
      'SELECT payment, count(*)::int AS n FROM sales WHERE terminal_id = $1 GROUP BY payment ORDER BY payment',
      [till.terminalId],
    )
    expect(rows).toEqual([
      { payment: 'card', n: 1 },
      { payment: 'cash', n: 2 },
    ])
  })

  it('rejects a cash payload no honest till sends: a card on it, a wrong price or total, another canteen, unknown staff or product', async () => {
    const { f, till } = await cashCanteen()
    const bad = [
      cashSale(f, 1, { cardNumber: f.alice.card }),
      cashSale(f, 2, { accountId: f.alice.accountId }),
      cashSale(f, 3, { lines: [{ ...f.products.bun, qty: 2, unitPrice: 1 }], total: 2 }),
      cashSale(f, 4, { total: 2999 }),
      cashSale(f, 5, { locationId: f.otherLocationId }),
      cashSale(f, 6, { staffId: 'nobody' }),
      cashSale(f, 7, { lines: [{ ...f.products.bun, productId: 'no-such-product' }], total: f.products.bun.unitPrice }),
      cashSale(f, 8, { payment: 'cheque' }),
    ]
    const r = await pushAs(suite.server, till, bad)
    expect(r.status).toBe(200)
    const reasons = (r.body.results as Result[]).map((x) => (x.status === 'rejected' ? x.reason?.replace(/:.*/, '') : 'applied'))
    expect(reasons).toEqual([
      'invalid-payload',
      'invalid-payload',
      'price-mismatch',
      'total-mismatch',
      'location-mismatch',
      'staff-unknown',
      'product-unknown',
      'invalid-payload',
    ])
    const { rows } = await suite.db.query('SELECT count(*)::int AS n FROM sales WHERE terminal_id = $1', [till.terminalId])
    expect(rows).toEqual([{ n: 0 }])
  })

  it("tells the till in the sale's answer that the purchase queued the account's auto top-up", async () => {
    const { f, till } = await cashCanteen()
    const agreement = await createTopupAgreement(suite.server.ctx, {
      accountId: f.alice.accountId,
      cardToken: `tok_visa_${uniqueSuffix()}`,
      amount: 20000,
      idempotencyKey: uniqueSuffix(),
    })
    expect(agreement.ok).toBe(true)
    // 100 kr before the first sale: no top-up; 25 kr before the second: queued, and said so.
    const first = await pushAs(suite.server, till, [sale(f, 1, { lines: [{ ...f.products.bun, qty: 5 }] })])
    expect((first.body.results as Result[])[0]!.flags).toEqual([])
    const topped = sale(f, 2)
    const second = await pushAs(suite.server, till, [topped, cashSale(f, 3)])
    expect((second.body.results as Result[]).map((x) => x.flags)).toEqual([[AUTO_TOPUP_QUEUED], []])
    await suite.server.ctx.idle()
    expect((await summary(f.alice.accountId)).balance).toBe(2500 - 1500 + 20000)
    // The flag is news for the till, not a broken rule: the sale itself is stored without it.
    const stored = await suite.db.query<{ flags: string[] }>('SELECT flags FROM sales WHERE id = $1', [topped.payload.saleId])
    expect(stored.rows).toEqual([{ flags: [] }])
  })
})
