import { describe, expect, it } from 'vitest'
import { AccountData } from '../../domain/sync'
import { api, connectLive, pullAll, seedFixture, signInGuardian, type Fixture } from '../../test/support/server'
import { serverSuite } from '../../test/support/server-suite'

const s = serverSuite({ guardian: { identity: 'simulated' }, rateLimits: false })

/** A fresh municipality, a till at its first canteen, and Anna (Alice's guardian) signed in. */
async function anna() {
  const { f, till } = await s.canteen()
  const token = await signInGuardian(s.server, f.data.guardians[0]!.id)
  return { f, till, token, guardianId: f.data.guardians[0]!.id }
}

async function lastAccountChange(accountId: string) {
  const { rows } = await s.db.query<{ payload: unknown }>(`SELECT payload FROM changes WHERE entity = 'account' AND entity_id = $1 ORDER BY id DESC LIMIT 1`, [accountId])
  return rows[0] ? AccountData.parse(rows[0].payload) : null
}

/** What a till holds of the account after applying `changes` (the last change row of it). */
function pulledAccount(changes: Awaited<ReturnType<typeof pullAll>>['changes'], accountId: string) {
  const last = changes.filter((c) => c.entity === 'account' && c.id === accountId).at(-1)
  return last && 'data' in last ? last.data : null
}

async function auditOf(accountId: string) {
  const { rows } = await s.db.query<{ actor: string; action: string; details: Record<string, unknown> }>(
    `SELECT actor, action, details FROM audit_log WHERE entity = 'account' AND entity_id = $1 ORDER BY id`,
    [accountId],
  )
  return rows
}

describe('a guardian’s overview', () => {
  it('shows every linked account with holder, photo, balance, cards and their status, account status and rules', async () => {
    const { f, token } = await anna()
    const r = await api(s.server, 'GET', '/guardian/accounts', { token })
    expect(r.status).toBe(200)
    expect(r.body).toEqual({
      accounts: [
        {
          id: f.alice.accountId,
          holderName: 'Alice Andersen',
          photoId: null,
          balance: 10000,
          status: 'active',
          limits: { day: null, week: null, month: null },
          deniedCategoryIds: [],
          allowedLocationIds: null,
          cards: expect.arrayContaining([
            { number: f.alice.oldCard, status: 'replaced' },
            { number: f.alice.card, status: 'active' },
          ]),
          note: null,
          allergens: [],
        },
      ],
    })
  })
})

describe('"Tilføj konto": a guardian links a child’s account with CPR number and card number', () => {
  it('links Bob’s account with his CPR (dash allowed) and his card number typed in lower case', async () => {
    const { f, token, guardianId } = await anna()
    const r = await api(s.server, 'POST', '/guardian/accounts', { token, body: { cpr: '020210-2345', cardNumber: f.bob.card.toLowerCase() } })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ id: f.bob.accountId, holderName: 'Bob Bertelsen', balance: 2000, limits: { day: 3000 }, cards: [{ number: f.bob.card, status: 'active' }] })
    expect(r.body.photoId).toMatch(/^[0-9a-f]{64}$/)
    const list = await api(s.server, 'GET', '/guardian/accounts', { token })
    expect(list.body.accounts.map((a: { id: string }) => a.id)).toEqual([f.alice.accountId, f.bob.accountId])
    // Linking twice is no error.
    expect((await api(s.server, 'POST', '/guardian/accounts', { token, body: { cpr: '0202102345', cardNumber: f.bob.card } })).status).toBe(200)

    const entries = await auditOf(f.bob.accountId)
    expect(entries[0]).toEqual({ actor: `guardian:${guardianId}`, action: 'guardian.account-link', details: { cardNumber: f.bob.card } })
    const everything = await s.db.query<{ t: string }>(`SELECT string_agg(a::text, ' ') AS t FROM audit_log a WHERE actor = $1`, [`guardian:${guardianId}`])
    expect(everything.rows[0]!.t).not.toMatch(/020210|2345/)
  })

  it('answers a wrong pair exactly like an unknown account, and links nothing', async () => {
    const { f, token, guardianId } = await anna()
    const other = await seedFixture(s.db, s.clock)
    const tries = [
      { cpr: '0202102345', cardNumber: f.alice.card }, // Bob's CPR, Alice's card
      { cpr: '0101101234', cardNumber: f.bob.card }, // Alice's CPR, Bob's card
      { cpr: '0202102345', cardNumber: 'ZZZZ9999' }, // no such card
      { cpr: '0202102345', cardNumber: other.bob.card }, // a Bob of another municipality, same CPR
    ]
    const answers = await Promise.all(tries.map((body) => api(s.server, 'POST', '/guardian/accounts', { token, body })))
    for (const a of answers) expect(a).toEqual({ status: 404, body: { error: 'account-unknown', message: 'no such account among yours' } })
    const list = await api(s.server, 'GET', '/guardian/accounts', { token })
    expect(list.body.accounts.map((a: { id: string }) => a.id)).toEqual([f.alice.accountId])
    const refused = await s.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE actor = $1 AND action = 'guardian.account-link-refused'`, [`guardian:${guardianId}`])
    expect(refused.rows[0]!.n).toBe(4)
  })

  it('refuses a CPR number of the wrong length or with an impossible date, and says so', async () => {
    const { f, token } = await anna()
    for (const cpr of ['020210234', '3102102345', '02021023456']) {
      expect(await api(s.server, 'POST', '/guardian/accounts', { token, body: { cpr, cardNumber: f.bob.card } })).toMatchObject({ status: 400, body: { error: 'cpr-invalid' } })
    }
    expect(await api(s.server, 'POST', '/guardian/accounts', { token, body: { cpr: '0202102345' } })).toMatchObject({ status: 400, body: { error: 'bad-request' } })
  })
})

describe('a guardian blocks and unblocks a lost card', () => {
  it('blocks the account under the guardian’s name, and the till learns it at its next pull', async () => {
    const { f, till, token, guardianId } = await anna()
    const blocked = await api(s.server, 'POST', `/guardian/accounts/${f.alice.accountId}/block`, { token })
    expect(blocked).toMatchObject({ status: 200, body: { id: f.alice.accountId, status: 'blocked' } })
    const pulled = await pullAll(s.server, till)
    expect(pulledAccount(pulled.changes, f.alice.accountId)).toMatchObject({ status: 'blocked' })
    expect(await auditOf(f.alice.accountId)).toContainEqual(expect.objectContaining({ actor: `guardian:${guardianId}`, action: 'account.block' }))

    expect(await api(s.server, 'POST', `/guardian/accounts/${f.alice.accountId}/unblock`, { token })).toMatchObject({ status: 200, body: { status: 'active' } })
    expect(await lastAccountChange(f.alice.accountId)).toMatchObject({ status: 'active' })
    expect(await auditOf(f.alice.accountId)).toContainEqual(expect.objectContaining({ actor: `guardian:${guardianId}`, action: 'account.unblock' }))
  })
})

describe('a guardian sets the rules a till applies', () => {
  it('sets spending limits per day, week and month (or none), with an audit entry and a change row', async () => {
    const { f, token, guardianId } = await anna()
    const r = await api(s.server, 'PUT', `/guardian/accounts/${f.alice.accountId}/limits`, { token, body: { day: 4000, week: 15000, month: null } })
    expect(r).toMatchObject({ status: 200, body: { limits: { day: 4000, week: 15000, month: null } } })
    expect(await lastAccountChange(f.alice.accountId)).toMatchObject({ limits: { day: 4000, week: 15000, month: null } })
    expect(await auditOf(f.alice.accountId)).toContainEqual({ actor: `guardian:${guardianId}`, action: 'account.limits', details: { limits: { day: 4000, week: 15000, month: null } } })
    for (const body of [{ day: -1, week: null, month: null }, { day: 10.5, week: null, month: null }, { day: null, week: null }]) {
      expect((await api(s.server, 'PUT', `/guardian/accounts/${f.alice.accountId}/limits`, { token, body })).status).toBe(400)
    }
  })

  it('denies product categories of the municipality only, and the till receives the permissions', async () => {
    const { f, till, token, guardianId } = await anna()
    const other = await seedFixture(s.db, s.clock)
    const sweets = f.products.candy.categoryId
    expect(
      await api(s.server, 'PUT', `/guardian/accounts/${f.alice.accountId}/permissions`, { token, body: { deniedCategoryIds: [other.products.candy.categoryId] } }),
    ).toMatchObject({ status: 400, body: { error: 'category-unknown' } })
    const r = await api(s.server, 'PUT', `/guardian/accounts/${f.alice.accountId}/permissions`, { token, body: { deniedCategoryIds: [sweets] } })
    expect(r).toMatchObject({ status: 200, body: { deniedCategoryIds: [sweets] } })
    const pulled = await pullAll(s.server, till)
    expect(pulledAccount(pulled.changes, f.alice.accountId)).toMatchObject({ deniedCategoryIds: [sweets] })
    expect(await auditOf(f.alice.accountId)).toContainEqual({ actor: `guardian:${guardianId}`, action: 'account.permissions', details: { deniedCategoryIds: [sweets] } })
    // Everything allowed again.
    expect(await api(s.server, 'PUT', `/guardian/accounts/${f.alice.accountId}/permissions`, { token, body: { deniedCategoryIds: [] } })).toMatchObject({
      status: 200,
      body: { deniedCategoryIds: [] },
    })
  })

  it('allows the card at chosen canteens of the municipality, or at all of them again', async () => {
    const { f, token, guardianId } = await anna()
    const other = await seedFixture(s.db, s.clock)
    expect(await api(s.server, 'PUT', `/guardian/accounts/${f.alice.accountId}/places`, { token, body: { allowedLocationIds: [other.locationId] } })).toMatchObject({
      status: 400,
      body: { error: 'location-unknown' },
    })
    expect(await api(s.server, 'PUT', `/guardian/accounts/${f.alice.accountId}/places`, { token, body: { allowedLocationIds: [f.otherLocationId] } })).toMatchObject({
      status: 200,
      body: { allowedLocationIds: [f.otherLocationId] },
    })
    expect(await lastAccountChange(f.alice.accountId)).toMatchObject({ allowedLocationIds: [f.otherLocationId] })
    expect(await api(s.server, 'PUT', `/guardian/accounts/${f.alice.accountId}/places`, { token, body: { allowedLocationIds: null } })).toMatchObject({
      status: 200,
      body: { allowedLocationIds: null },
    })
    expect(await lastAccountChange(f.alice.accountId)).toMatchObject({ allowedLocationIds: null })
    expect((await auditOf(f.alice.accountId)).filter((e) => e.action === 'account.allowed-places' && e.actor === `guardian:${guardianId}`)).toHaveLength(2)
  })
})

describe('a change reaches an online till at once', () => {
  it('pokes the till of the school when a parent lowers the day limit', async () => {
    const { f, till, token } = await anna()
    const live = await connectLive(s.server, till.token)
    try {
      const poke = live.next()
      expect((await api(s.server, 'PUT', `/guardian/accounts/${f.alice.accountId}/limits`, { token, body: { day: 1000, week: null, month: null } })).status).toBe(200)
      expect(await poke).toMatchObject({ type: 'poke' })
      const pulled = await pullAll(s.server, till)
      expect(pulledAccount(pulled.changes, f.alice.accountId)).toMatchObject({ limits: { day: 1000 } })
    } finally {
      live.close()
    }
  })
})

describe('a guardian tries every route on an account that is not theirs', () => {
  const routes = (f: Fixture, id: string) => [
    { method: 'GET', path: `/guardian/accounts/${id}` },
    { method: 'POST', path: `/guardian/accounts/${id}/block` },
    { method: 'POST', path: `/guardian/accounts/${id}/unblock` },
    { method: 'PUT', path: `/guardian/accounts/${id}/limits`, body: { day: 0, week: null, month: null } },
    { method: 'PUT', path: `/guardian/accounts/${id}/permissions`, body: { deniedCategoryIds: [f.products.candy.categoryId] } },
    { method: 'PUT', path: `/guardian/accounts/${id}/places`, body: { allowedLocationIds: [f.locationId] } },
  ]

  it('gets for Bob’s account (same school, his father’s, not hers) exactly the answer for an account that does not exist, and changes nothing', async () => {
    const { f, token } = await anna()
    const other = await seedFixture(s.db, s.clock)
    // Bob is linked, to his father: a link of someone else's must not count.
    const bent = f.data.guardians[0]!.id.replace('g-', 'g-bent-')
    await s.db.query(`INSERT INTO guardians (id, municipality_id, name, email) VALUES ($1, $2, 'Bent Bertelsen', 'bent@example.dk')`, [bent, f.municipalityId])
    await s.db.query('INSERT INTO guardian_accounts (guardian_id, account_id) VALUES ($1, $2)', [bent, f.bob.accountId])
    const changesBefore = await s.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM changes WHERE entity_id = ANY($1::text[])`, [[f.bob.accountId, other.alice.accountId]])
    for (const [i, route] of routes(f, f.bob.accountId).entries()) {
      const bob = await api(s.server, route.method, route.path, { token, body: route.body })
      const otherTown = routes(f, other.alice.accountId)[i]!
      const elsewhere = await api(s.server, otherTown.method, otherTown.path, { token, body: otherTown.body })
      const none = routes(f, 'acc-does-not-exist')[i]!
      const missing = await api(s.server, none.method, none.path, { token, body: none.body })
      expect(bob, route.path).toEqual({ status: 404, body: { error: 'account-unknown', message: 'no such account among yours' } })
      expect(elsewhere, route.path).toEqual(bob)
      expect(missing, route.path).toEqual(bob)
    }
    const changesAfter = await s.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM changes WHERE entity_id = ANY($1::text[])`, [[f.bob.accountId, other.alice.accountId]])
    expect(changesAfter.rows[0]!.n).toBe(changesBefore.rows[0]!.n)
    const bobNow = await s.db.query<{ status: string; limit_day: number }>('SELECT status, limit_day FROM accounts WHERE id = $1', [f.bob.accountId])
    expect(bobNow.rows[0]).toEqual({ status: 'active', limit_day: 3000 })
  })

  it('refuses every guardian route without a session', async () => {
    const { f } = await anna()
    for (const route of [{ method: 'GET', path: '/guardian/accounts' }, { method: 'POST', path: '/guardian/accounts', body: { cpr: '0202102345', cardNumber: f.bob.card } }, ...routes(f, f.alice.accountId)]) {
      expect(await api(s.server, route.method, route.path, { token: 'not-a-session', body: route.body }), route.path).toMatchObject({ status: 401, body: { error: 'unauthorized' } })
    }
  })
})
