import { describe, expect, it } from 'vitest'
import type { Mutation } from '../../domain/sync'
import { accountSummary } from '../money/accounts'
import { write } from '../platform/tx'
import { serverSuite } from '../../test/support/server-suite'
import { api, pushAs, pushBody, sale, type Fixture } from '../../test/support/server'
import { setPrice } from './prices'

type Result = { seq: number; status: string; reason: string | null; flags: string[] }
const outcomes = (body: { results: Result[] }) => body.results.map((r) => (r.status === 'applied' ? ['applied', ...r.flags] : ['rejected', r.reason]))
const withPayload = (m: Mutation, payload: Record<string, unknown>) => ({ ...m, payload: { ...m.payload, ...payload } }) as unknown as Mutation

describe('the server trusts nothing a till sends', () => {
  const s = serverSuite()
  const { clock } = s
  const canteen = () => s.canteen()
  const balance = async (accountId: string) => (await accountSummary(s.server.ctx, accountId))!.balance
  const bob = (f: Fixture) => ({ card: f.bob.card, accountId: f.bob.accountId })

  describe('one bad mutation never stops anyone', () => {
    it('rejects a sale with a NUL in a line name alone, and the other pupils’ sales of the push apply', async () => {
      const { f, till } = await canteen()
      const nul = sale(f, 2, { lines: [{ ...f.products.bun, name: 'Bolle\u0000med ost' }] })
      const r = await pushAs(s.server, till, [sale(f, 1), nul, sale(f, 3, bob(f))])
      expect(r.status).toBe(200)
      expect(outcomes(r.body)).toEqual([['applied'], ['rejected', expect.stringMatching(/^invalid-payload: lines\.0\.name: .*control character/)], ['applied']])
      expect(r.body.lastAppliedSeq).toBe(3)
      expect(await balance(f.alice.accountId)).toBe(10000 - 1500)
      expect(await balance(f.bob.accountId)).toBe(2000 - 1500)
    })

    it('rejects sales dated in year 0000, 1970 or 9999, and applies the rest', async () => {
      const { f, till } = await canteen()
      const r = await pushAs(s.server, till, [
        sale(f, 1, { at: '0000-01-01T12:00:00.000Z' }),
        sale(f, 2, { at: '1970-01-01T00:00:00.000Z' }),
        sale(f, 3, { at: '9999-12-31T23:59:59.000Z' }),
        sale(f, 4, bob(f)),
      ])
      expect(outcomes(r.body)).toEqual([['rejected', 'date-out-of-range'], ['rejected', 'date-out-of-range'], ['rejected', 'date-out-of-range'], ['applied']])
      expect(await balance(f.alice.accountId)).toBe(10000)
      expect(await balance(f.bob.accountId)).toBe(500)
    })

    it('rejects a mutation of a kind this server does not know (a newer till), and applies what follows', async () => {
      const { f, till } = await canteen()
      const unknown = { seq: 1, id: crypto.randomUUID(), kind: 'till.future-kind', payload: { saleId: crypto.randomUUID() } }
      const r = await api(s.server, 'POST', '/sync/push', { token: till.token, body: { ...pushBody([sale(f, 2)]), mutations: [unknown, sale(f, 2)] } })
      expect(r.status).toBe(200)
      expect(outcomes(r.body)).toEqual([['rejected', 'kind-unknown'], ['applied']])
    })

    it('rejects a payload that does not parse (half an øre, a missing field) with its reason, not the whole push', async () => {
      const { f, till } = await canteen()
      const half = sale(f, 1)
      const r = await pushAs(s.server, till, [withPayload(half, { total: 1.5 }), withPayload(sale(f, 2), { cardNumber: undefined }), sale(f, 3)])
      expect(r.status).toBe(200)
      expect(outcomes(r.body)).toEqual([
        ['rejected', expect.stringMatching(/^invalid-payload: total/)],
        ['rejected', expect.stringMatching(/^invalid-payload: cardNumber/)],
        ['applied'],
      ])
    })

    it('rejects alone the sale of an account the database will not update, and the till moves on', async () => {
      const { f, till } = await canteen()
      // An account left in a state no write expects: a trigger makes every update of Bob's account fail.
      const fn = `poison_${f.bob.accountId.replace(/[^a-z0-9]/g, '_')}`
      await s.db.exec(`
        CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'account in an unexpected state'; END $$;
        CREATE TRIGGER ${fn} BEFORE UPDATE ON accounts FOR EACH ROW WHEN (OLD.id = '${f.bob.accountId}') EXECUTE FUNCTION ${fn}();
      `)
      try {
        const r = await pushAs(s.server, till, [sale(f, 1), sale(f, 2, bob(f)), sale(f, 3)])
        expect(r.status).toBe(200)
        expect(outcomes(r.body)).toEqual([['applied'], ['rejected', 'apply-failed'], ['applied']])
        expect(await balance(f.alice.accountId)).toBe(10000 - 2 * 1500)
        // The till's next push goes through: nothing is stuck behind the poisoned sale.
        const next = await pushAs(s.server, till, [sale(f, 4)])
        expect(outcomes(next.body)).toEqual([['applied']])
      } finally {
        await s.db.exec(`DROP TRIGGER ${fn} ON accounts; DROP FUNCTION ${fn}();`)
      }
      expect(await balance(f.bob.accountId)).toBe(2000)
      const sales = await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM sales WHERE account_id = $1', [f.bob.accountId])
      expect(sales.rows[0]!.n).toBe(0)
    })
  })

  describe('a replay must be the same request', () => {
    it('answers 409 mutation-conflict, not the stored "applied", when a seq comes back with the same id and other content', async () => {
      const { f, till } = await canteen()
      const m = sale(f, 1)
      const first = await pushAs(s.server, till, [m])
      // The same content, its keys in another order: the same request, the stored answer.
      const reordered = { kind: m.kind, payload: Object.fromEntries(Object.entries(m.payload).reverse()), id: m.id, seq: m.seq } as Mutation
      expect(await pushAs(s.server, till, [reordered])).toEqual(first)
      const changed = withPayload(m, { total: 3000, lines: [{ ...f.products.bun, qty: 2 }] })
      const r = await pushAs(s.server, till, [changed])
      expect(r).toMatchObject({ status: 409, body: { error: 'mutation-conflict' } })
      expect(await balance(f.alice.accountId)).toBe(8500)
    })

    it('answers a mutation re-sent under a new seq with its first answer, and a changed one with 409', async () => {
      const { f, till } = await canteen()
      const m = sale(f, 1)
      await pushAs(s.server, till, [m])
      const again = await pushAs(s.server, till, [{ ...m, seq: 2 }])
      expect(again.body).toEqual({ lastAppliedSeq: 2, results: [{ seq: 2, id: m.id, status: 'applied', reason: null, flags: [] }] })
      expect(await balance(f.alice.accountId)).toBe(8500)
      const changed = await pushAs(s.server, till, [{ ...withPayload(m, { offline: true }), seq: 3 }])
      expect(changed).toMatchObject({ status: 409, body: { error: 'mutation-conflict' } })
      // The same mutation twice in one push: one sale, two equal answers.
      const twice = sale(f, 3)
      const both = await pushAs(s.server, till, [twice, { ...twice, seq: 4 }])
      expect(outcomes(both.body)).toEqual([['applied'], ['applied']])
      expect(await balance(f.alice.accountId)).toBe(7000)
    })
  })

  describe('prices, categories and caps', () => {
    it('rejects the 35 kr meal sold at 1 øre, and a sale of 2^53−1 øre', async () => {
      const { f, till } = await canteen()
      const oneOre = [{ ...f.products.bun, unitPrice: 1 }]
      const huge = [{ ...f.products.bun, unitPrice: Number.MAX_SAFE_INTEGER }]
      const r = await pushAs(s.server, till, [sale(f, 1, { lines: oneOre }), sale(f, 2, { lines: huge }), sale(f, 3)])
      expect(outcomes(r.body)).toEqual([['rejected', 'price-mismatch'], ['rejected', 'price-mismatch'], ['applied']])
      expect(await balance(f.alice.accountId)).toBe(8500)
    })

    it('rejects a line whose category is not the product’s (sweets passed off as food)', async () => {
      const { f, till } = await canteen()
      const r = await pushAs(s.server, till, [sale(f, 1, { ...bob(f), lines: [{ ...f.products.candy, categoryId: f.products.bun.categoryId }] })])
      expect(outcomes(r.body)).toEqual([['rejected', 'category-mismatch']])
    })

    it('accepts an honest offline sale at yesterday’s price and flags it; a price older than the offline window is rejected', async () => {
      const { f, till } = await canteen()
      clock.set('2026-11-23T14:00:00.000Z')
      await write(s.server.ctx, (tx) => setPrice(tx, f.products.bun.productId, f.locationId, 1800))
      clock.set('2026-11-24T11:00:00.000Z')
      const r = await pushAs(s.server, till, [
        sale(f, 1, { offline: true }), // still 15 kr at this till: it has not pulled since yesterday morning
        sale(f, 2, { lines: [{ ...f.products.bun, unitPrice: 1800 }] }),
        sale(f, 3, { lines: [{ ...f.products.bun, unitPrice: 1800 }], at: '2026-11-23T10:00:00.000Z' }), // 18 kr before it was the price
      ])
      expect(outcomes(r.body)).toEqual([['applied', 'stale-price'], ['applied'], ['rejected', 'price-mismatch']])
      // Eight days later, no till can still hold the old price.
      clock.set('2026-12-01T11:00:00.000Z')
      try {
        const late = await pushAs(s.server, till, [sale(f, 4, { at: '2026-12-01T11:00:00.000Z' })])
        expect(outcomes(late.body)).toEqual([['rejected', 'price-mismatch']])
      } finally {
        clock.set('2026-11-24T11:00:00.000Z')
      }
    })

    it('caps the quantity per line and the total of a sale, by the municipality’s settings', async () => {
      const { f, till } = await canteen()
      const colas = (qty: number) => ({ ...f.products.cola, qty })
      const r = await pushAs(s.server, till, [
        sale(f, 1, { lines: [colas(21)] }),
        sale(f, 2, { lines: [colas(20), colas(20), colas(20)] }), // 1200 kr
        sale(f, 3, { lines: [colas(20)] }), // 400 kr: Alice has 100 kr, applied and flagged
      ])
      expect(outcomes(r.body)).toEqual([['rejected', 'quantity-too-large'], ['rejected', 'total-too-large'], ['applied', 'overdraft']])
      await s.db.query(`UPDATE municipalities SET settings = settings || '{"maxSaleTotal": 150000, "maxLineQty": 30}'::jsonb WHERE id = $1`, [f.municipalityId])
      const raised = await pushAs(s.server, till, [sale(f, 4, { lines: [colas(21)] }), sale(f, 5, { lines: [colas(30), colas(30), colas(30)] })]) // 1800 kr
      expect(outcomes(raised.body)).toEqual([['applied', 'overdraft'], ['rejected', 'total-too-large']])
    })
  })

  describe('time', () => {
    it('flags a sale dated long before it arrived or after it, and books it in the periods of its own date', async () => {
      const { f, till } = await canteen()
      const r = await pushAs(s.server, till, [
        sale(f, 1, { at: '2026-10-20T10:00:00.000Z' }), // last month: a till that was off for weeks
        sale(f, 2, { at: '2026-11-24T12:00:00.000Z' }), // an hour ahead of the server's clock
        sale(f, 3, { at: '2026-11-24T10:55:00.000Z' }),
      ])
      expect(outcomes(r.body)).toEqual([['applied', 'time-skew'], ['applied', 'time-skew'], ['applied']])
      const { rows } = await s.db.query<{ period: string; amount: number }>('SELECT period, amount FROM account_spend WHERE account_id = $1 ORDER BY period', [f.alice.accountId])
      expect(rows.map((x) => [x.period, Number(x.amount)])).toEqual([
        ['d:2026-10-20', 1500],
        ['d:2026-11-24', 3000],
        ['m:2026-10', 1500],
        ['m:2026-11', 3000],
        ['w:2026-W43', 1500],
        ['w:2026-W48', 3000],
      ])
    })
  })
})
