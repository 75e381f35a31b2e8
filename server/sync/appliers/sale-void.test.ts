import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Mutation, SaleVoidPayload } from '../../../domain/sync'
import { insertMunicipality } from '../../demo/demo'
import { accountSummary } from '../../money/accounts'
import { serverSuite } from '../../../test/support/server-suite'
import { api, enrolTill, fixtureData, pullAll, pushAs, sale, signInGuardian, type Fixture, type Till } from '../../../test/support/server'

type Result = { seq: number; status: string; reason: string | null; flags: string[] }
const outcomes = (body: { results: Result[] }) => body.results.map((r) => (r.status === 'applied' ? 'applied' : `rejected ${r.reason}`))

/** A `sale.void` as a till's outbox holds it. */
function voidOf(seq: number, sold: Mutation, o: Partial<SaleVoidPayload> = {}, id = randomUUID()): Mutation {
  if (sold.kind !== 'sale.record' || sold.payload.payment === 'cash') throw new Error('voidOf: not a card sale')
  return {
    seq,
    id,
    kind: 'sale.void',
    payload: {
      saleId: sold.payload.saleId,
      accountId: sold.payload.accountId,
      reason: 'Forkert vare',
      authorisedBy: '',
      voidedAt: new Date(new Date(sold.payload.at).getTime() + 60_000).toISOString(),
      ...o,
    },
  }
}

describe('a manager voids a sale of today (sale.void)', () => {
  const s = serverSuite({ guardian: { identity: 'simulated' }, rateLimits: false })
  const { clock } = s

  /** A fresh municipality with a manager (Maja) and a cashier (Karen), a till in each canteen. */
  async function canteen() {
    const f = fixtureData()
    const majaId = `staff-maja-${f.municipalityId}`
    f.data.staff.push({ id: majaId, name: 'Maja Mogensen', pin: '9999', roles: ['manager', 'cashier'], locationIds: [f.locationId] })
    await insertMunicipality(s.db, f.data, { clock })
    const till = await enrolTill(s.server, f.locationId, 'Kasse A')
    return { f, till, majaId }
  }

  const account = async (id: string) => (await accountSummary(s.server.ctx, id))!
  const refunds = async (id: string) => (await account(id)).ledger.filter((l) => l.kind === 'refund')
  const spend = async (accountId: string) =>
    Object.fromEntries(
      (await s.db.query<{ period: string; amount: number }>('SELECT period, amount FROM account_spend WHERE account_id = $1 ORDER BY period', [accountId])).rows.map((r) => [
        r.period,
        Number(r.amount),
      ]),
    )

  /** Sells Alice a bun and a cola (35 kr) at lunch today. */
  async function aliceBuys(f: Fixture, till: Till, seq = 1): Promise<Mutation> {
    const sold = sale(f, seq, { lines: [f.products.bun, f.products.cola] })
    const r = await pushAs(s.server, till, [sold])
    expect(outcomes(r.body)).toEqual(['applied'])
    return sold
  }

  beforeAll(() => clock.set('2026-11-24T11:30:00.000Z'))

  it('gives the sale back through the ledger and the spend of its day, once, however often the void is pushed', async () => {
    const { f, till, majaId } = await canteen()
    const sold = await aliceBuys(f, till)
    const spentBefore = await spend(f.alice.accountId)
    expect(spentBefore['d:2026-11-24']).toBe(3500)

    const v = voidOf(2, sold, { authorisedBy: majaId })
    const first = await pushAs(s.server, till, [v])
    expect(first.status).toBe(200)
    expect(outcomes(first.body)).toEqual(['applied'])
    const a = await account(f.alice.accountId)
    expect(a.balance).toBe(10000)
    expect(a.ledger.filter((l) => l.kind === 'refund')).toEqual([expect.objectContaining({ amount: 3500, saleId: (sold.payload as { saleId: string }).saleId })])
    expect(await spend(f.alice.accountId)).toEqual({ 'd:2026-11-24': 0, 'w:2026-W48': 0, 'm:2026-11': 0 })

    // The till lost the answer and pushes the same void again, alone and together with its sale: answered, not applied.
    const again = await pushAs(s.server, till, [v])
    expect(outcomes(again.body)).toEqual(['applied'])
    const both = await pushAs(s.server, till, [sold, v])
    expect(outcomes(both.body)).toEqual(['applied', 'applied'])
    // The same void once more under a new mutation (a double tap that made two outbox rows): already voided.
    const twice = await pushAs(s.server, till, [voidOf(3, sold, { authorisedBy: majaId })])
    expect(outcomes(twice.body)).toEqual(['rejected already-voided'])
    expect(await refunds(f.alice.accountId)).toHaveLength(1)
    expect((await account(f.alice.accountId)).balance).toBe(10000)

    // The till's next pull carries the account as the void left it and acknowledges the void's seq.
    const { pages, changes } = await pullAll(s.server, till)
    const last = changes.filter((c) => c.entity === 'account' && c.id === f.alice.accountId).at(-1)
    expect(last).toMatchObject({ data: { balance: 10000, spent: { day: { key: '2026-11-24', amount: 0 } } } })
    expect(Math.max(...pages.map((p) => p.ackSeq ?? 0))).toBeGreaterThanOrEqual(2)

    const audit = await s.db.query<{ actor: string; details: { reason: string; amount: number } }>(
      `SELECT actor, details FROM audit_log WHERE action = 'sale.void' AND entity_id = $1`,
      [(sold.payload as { saleId: string }).saleId],
    )
    expect(audit.rows).toEqual([{ actor: `staff:${majaId}`, details: expect.objectContaining({ reason: 'Forkert vare', amount: 3500 }) }])
  })

  it('shows the voided purchase marked on the parent’s statement, with its refund, and does not count it as spent', async () => {
    const { f, till, majaId } = await canteen()
    const sold = await aliceBuys(f, till)
    expect(outcomes((await pushAs(s.server, till, [voidOf(2, sold, { authorisedBy: majaId })])).body)).toEqual(['applied'])
    const token = await signInGuardian(s.server, f.data.guardians[0]!.id)
    const r = await api(s.server, 'GET', `/guardian/accounts/${f.alice.accountId}/statement?from=2026-11-24&to=2026-11-24`, { token })
    expect(r.status).toBe(200)
    const saleId = (sold.payload as { saleId: string }).saleId
    expect(r.body.purchases).toEqual([expect.objectContaining({ saleId, total: 3500, voided: { at: '2026-11-24T11:01:00.000Z' } })])
    expect(r.body.movements.filter((m: { kind: string }) => m.kind === 'refund')).toEqual([{ at: '2026-11-24T11:30:00.000Z', kind: 'refund', amount: 3500, note: null, saleId }])
    expect(r.body.totals.spent).toBe(0)
    expect(r.body.perDay).toEqual([{ date: '2026-11-24', spent: 0 }])
  })

  describe('rejects, with no money moved, a void', () => {
    /** Pushes `v` and checks its rejection reason and that Alice's and Bob's ledgers did not move. */
    async function rejected(f: Fixture, till: Till, v: Mutation, reason: string) {
      const before = [await account(f.alice.accountId), await account(f.bob.accountId)]
      const r = await pushAs(s.server, till, [v])
      expect(r.status).toBe(200)
      expect(outcomes(r.body)).toEqual([`rejected ${reason}`])
      expect([await account(f.alice.accountId), await account(f.bob.accountId)]).toEqual(before)
    }

    it('authorised by a cashier, by someone the server does not know, or by a manager of another canteen', async () => {
      const { f, till } = await canteen()
      const sold = await aliceBuys(f, till)
      await rejected(f, till, voidOf(2, sold, { authorisedBy: f.staffId }), 'not-a-manager')
      await rejected(f, till, voidOf(3, sold, { authorisedBy: 'staff-nobody' }), 'not-a-manager')
      const elsewhere = `staff-far-${f.municipalityId}`
      await s.db.query(`INSERT INTO staff (id, municipality_id, name, pin_hash, roles, location_ids) VALUES ($1, $2, 'Fjern', 'scrypt$x$y', '{manager}', $3)`, [
        elsewhere,
        f.municipalityId,
        [f.otherLocationId],
      ])
      await rejected(f, till, voidOf(4, sold, { authorisedBy: elsewhere }), 'not-a-manager')
    })

    it('of a sale of another canteen of the municipality', async () => {
      const { f, till, majaId } = await canteen()
      const tillB = await enrolTill(s.server, f.otherLocationId, 'Kasse B')
      const soldB = sale(f, 1, { locationId: f.otherLocationId })
      expect(outcomes((await pushAs(s.server, tillB, [soldB])).body)).toEqual(['applied'])
      await rejected(f, till, voidOf(1, soldB, { authorisedBy: majaId }), 'location-mismatch')
    })

    it('of a sale of another municipality, of a sale that does not exist, or naming another account', async () => {
      const { f, till, majaId } = await canteen()
      const other = await canteen()
      const soldThere = await aliceBuys(other.f, other.till)
      await rejected(f, till, voidOf(1, soldThere, { authorisedBy: majaId }), 'sale-unknown')
      const sold = await aliceBuys(f, till, 2)
      await rejected(f, till, voidOf(3, sold, { authorisedBy: majaId, saleId: randomUUID() }), 'sale-unknown')
      await rejected(f, till, voidOf(4, sold, { authorisedBy: majaId, accountId: f.bob.accountId }), 'account-mismatch')
    })

    it('of yesterday’s sale, dated before its sale, or dated far from the server’s clock', async () => {
      const { f, till, majaId } = await canteen()
      // Yesterday 12:00 in Copenhagen, voided today.
      const yesterday = sale(f, 1, { at: '2026-11-23T11:00:00.000Z' })
      expect(outcomes((await pushAs(s.server, till, [yesterday])).body)).toEqual(['applied'])
      await rejected(f, till, voidOf(2, yesterday, { authorisedBy: majaId, voidedAt: '2026-11-24T11:00:00.000Z' }), 'not-same-day')
      const sold = await aliceBuys(f, till, 3)
      await rejected(f, till, voidOf(4, sold, { authorisedBy: majaId, voidedAt: '2026-11-24T10:00:00.000Z' }), 'void-before-sale')
      // A till clock a day ahead: the sale and its void both "tomorrow".
      const ahead = sale(f, 5, { at: '2026-11-25T11:00:00.000Z' })
      expect(outcomes((await pushAs(s.server, till, [ahead])).body)).toEqual(['applied'])
      await rejected(f, till, voidOf(6, ahead, { authorisedBy: majaId }), 'void-time-out-of-range')
    })

    it('with a reason that is empty, too long or holds a control character', async () => {
      const { f, till, majaId } = await canteen()
      const sold = await aliceBuys(f, till)
      for (const [seq, reason] of [
        [2, ''],
        [3, 'x'.repeat(201)],
        [4, 'Forkert\u0000vare'],
      ] as const) {
        const before = await account(f.alice.accountId)
        const r = await pushAs(s.server, till, [voidOf(seq, sold, { authorisedBy: majaId, reason })])
        expect(r.body.results[0]).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/^invalid-payload: reason/) })
        expect(await account(f.alice.accountId)).toEqual(before)
      }
    })
  })
})
