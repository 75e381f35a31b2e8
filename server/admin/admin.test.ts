import { beforeAll, describe, expect, it } from 'vitest'
import { serverSuite } from '../../test/support/server-suite'
import { api, pushAs, sale, seedFixture, type Fixture, type Till } from '../../test/support/server'

const BOOTSTRAP = 'bootstrap-token-for-the-admin-tests-0123456789'

describe('admin tokens are named to a person and scoped to a municipality', () => {
  const s = serverSuite({ adminBootstrapToken: BOOTSTRAP })
  let a: { f: Fixture; till: Till }
  let b: { f: Fixture; till: Till }
  let pia: string

  beforeAll(async () => {
    a = await s.canteen('Kasse A')
    b = await s.canteen('Kasse B')
    const created = await api(s.server, 'POST', '/admin/tokens', { token: BOOTSTRAP, body: { person: 'Pia Holm', municipalityId: a.f.municipalityId } })
    expect(created).toMatchObject({ status: 200, body: { person: 'Pia Holm', municipalityId: a.f.municipalityId, token: expect.any(String) } })
    pia = created.body.token
  })

  it("lets Pia of municipality A manage A's accounts", async () => {
    expect(await api(s.server, 'POST', `/admin/accounts/${a.f.alice.accountId}/block`, { token: pia })).toMatchObject({ status: 200, body: { status: 'blocked' } })
    expect(await api(s.server, 'POST', `/admin/accounts/${a.f.alice.accountId}/unblock`, { token: pia })).toMatchObject({ status: 200 })
    expect(await api(s.server, 'POST', '/admin/enrolment-codes', { token: pia, body: { locationId: a.f.locationId } })).toMatchObject({ status: 200 })
  })

  it("does not let Pia of A touch municipality B: B's accounts, canteens and tills answer as if they did not exist", async () => {
    const blocked = await api(s.server, 'POST', `/admin/accounts/${b.f.alice.accountId}/block`, { token: pia })
    expect(blocked).toMatchObject({ status: 404, body: { error: 'not-found', message: 'no such account' } })
    expect(await api(s.server, 'GET', `/admin/accounts/${b.f.alice.accountId}`, { token: pia })).toMatchObject({ status: 404 })
    expect(await api(s.server, 'POST', `/admin/accounts/${b.f.alice.accountId}/deposit`, { token: pia, body: { amount: 100000 } })).toMatchObject({ status: 404 })
    expect(await api(s.server, 'POST', '/admin/enrolment-codes', { token: pia, body: { locationId: b.f.locationId } })).toMatchObject({ status: 404 })
    expect(await api(s.server, 'POST', `/admin/terminals/${b.till.terminalId}/revoke`, { token: pia })).toMatchObject({ status: 404 })
    // Nothing happened in B.
    const { rows } = await s.db.query<{ status: string; balance: number }>('SELECT status, balance FROM accounts WHERE id = $1', [b.f.alice.accountId])
    expect(rows).toEqual([{ status: 'active', balance: 10000 }])
    const till = await s.db.query<{ revoked_at: Date | null }>('SELECT revoked_at FROM terminals WHERE id = $1', [b.till.terminalId])
    expect(till.rows[0]!.revoked_at).toBeNull()
    // Nor can Pia make herself a token for B, or for everyone.
    expect(await api(s.server, 'POST', '/admin/tokens', { token: pia, body: { person: 'Pia igen', municipalityId: b.f.municipalityId } })).toMatchObject({ status: 403 })
    expect(await api(s.server, 'POST', '/admin/tokens', { token: pia, body: { person: 'Pia igen', municipalityId: null } })).toMatchObject({ status: 403 })
  })

  it("writes every admin request to the audit log with the person, refused ones too, in the target's municipality", async () => {
    const { rows } = await s.db.query<{ municipality_id: string; actor: string; entity_id: string; status: number; route: string }>(
      `SELECT municipality_id, actor, details->'target'->>'id' AS entity_id, (details->>'status')::int AS status, details->>'route' AS route
         FROM audit_log WHERE action = 'admin.request' AND actor = 'admin:Pia Holm' ORDER BY id`,
    )
    expect(rows).toContainEqual({ municipality_id: a.f.municipalityId, actor: 'admin:Pia Holm', entity_id: a.f.alice.accountId, status: 200, route: '/admin/accounts/:id/block' })
    expect(rows).toContainEqual({ municipality_id: b.f.municipalityId, actor: 'admin:Pia Holm', entity_id: b.f.alice.accountId, status: 404, route: '/admin/accounts/:id/block' })
    expect(rows).toContainEqual({ municipality_id: b.f.municipalityId, actor: 'admin:Pia Holm', entity_id: b.till.terminalId, status: 404, route: '/admin/terminals/:id/revoke' })
    // The account's own entry names her too.
    const own = await s.db.query<{ actor: string; action: string }>(`SELECT actor, action FROM audit_log WHERE entity_id = $1 AND action LIKE 'account.%' ORDER BY id`, [a.f.alice.accountId])
    expect(own.rows).toEqual([
      { actor: 'admin:Pia Holm', action: 'account.block' },
      { actor: 'admin:Pia Holm', action: 'account.unblock' },
    ])
  })

  it("shows Pia the offline exposure of A's cards, and nothing of B's", async () => {
    // Two offline sales of 60 kr. take Alice (100 kr.) 20 kr. below zero at A's till.
    const colas = [{ ...a.f.products.cola, qty: 3 }]
    const pushed = await pushAs(s.server, a.till, [sale(a.f, 1, { lines: colas, offline: true }), sale(a.f, 2, { lines: colas, offline: true })])
    expect(pushed.body.results.map((r: { status: string }) => r.status)).toEqual(['applied', 'applied'])
    const own = await api(s.server, 'GET', '/admin/exposure', { token: pia })
    expect(own).toMatchObject({ status: 200, body: { municipalityId: a.f.municipalityId, cards: [{ accountId: a.f.alice.accountId, tills: 1, amount: 2000 }] } })
    expect(await api(s.server, 'GET', `/admin/exposure?municipalityId=${b.f.municipalityId}`, { token: pia })).toMatchObject({ status: 404 })
    expect(await api(s.server, 'GET', '/admin/exposure?since=yesterday', { token: pia })).toMatchObject({ status: 400 })
  })

  it('lets the bootstrap token create named tokens and nothing else', async () => {
    expect(await api(s.server, 'GET', `/admin/accounts/${a.f.alice.accountId}`, { token: BOOTSTRAP })).toMatchObject({ status: 403, body: { error: 'forbidden' } })
    expect(await api(s.server, 'POST', '/admin/enrolment-codes', { token: BOOTSTRAP, body: { locationId: a.f.locationId } })).toMatchObject({ status: 403 })
    expect(await api(s.server, 'POST', '/admin/tokens', { token: BOOTSTRAP, body: { person: '', municipalityId: null } })).toMatchObject({ status: 400 })
  })

  it('keeps only a hash of each token, and refuses an unknown one', async () => {
    const { rows } = await s.db.query<{ t: string }>(`SELECT string_agg(t::text, '') AS t FROM admin_tokens t`)
    expect(rows[0]!.t).not.toContain(pia)
    expect(await api(s.server, 'GET', `/admin/accounts/${a.f.alice.accountId}`, { token: pia + 'x' })).toMatchObject({ status: 401 })
  })

  it("lets an operator's named token, for every municipality, reach them all", async () => {
    const ops = await api(s.server, 'POST', '/admin/tokens', { token: BOOTSTRAP, body: { person: 'Ole Drift', municipalityId: null } })
    expect(ops.status).toBe(200)
    const other = await seedFixture(s.db, s.clock)
    expect(await api(s.server, 'GET', `/admin/accounts/${other.alice.accountId}`, { token: ops.body.token })).toMatchObject({ status: 200 })
    expect(await api(s.server, 'GET', `/admin/accounts/${b.f.alice.accountId}`, { token: ops.body.token })).toMatchObject({ status: 200 })
  })
})

describe('rate limits on enrolment and admin routes', () => {
  const s = serverSuite({ rateLimits: { enrol: 3, admin: 4 } })

  it('answers 429 to a client that keeps guessing enrolment codes', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 5; i++) statuses.push((await api(s.server, 'POST', '/enrol', { body: { code: `guess-${i}`, name: 'Kasse' } })).status)
    expect(statuses).toEqual([401, 401, 401, 429, 429])
    const r = await api(s.server, 'POST', '/enrol', { body: { code: 'guess', name: 'Kasse' } })
    expect(r).toMatchObject({ status: 429, body: { error: 'rate-limited', message: expect.stringMatching(/too many requests/) } })
  })

  it('answers 429 to a client that keeps guessing admin tokens, before it looks the token up', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) statuses.push((await api(s.server, 'GET', '/admin/accounts/acc-x', { token: `guess-${i}` })).status)
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429])
  })
})
