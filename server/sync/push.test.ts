import { describe, expect, it } from 'vitest'
import { MAX_PUSH_BYTES, PROTOCOL_VERSION, PushResponse, SCHEMA_VERSION } from '../../domain/sync'
import { accountSummary } from '../money/accounts'
import { accountSnapshots } from './changes'
import { serverSuite } from '../../test/support/server-suite'
import { api, enrolTill, pushAs, pushBody, sale, seedFixture, type Fixture } from '../../test/support/server'

describe('a till pushes its outbox', () => {
  const s = serverSuite()
  const { clock } = s
  const canteen = () => s.canteen()
  const balance = async (accountId: string) => (await accountSummary(s.server.ctx, accountId))!.balance
  const ledgerCount = async (accountId: string) => (await accountSummary(s.server.ctx, accountId))!.ledger.length

  it('applies a sale exactly once: the repeated push is answered from the record, the ledger is unchanged', async () => {
    const { f, till } = await canteen()
    const mutations = [sale(f, 1)]
    const first = await pushAs(s.server, till, mutations)
    expect(first.status).toBe(200)
    expect(PushResponse.parse(first.body)).toEqual({
      lastAppliedSeq: 1,
      results: [{ seq: 1, id: mutations[0]!.id, status: 'applied', reason: null, flags: [] }],
    })
    expect(await balance(f.alice.accountId)).toBe(10000 - 1500)
    const entries = await ledgerCount(f.alice.accountId)

    const again = await pushAs(s.server, till, mutations)
    expect(again).toEqual(first)
    expect(await balance(f.alice.accountId)).toBe(8500)
    expect(await ledgerCount(f.alice.accountId)).toBe(entries)
  })

  it('books the purchase in the ledger and in the day, week and month spend', async () => {
    const { f, till } = await canteen()
    const m = sale(f, 1, { lines: [{ ...f.products.bun, qty: 2 }] })
    await pushAs(s.server, till, [m])
    const summary = (await accountSummary(s.server.ctx, f.alice.accountId))!
    expect(summary.ledger[0]).toMatchObject({ kind: 'purchase', amount: -3000, saleId: m.kind === 'sale.record' ? m.payload.saleId : '' })
    const { rows } = await s.db.query<{ period: string; amount: number }>('SELECT period, amount FROM account_spend WHERE account_id = $1 ORDER BY period', [
      f.alice.accountId,
    ])
    expect(rows).toEqual([
      { period: 'd:2026-11-24', amount: 3000 },
      { period: 'm:2026-11', amount: 3000 },
      { period: 'w:2026-W48', amount: 3000 },
    ])
    const lines = await s.db.query('SELECT line_no, product_id, qty, unit_price FROM sale_lines WHERE sale_id = $1', [m.payload.saleId])
    expect(lines.rows).toEqual([{ line_no: 1, product_id: f.products.bun.productId, qty: 2, unit_price: 1500 }])
  })

  it('answers two overlapping pushes of the same outbox alike, and applies each sale once', async () => {
    const { f, till } = await canteen()
    const mutations = [sale(f, 1), sale(f, 2), sale(f, 3)]
    const [a, b] = await Promise.all([pushAs(s.server, till, mutations), pushAs(s.server, till, mutations)])
    expect(a.status).toBe(200)
    expect(b.status).toBe(200)
    expect(a.body.results).toEqual(b.body.results)
    expect(a.body.results.map((r: { status: string }) => r.status)).toEqual(['applied', 'applied', 'applied'])
    expect(await balance(f.alice.accountId)).toBe(10000 - 3 * 1500)
    const { rows } = await s.db.query<{ n: number }>('SELECT count(*) AS n FROM sales WHERE terminal_id = $1', [till.terminalId])
    expect(rows[0]?.n).toBe(3)
  })

  it('applies big pushes of two tills to the same accounts at the same time without losing or doubling a sale', async () => {
    const { f, till } = await canteen()
    const other = await enrolTill(s.server, f.locationId, 'Kasse 2')
    const bob = { card: f.bob.card, accountId: f.bob.accountId }
    // 2 x 200 sales of 10 kr, alternating between the two accounts, pushed at once.
    const cheap = f.products.candy
    const batch = () => Array.from({ length: 200 }, (_, i) => sale(f, i + 1, { ...(i % 2 ? bob : {}), lines: [cheap] }))
    const pushes = await Promise.all([pushAs(s.server, till, batch()), pushAs(s.server, other, batch())])
    for (const r of pushes) {
      expect(r.status).toBe(200)
      expect(r.body.results.every((x: { status: string }) => x.status === 'applied')).toBe(true)
    }
    expect(await balance(f.alice.accountId)).toBe(10000 - 200 * 1000)
    expect(await balance(f.bob.accountId)).toBe(2000 - 200 * 1000)
    const ledger = await s.db.query<{ n: number; sum: number }>('SELECT count(*)::int AS n, sum(amount)::bigint AS sum FROM ledger WHERE account_id = ANY($1::text[]) AND kind = $2', [
      [f.alice.accountId, f.bob.accountId],
      'purchase',
    ])
    expect(ledger.rows[0]).toEqual({ n: 400, sum: -400 * 1000 })
  })

  it('stops at a gap in the seqs with 409 seq-gap and says where to resume', async () => {
    const { f, till } = await canteen()
    await pushAs(s.server, till, [sale(f, 1)])
    const r = await pushAs(s.server, till, [sale(f, 3)])
    expect(r).toMatchObject({ status: 409, body: { error: 'seq-gap', message: expect.stringContaining('lastAppliedSeq=1') } })
    expect(await balance(f.alice.accountId)).toBe(8500)
  })

  it('answers seq-conflict when a seq already applied comes back as another mutation', async () => {
    const { f, till } = await canteen()
    await pushAs(s.server, till, [sale(f, 1)])
    const r = await pushAs(s.server, till, [sale(f, 1)])
    expect(r).toMatchObject({ status: 409, body: { error: 'seq-conflict' } })
  })

  it('sets an invalid sale aside with its reason, and the next one still applies', async () => {
    const { f, till } = await canteen()
    const bad = sale(f, 1, { total: 999 })
    const good = sale(f, 2)
    const r = await pushAs(s.server, till, [bad, good])
    expect(r.status).toBe(200)
    expect(r.body).toEqual({
      lastAppliedSeq: 2,
      results: [
        { seq: 1, id: bad.id, status: 'rejected', reason: 'total-mismatch', flags: [] },
        { seq: 2, id: good.id, status: 'applied', reason: null, flags: [] },
      ],
    })
    expect(await balance(f.alice.accountId)).toBe(8500)
    // The rejection is remembered too: asked again, the same answer.
    expect((await pushAs(s.server, till, [bad])).body.results[0]).toMatchObject({ status: 'rejected', reason: 'total-mismatch' })
  })

  it('rejects a sale id replayed under a new seq as duplicate-sale, and books nothing', async () => {
    const { f, till } = await canteen()
    const first = sale(f, 1)
    await pushAs(s.server, till, [first])
    const replay = sale(f, 2, { saleId: first.payload.saleId })
    const r = await pushAs(s.server, till, [replay])
    expect(r.body.results[0]).toMatchObject({ status: 'rejected', reason: 'duplicate-sale' })
    expect(await balance(f.alice.accountId)).toBe(8500)

    // ... also when another till of the municipality replays it.
    const other = await enrolTill(s.server, f.locationId, 'Kasse 2')
    const elsewhere = await pushAs(s.server, other, [sale(f, 1, { saleId: first.payload.saleId })])
    expect(elsewhere.body.results[0]).toMatchObject({ status: 'rejected', reason: 'duplicate-sale' })
    expect(await balance(f.alice.accountId)).toBe(8500)
  })

  it('rejects the second of two mutations with one sale id in the same push, and books the sale once', async () => {
    const { f, till } = await canteen()
    const first = sale(f, 1)
    const twin = sale(f, 2, { saleId: first.payload.saleId })
    const r = await pushAs(s.server, till, [first, twin])
    expect(r.body.results.map((x: { status: string; reason: string | null }) => [x.status, x.reason])).toEqual([
      ['applied', null],
      ['rejected', 'duplicate-sale'],
    ])
    expect(await balance(f.alice.accountId)).toBe(8500)
  })

  it('decides each sale of one push on the account as the sales before it left it, exactly as one push per sale would', async () => {
    // Bob: 20 kr, a day limit of 30 kr. Four buns of 15 kr, one of them Alice's, in between.
    const story = (f: Fixture) => [
      sale(f, 1, { card: f.bob.card, accountId: f.bob.accountId }),
      sale(f, 2),
      sale(f, 3, { card: f.bob.card, accountId: f.bob.accountId }),
      sale(f, 4, { card: f.bob.card, accountId: f.bob.accountId }),
    ]
    const together = await canteen()
    const batch = await pushAs(s.server, together.till, story(together.f))
    const flags = batch.body.results.map((x: { flags: string[] }) => x.flags)
    expect(flags).toEqual([[], [], ['overdraft'], ['day-limit', 'overdraft']])

    const apart = await canteen()
    const oneByOne = []
    for (const m of story(apart.f)) oneByOne.push(...(await pushAs(s.server, apart.till, [m])).body.results.map((x: { flags: string[] }) => x.flags))
    expect(oneByOne).toEqual(flags)

    for (const { f } of [together, apart]) {
      expect(await balance(f.bob.accountId)).toBe(2000 - 3 * 1500)
      expect(await balance(f.alice.accountId)).toBe(10000 - 1500)
      const spend = await s.db.query<{ period: string; amount: number }>('SELECT period, amount FROM account_spend WHERE account_id = $1 ORDER BY period', [f.bob.accountId])
      expect(spend.rows.map((r) => Number(r.amount))).toEqual([4500, 4500, 4500])
    }
  })

  it("books an old card's and a new card's sales of one account in one push against one balance, flagging the old card only", async () => {
    const { f, till } = await canteen()
    const r = await pushAs(s.server, till, [sale(f, 1, { card: f.alice.oldCard }), sale(f, 2), sale(f, 3, { card: f.alice.oldCard })])
    expect(r.body.results.map((x: { flags: string[] }) => x.flags)).toEqual([['old-card'], [], ['old-card']])
    expect(await balance(f.alice.accountId)).toBe(10000 - 3 * 1500)
  })

  it('writes, per account of a push, one change row that is the account as the database then holds it', async () => {
    const { f, till } = await canteen()
    const bob = { card: f.bob.card, accountId: f.bob.accountId }
    // Today and an offline sale from last month: the snapshot carries the spend of the current periods only.
    await pushAs(s.server, till, [sale(f, 1, { at: clock.now().toISOString() }), sale(f, 2, { ...bob, at: '2026-10-02T10:00:00.000Z' }), sale(f, 3, bob)])
    const rows = await s.db.query<{ entity_id: string; payload: unknown; origin_seq: number }>(
      `SELECT entity_id, payload, origin_seq FROM changes WHERE origin_terminal = $1 ORDER BY txid, id`,
      [till.terminalId],
    )
    expect(rows.rows.map((r) => [r.entity_id, Number(r.origin_seq)])).toEqual([
      [f.alice.accountId, 1],
      [f.bob.accountId, 3],
    ])
    const fresh = await accountSnapshots(s.db, [f.alice.accountId, f.bob.accountId], clock.now())
    for (const r of rows.rows) expect(r.payload).toEqual(fresh.get(r.entity_id)!.data)
  })

  it('rejects what is not a real sale of this till, each with its own reason', async () => {
    const { f, till } = await canteen()
    const mutations = [
      sale(f, 1, { card: 'NOSUCHCARD' }),
      sale(f, 2, { card: f.bob.card }), // Bob's card, Alice's account
      sale(f, 3, { locationId: f.otherLocationId }),
      sale(f, 4, { lines: [{ ...f.products.bun, productId: 'p-nonexistent' }] }),
      sale(f, 5, { staffId: 'staff-nobody' }),
      sale(f, 6, { total: 1 }),
    ]
    const r = await pushAs(s.server, till, mutations)
    expect(r.body.results.map((x: { reason: string }) => x.reason)).toEqual([
      'card-unknown',
      'account-mismatch',
      'location-mismatch',
      'product-unknown',
      'staff-unknown',
      'total-mismatch',
    ])
    expect(r.body.lastAppliedSeq).toBe(6)
    expect(await balance(f.alice.accountId)).toBe(10000)
  })

  it("rejects another municipality's card as unknown", async () => {
    const { f, till } = await canteen()
    const other = await seedFixture(s.db, clock)
    const r = await pushAs(s.server, till, [sale(f, 1, { card: other.alice.card, accountId: other.alice.accountId })])
    expect(r.body.results[0]).toMatchObject({ status: 'rejected', reason: 'card-unknown' })
    expect(await balance(other.alice.accountId)).toBe(10000)
  })

  it('accepts an offline sale that overdraws (the food is gone) and flags it', async () => {
    const { f, till } = await canteen()
    // Bob has 20 kr; two buns offline make 30 kr.
    const r = await pushAs(s.server, till, [sale(f, 1, { card: f.bob.card, accountId: f.bob.accountId, lines: [{ ...f.products.bun, qty: 2 }], offline: true })])
    expect(r.body.results[0]).toMatchObject({ status: 'applied', flags: ['overdraft'] })
    expect(await balance(f.bob.accountId)).toBe(-1000)
  })

  it('applies and flags an online sale that broke rules the till could not yet know', async () => {
    const { f, till } = await canteen()
    // Candy is denied for Bob, and 20 kr of it takes him past his 30 kr day limit after 15 kr.
    await pushAs(s.server, till, [sale(f, 1, { card: f.bob.card, accountId: f.bob.accountId })])
    const r = await pushAs(s.server, till, [sale(f, 2, { card: f.bob.card, accountId: f.bob.accountId, lines: [{ ...f.products.candy, qty: 2 }] })])
    expect(r.body.results[0]).toMatchObject({ status: 'applied', flags: ['product-not-permitted', 'day-limit', 'overdraft'] })
    // An old (replaced) card of Alice still books on her account, flagged.
    const old = await pushAs(s.server, till, [sale(f, 3, { card: f.alice.oldCard })])
    expect(old.body.results[0]).toMatchObject({ status: 'applied', flags: ['old-card'] })
  })

  it('refuses a push without a valid device token (401)', async () => {
    const { f } = await canteen()
    const none = await api(s.server, 'POST', '/sync/push', { body: pushBody([sale(f, 1)]) })
    expect(none).toMatchObject({ status: 401, body: { error: 'unauthorized' } })
    const wrong = await api(s.server, 'POST', '/sync/push', { token: 'x'.repeat(43), body: pushBody([sale(f, 1)]) })
    expect(wrong).toMatchObject({ status: 401, body: { error: 'unauthorized' } })
  })

  it('refuses a malformed body with 400 and applies nothing', async () => {
    const { f, till } = await canteen()
    const broken = sale(f, 1)
    const cases = [
      { rawBody: '{"protocol": 1, ' },
      { body: { protocol: PROTOCOL_VERSION, schema: SCHEMA_VERSION, mutations: [] } },
      { body: { protocol: PROTOCOL_VERSION, schema: SCHEMA_VERSION, mutations: [{ ...broken, seq: 0 }] } },
      { body: { protocol: PROTOCOL_VERSION, schema: SCHEMA_VERSION, mutations: [{ ...broken, id: 'not-a-uuid' }] } },
      { body: pushBody([sale(f, 2), sale(f, 1)]) }, // not in seq order
    ]
    for (const c of cases) {
      const r = await api(s.server, 'POST', '/sync/push', { token: till.token, ...c })
      expect(r).toMatchObject({ status: 400, body: { error: 'bad-request' } })
    }
    expect(await balance(f.alice.accountId)).toBe(10000)
  })

  it('refuses a body over the size limit with 413 before reading it', async () => {
    const { till } = await canteen()
    const r = await api(s.server, 'POST', '/sync/push', { token: till.token, rawBody: `{"pad":"${'x'.repeat(MAX_PUSH_BYTES)}"}` })
    expect(r).toMatchObject({ status: 413, body: { error: 'too-large' } })
  })

  it('tells an outdated till to update (426), and still serves the previous protocol', async () => {
    const { f, till } = await canteen()
    const old = await api(s.server, 'POST', '/sync/push', { token: till.token, body: { ...pushBody([sale(f, 1)]), protocol: PROTOCOL_VERSION - 2 } })
    expect(old).toMatchObject({ status: 426, body: { error: 'protocol-unsupported' } })
    const oldSchema = await api(s.server, 'POST', '/sync/push', { token: till.token, body: { ...pushBody([sale(f, 1)]), schema: SCHEMA_VERSION + 1 } })
    expect(oldSchema).toMatchObject({ status: 426, body: { error: 'protocol-unsupported' } })
    const previous = await api(s.server, 'POST', '/sync/push', { token: till.token, body: { ...pushBody([sale(f, 1)]), protocol: PROTOCOL_VERSION - 1 } })
    expect(previous.status).toBe(200)
  })
})
