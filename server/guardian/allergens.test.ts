import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openTill, type Till as CoreTill } from '../../electron/core/till'
import { ALLERGENS } from '../../domain/allergens'
import { AccountData } from '../../domain/sync'
import { api, connectLive, pullAll, seedFixture, snapshotOf, signInGuardian, uniqueSuffix } from '../../test/support/server'
import { serverSuite } from '../../test/support/server-suite'
import { SimulatedProvider, TEST_CARDS, memoryStore } from '../payments/simulated'
import { TERMS_VERSION } from './money-terms'

const s = serverSuite({ guardian: { identity: 'simulated' }, rateLimits: false, payments: new SimulatedProvider({ captureDelayMs: 1, store: memoryStore() }) })

/** A fresh municipality, a till at its first canteen, and Anna (Alice's guardian) signed in. */
async function anna() {
  const { f, till } = await s.canteen()
  const guardianId = f.data.guardians[0]!.id
  const token = await signInGuardian(s.server, guardianId)
  return { f, till, token, guardianId }
}

const put = (token: string | undefined, accountId: string, body: unknown) => api(s.server, 'PUT', `/guardian/accounts/${accountId}/allergens`, { token, body })

async function allergensOf(accountId: string) {
  const { rows } = await s.db.query<{ allergens: string[] }>('SELECT allergens FROM accounts WHERE id = $1', [accountId])
  return rows[0]!.allergens
}

async function changeCount(accountIds: string[]) {
  const { rows } = await s.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM changes WHERE entity = 'account' AND entity_id = ANY($1::text[])`, [accountIds])
  return rows[0]!.n
}

async function lastAccountChange(accountId: string) {
  const { rows } = await s.db.query<{ payload: unknown }>(`SELECT payload FROM changes WHERE entity = 'account' AND entity_id = $1 ORDER BY id DESC LIMIT 1`, [accountId])
  return rows[0] ? AccountData.parse(rows[0].payload) : null
}

async function auditOf(accountId: string) {
  const { rows } = await s.db.query<{ actor: string; action: string; details: Record<string, unknown> }>(
    `SELECT actor, action, details FROM audit_log WHERE entity = 'account' AND entity_id = $1 AND action = 'account.allergens' ORDER BY id`,
    [accountId],
  )
  return rows
}

describe('a parent marks the child’s allergens', () => {
  it('stores them in the list’s order, shows them in the account, audits, and sends them to tills in the account’s change row', async () => {
    const { f, till, token, guardianId } = await anna()
    expect((await api(s.server, 'GET', `/guardian/accounts/${f.alice.accountId}`, { token })).body).toMatchObject({ id: f.alice.accountId, allergens: [] })

    const r = await put(token, f.alice.accountId, { allergens: ['milk', 'gluten'] })
    expect(r).toMatchObject({ status: 200, body: { id: f.alice.accountId, allergens: ['gluten', 'milk'], balance: 10000 } })
    expect(await allergensOf(f.alice.accountId)).toEqual(['gluten', 'milk'])
    expect((await api(s.server, 'GET', '/guardian/accounts', { token })).body.accounts[0].allergens).toEqual(['gluten', 'milk'])
    expect(await lastAccountChange(f.alice.accountId)).toMatchObject({ allergens: ['gluten', 'milk'], balance: 10000 })
    expect(await auditOf(f.alice.accountId)).toEqual([{ actor: `guardian:${guardianId}`, action: 'account.allergens', details: { allergens: ['gluten', 'milk'] } }])

    const pulled = await pullAll(s.server, till)
    const last = pulled.changes.filter((c) => c.entity === 'account' && c.id === f.alice.accountId).at(-1)
    expect(last && 'data' in last ? last.data : null).toMatchObject({ allergens: ['gluten', 'milk'] })

    // A till starting from a snapshot gets them as a column, row for row with the accounts.
    const snap = await snapshotOf(s.server, till)
    const i = snap.accounts.id.indexOf(f.alice.accountId)
    const j = snap.accounts.id.indexOf(f.bob.accountId)
    expect(snap.accounts.allergens?.[i]).toEqual(['gluten', 'milk'])
    // None is null in the column (most accounts have none; a till's first sync parses them all).
    expect(snap.accounts.allergens?.[j]).toBeNull()

    // All 14, then none: an empty list clears them.
    expect(await put(token, f.alice.accountId, { allergens: [...ALLERGENS].reverse() })).toMatchObject({ status: 200, body: { allergens: [...ALLERGENS] } })
    expect(await put(token, f.alice.accountId, { allergens: [] })).toMatchObject({ status: 200, body: { allergens: [] } })
    expect(await lastAccountChange(f.alice.accountId)).toMatchObject({ allergens: [] })
  })

  it('pokes the till of the school at once', async () => {
    const { f, till, token } = await anna()
    const live = await connectLive(s.server, till.token)
    try {
      const poke = live.next()
      expect((await put(token, f.alice.accountId, { allergens: ['peanuts'] })).status).toBe(200)
      expect(await poke).toMatchObject({ type: 'poke' })
    } finally {
      live.close()
    }
  })

  it('refuses anything but a list of the 14 codes, each once, and keeps what was there', async () => {
    const { f, token } = await anna()
    await put(token, f.alice.accountId, { allergens: ['sesame'] })
    const before = await changeCount([f.alice.accountId])
    const bad: unknown[] = [
      { allergens: ['chocolate'] },
      { allergens: ['Milk'] },
      { allergens: ['milk', 'milk'] },
      { allergens: 'milk' },
      { allergens: null },
      { allergens: [null] },
      { allergens: [7] },
      { allergens: { milk: true } },
      { allergens: [...ALLERGENS, 'milk'] },
      { allergens: ['milk'], extra: 1 },
      {},
      ['milk'],
      'milk',
    ]
    for (const body of bad) {
      expect(await put(token, f.alice.accountId, body), JSON.stringify(body)).toMatchObject({ status: 400, body: { error: 'bad-request' } })
    }
    const raw = await api(s.server, 'PUT', `/guardian/accounts/${f.alice.accountId}/allergens`, { token, rawBody: '{"allergens": [' })
    expect(raw.status).toBe(400)
    expect(await allergensOf(f.alice.accountId)).toEqual(['sesame'])
    expect(await changeCount([f.alice.accountId])).toBe(before)
    expect(await auditOf(f.alice.accountId)).toHaveLength(1)
  })

  it('answers another guardian’s account, another municipality’s and a missing one exactly alike, and changes nothing', async () => {
    const { f, token } = await anna()
    const other = await seedFixture(s.db, s.clock)
    const bent = f.data.guardians[0]!.id.replace('g-', 'g-bent-')
    await s.db.query(`INSERT INTO guardians (id, municipality_id, name, email) VALUES ($1, $2, 'Bent Bertelsen', 'bent@example.dk')`, [bent, f.municipalityId])
    await s.db.query('INSERT INTO guardian_accounts (guardian_id, account_id) VALUES ($1, $2)', [bent, f.bob.accountId])
    const before = await changeCount([f.bob.accountId, other.alice.accountId])
    const bob = await put(token, f.bob.accountId, { allergens: ['milk'] })
    expect(bob).toEqual({ status: 404, body: { error: 'account-unknown', message: 'no such account among yours' } })
    expect(await put(token, other.alice.accountId, { allergens: ['milk'] })).toEqual(bob)
    expect(await put(token, 'acc-does-not-exist', { allergens: ['milk'] })).toEqual(bob)
    expect(await allergensOf(f.bob.accountId)).toEqual([])
    expect(await allergensOf(other.alice.accountId)).toEqual([])
    expect(await changeCount([f.bob.accountId, other.alice.accountId])).toBe(before)
  })

  it('refuses without a session, with a made-up one and with one signed out, and changes nothing', async () => {
    const { f, token } = await anna()
    expect(await put(undefined, f.alice.accountId, { allergens: ['milk'] })).toMatchObject({ status: 401 })
    expect(await put('not-a-session', f.alice.accountId, { allergens: ['milk'] })).toMatchObject({ status: 401, body: { error: 'unauthorized' } })
    expect((await api(s.server, 'DELETE', '/guardian/session', { token })).status).toBe(204)
    expect(await put(token, f.alice.accountId, { allergens: ['milk'] })).toMatchObject({ status: 401, body: { error: 'unauthorized' } })
    expect(await allergensOf(f.alice.accountId)).toEqual([])
    expect(await auditOf(f.alice.accountId)).toEqual([])
  })

  it('lets every guardian of the child see and set the same allergens', async () => {
    const { f, token } = await anna()
    const bent = `${f.data.guardians[0]!.id}-bent`
    await s.db.query(`INSERT INTO guardians (id, municipality_id, name, email) VALUES ($1, $2, 'Bent Andersen', 'bent@example.dk')`, [bent, f.municipalityId])
    await s.db.query('INSERT INTO guardian_accounts (guardian_id, account_id) VALUES ($1, $2)', [bent, f.alice.accountId])
    const bentToken = await signInGuardian(s.server, bent)
    await put(token, f.alice.accountId, { allergens: ['eggs'] })
    expect((await api(s.server, 'GET', `/guardian/accounts/${f.alice.accountId}`, { token: bentToken })).body).toMatchObject({ allergens: ['eggs'] })
    expect(await put(bentToken, f.alice.accountId, { allergens: ['eggs', 'fish'] })).toMatchObject({ status: 200, body: { allergens: ['eggs', 'fish'] } })
  })
})

describe('the webshop and the child’s allergens', () => {
  /** Alice's municipality sells bun, cola and candy in the webshop at canteen A; the bun contains milk and gluten. */
  async function shop() {
    s.clock.set('2026-11-24T11:00:00.000Z') // Tuesday 12:00 in Copenhagen: Wednesday is open for orders
    const { f, token, guardianId } = await anna()
    const r = await api(s.server, 'PUT', `/admin/locations/${f.locationId}/order-settings`, {
      token: s.server.adminToken,
      body: { productIds: [f.products.bun.productId, f.products.cola.productId, f.products.candy.productId] },
    })
    expect(r.status).toBe(200)
    await s.db.query(`UPDATE products SET allergens = '{gluten,milk}' WHERE id = $1`, [f.products.bun.productId])
    return { f, token, guardianId }
  }
  const menu = async (token: string, accountId: string, locationId: string) => {
    const r = await api(s.server, 'GET', `/guardian/accounts/${accountId}/menu?locationId=${locationId}&day=2026-11-25`, { token })
    expect(r.status).toBe(200)
    return (r.body.products as { id: string }[]).map((p) => p.id).sort()
  }
  const order = (token: string, accountId: string, locationId: string, productId: string, payment: unknown = { kind: 'canteen-card' }) =>
    api(s.server, 'POST', `/guardian/accounts/${accountId}/orders`, {
      token,
      body: { locationId, day: '2026-11-25', lines: [{ productId, quantity: 1 }], payment, idempotencyKey: `key-${uniqueSuffix()}` },
    })
  const orderCount = async (accountId: string) => (await s.db.query('SELECT 1 FROM orders WHERE account_id = $1', [accountId])).rows.length
  const balance = async (accountId: string) => Number((await s.db.query<{ balance: number }>('SELECT balance FROM accounts WHERE id = $1', [accountId])).rows[0]!.balance)

  it('leaves a product with one of the child’s allergens out of the child’s menu, and only that', async () => {
    const { f, token } = await shop()
    const all = [f.products.bun.productId, f.products.cola.productId, f.products.candy.productId].sort()
    expect(await menu(token, f.alice.accountId, f.locationId)).toEqual(all)
    await put(token, f.alice.accountId, { allergens: ['peanuts', 'fish'] })
    expect(await menu(token, f.alice.accountId, f.locationId)).toEqual(all)
    await put(token, f.alice.accountId, { allergens: ['milk'] })
    expect(await menu(token, f.alice.accountId, f.locationId)).toEqual([f.products.cola.productId, f.products.candy.productId].sort())
    await put(token, f.alice.accountId, { allergens: [] })
    expect(await menu(token, f.alice.accountId, f.locationId)).toEqual(all)
  })

  it('refuses a direct order naming that product with 409 allergen, by canteen card and by payment card, and draws nothing', async () => {
    const { f, token } = await shop()
    await put(token, f.alice.accountId, { allergens: ['gluten'] })
    const before = await balance(f.alice.accountId)
    const byCard = await order(token, f.alice.accountId, f.locationId, f.products.bun.productId)
    expect(byCard).toEqual({ status: 409, body: { error: 'allergen', message: 'a product with one of the child’s allergens' } })
    const paymentCard = { kind: 'payment-card', cardToken: TEST_CARDS.ok, acceptedTermsVersion: TERMS_VERSION }
    expect(await order(token, f.alice.accountId, f.locationId, f.products.bun.productId, paymentCard)).toEqual(byCard)
    // Mixed with a harmless product: still refused, the whole basket.
    const mixed = await api(s.server, 'POST', `/guardian/accounts/${f.alice.accountId}/orders`, {
      token,
      body: {
        locationId: f.locationId,
        day: '2026-11-25',
        lines: [
          { productId: f.products.cola.productId, quantity: 1 },
          { productId: f.products.bun.productId, quantity: 1 },
        ],
        payment: { kind: 'canteen-card' },
        idempotencyKey: `key-${uniqueSuffix()}`,
      },
    })
    expect(mixed.status).toBe(409)
    expect(mixed.body.error).toBe('allergen')
    expect(await orderCount(f.alice.accountId)).toBe(0)
    expect(await balance(f.alice.accountId)).toBe(before)

    // The harmless product alone is sold; and once the allergen is unmarked, the bun too.
    expect((await order(token, f.alice.accountId, f.locationId, f.products.cola.productId)).status).toBe(201)
    await put(token, f.alice.accountId, { allergens: [] })
    expect((await order(token, f.alice.accountId, f.locationId, f.products.bun.productId)).status).toBe(201)
  })
})

describe('the allergens at a real till', () => {
  const dirs: string[] = []
  const tills: CoreTill[] = []
  afterEach(async () => {
    for (const t of tills.splice(0)) await t.close()
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })
  async function call(till: CoreTill, method: string, args: unknown = {}) {
    const res = await till.dispatch(method, args)
    if (!res.ok) throw new Error(`${method}: ${res.error.code} ${res.error.message}`)
    return res.value as never
  }
  async function enrolCore(locationId: string, name: string) {
    const code = await api(s.server, 'POST', '/admin/enrolment-codes', { token: s.server.adminToken, body: { locationId } })
    expect(code.status).toBe(200)
    const dir = mkdtempSync(join(tmpdir(), 'kantine-allergens-'))
    dirs.push(dir)
    const till = await openTill({ dataDir: dir, serverUrl: s.server.url, enrolmentCode: code.body.code, tillName: name, syncIntervalMs: 600_000 })
    tills.push(till)
    expect(await call(till, 'sync.now')).toMatchObject({ enrolled: true, lastError: null })
    expect(await call(till, 'staff.signIn', { pin: '1234' })).toMatchObject({ ok: true })
    return till
  }

  it('reaches the till at its next pull (and a new till by its snapshot); the sale needs the cashier’s confirmation, and the server takes it', async () => {
    const { f, token } = await anna()
    await s.db.query(`UPDATE products SET allergens = '{milk}' WHERE id = $1`, [f.products.cola.productId])
    const till = await enrolCore(f.locationId, 'Kasse allergener')
    expect(await call(till, 'card.lookup', { cardNumber: f.alice.card })).toMatchObject({ ok: true, card: { allergens: [] } })

    expect((await put(token, f.alice.accountId, { allergens: ['milk'] })).status).toBe(200)
    expect(await call(till, 'sync.now')).toMatchObject({ lastError: null })
    expect(await call(till, 'card.lookup', { cardNumber: f.alice.card })).toMatchObject({ ok: true, card: { allergens: ['milk'] } })

    const saleId = randomUUID()
    const lines = [{ productId: f.products.cola.productId, qty: 1 }]
    const refused = (await call(till, 'sale.record', { saleId, cardNumber: f.alice.card, lines })) as { reason: string; conflicts: unknown }
    expect(refused).toMatchObject({ ok: false, reason: 'allergen-confirm', conflicts: [{ productId: f.products.cola.productId, allergens: ['milk'] }] })
    expect(await call(till, 'sale.record', { saleId, cardNumber: f.alice.card, lines, allergensConfirmed: true, shownConflicts: refused.conflicts })).toMatchObject({ ok: true })
    expect(await call(till, 'sync.now')).toMatchObject({ lastError: null, pending: 0, rejected: 0 })
    const sold = await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM sales WHERE id = $1', [saleId])
    expect(sold.rows[0]!.n).toBe(1)

    const fresh = await enrolCore(f.locationId, 'Kasse ny')
    expect(await call(fresh, 'card.lookup', { cardNumber: f.alice.card })).toMatchObject({ ok: true, card: { allergens: ['milk'] } })
    expect(await call(fresh, 'card.lookup', { cardNumber: f.bob.card })).toMatchObject({ ok: true, card: { allergens: [] } })
  })
})
