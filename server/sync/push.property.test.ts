import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Mutation } from '../../domain/sync'
import { serverSuite } from '../../test/support/server-suite'
import { pushAs, sale, type Fixture } from '../../test/support/server'

/** One sale a till might push: honest, or bent in one of the ways a broken or hostile till would. */
const saleSpec = fc.record({
  who: fc.constantFrom('alice', 'bob', 'alice-old-card', 'nobody'),
  products: fc.array(fc.constantFrom('bun', 'cola', 'candy'), { minLength: 1, maxLength: 3 }),
  qty: fc.integer({ min: 1, max: 25 }),
  bend: fc.constantFrom('none', 'none', 'none', 'price', 'total', 'category', 'nul', 'year-0', 'last-month'),
  offline: fc.boolean(),
})
type SaleSpec = typeof saleSpec extends fc.Arbitrary<infer T> ? T : never

function toMutation(f: Fixture, seq: number, s: SaleSpec): Mutation {
  const lines = s.products.map((p) => ({ ...f.products[p as 'bun' | 'cola' | 'candy'], qty: s.qty }))
  const who =
    s.who === 'bob'
      ? { card: f.bob.card, accountId: f.bob.accountId }
      : s.who === 'alice-old-card'
        ? { card: f.alice.oldCard }
        : s.who === 'nobody'
          ? { card: 'NOSUCHCARD' }
          : {}
  if (s.bend === 'price') lines[0] = { ...lines[0]!, unitPrice: lines[0]!.unitPrice + 1 }
  if (s.bend === 'category') lines[0] = { ...lines[0]!, categoryId: 'cat-nonexistent' }
  if (s.bend === 'nul') lines[0] = { ...lines[0]!, name: 'a\u0000b' }
  const at = s.bend === 'year-0' ? '0000-06-01T10:00:00.000Z' : s.bend === 'last-month' ? '2026-10-20T10:00:00.000Z' : undefined
  const m = sale(f, seq, { ...who, lines, offline: s.offline, ...(at ? { at } : {}) })
  return s.bend === 'total' && m.kind === 'sale.record' ? { ...m, payload: { ...m.payload, total: m.payload.total + 100 } } : m
}

describe('the ledger, whatever tills push', () => {
  const s = serverSuite()

  it('always sums to the balance, and every applied sale and nothing else is in it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(saleSpec, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 3 }), async (pushes) => {
        const { f, till } = await s.canteen()
        const opening = new Map([
          [f.alice.accountId, 10000],
          [f.bob.accountId, 2000],
        ])
        const applied = new Map<string, number>()
        let seq = 0
        for (const specs of pushes) {
          const ms = specs.map((spec) => toMutation(f, ++seq, spec))
          const r = await pushAs(s.server, till, ms)
          expect(r.status).toBe(200)
          for (const [i, result] of (r.body.results as { status: string }[]).entries()) {
            const m = ms[i]!
            if (result.status === 'applied' && m.kind === 'sale.record' && m.payload.payment !== 'cash') applied.set(m.payload.accountId, (applied.get(m.payload.accountId) ?? 0) + m.payload.total)
          }
        }
        const { rows } = await s.db.query<{ id: string; balance: number; ledger: number }>(
          `SELECT a.id, a.balance, (SELECT coalesce(sum(amount), 0) FROM ledger l WHERE l.account_id = a.id)::bigint AS ledger
             FROM accounts a WHERE a.id = ANY($1::text[])`,
          [[...opening.keys()]],
        )
        for (const r of rows) {
          expect(Number(r.balance)).toBe(Number(r.ledger))
          expect(Number(r.balance)).toBe(opening.get(r.id)! - (applied.get(r.id) ?? 0))
        }
      }),
      { numRuns: 12 },
    )
  })
})
