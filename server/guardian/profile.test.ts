import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import sharp from 'sharp'
import { afterEach, describe, expect, it } from 'vitest'
import { AccountData } from '../../domain/sync'
import { openTill, type Till as CoreTill } from '../../electron/core/till'
import { api, pullAll, seedFixture, signInGuardian } from '../../test/support/server'
import { serverSuite } from '../../test/support/server-suite'

const s = serverSuite({ guardian: { identity: 'simulated' }, rateLimits: false })

async function anna() {
  const { f, till } = await s.canteen()
  const guardianId = f.data.guardians[0]!.id
  const token = await signInGuardian(s.server, guardianId)
  return { f, till, token, guardianId }
}

async function accountChanges(accountId: string) {
  const { rows } = await s.db.query<{ payload: unknown }>(`SELECT payload FROM changes WHERE entity = 'account' AND entity_id = $1 ORDER BY id`, [accountId])
  return rows.map((r) => AccountData.parse(r.payload))
}

async function noteOf(accountId: string) {
  const { rows } = await s.db.query<{ note: string | null }>('SELECT note FROM accounts WHERE id = $1', [accountId])
  return rows[0]!.note
}

async function auditActions(accountId: string) {
  const { rows } = await s.db.query<{ actor: string; action: string; details: Record<string, unknown> }>(
    `SELECT actor, action, details FROM audit_log WHERE entity = 'account' AND entity_id = $1 ORDER BY id`,
    [accountId],
  )
  return rows
}

describe('a guardian’s note to the canteen staff', () => {
  it('is stored trimmed, shown in the account, audited, and sent to tills in the account’s change row', async () => {
    const { f, till, token, guardianId } = await anna()
    const r = await api(s.server, 'PUT', `/guardian/accounts/${f.alice.accountId}/note`, { token, body: { note: '  Ingen nødder, tak  ' } })
    expect(r).toMatchObject({ status: 200, body: { id: f.alice.accountId, note: 'Ingen nødder, tak', balance: 10000 } })
    expect((await api(s.server, 'GET', '/guardian/accounts', { token })).body.accounts[0].note).toBe('Ingen nødder, tak')
    expect((await accountChanges(f.alice.accountId)).at(-1)).toMatchObject({ note: 'Ingen nødder, tak', balance: 10000 })
    expect(await auditActions(f.alice.accountId)).toContainEqual({ actor: `guardian:${guardianId}`, action: 'account.note', details: { note: 'Ingen nødder, tak' } })
    const pulled = await pullAll(s.server, till)
    const last = pulled.changes.filter((c) => c.entity === 'account' && c.id === f.alice.accountId).at(-1)
    expect(last && 'data' in last ? last.data : null).toMatchObject({ note: 'Ingen nødder, tak' })
  })

  it('is cleared by null or by an empty note, and 200 characters (æøå and all) are allowed', async () => {
    const { f, token } = await anna()
    const long = 'æ'.repeat(199) + '!'
    expect(await api(s.server, 'PUT', `/guardian/accounts/${f.alice.accountId}/note`, { token, body: { note: long } })).toMatchObject({ status: 200, body: { note: long } })
    expect(await api(s.server, 'PUT', `/guardian/accounts/${f.alice.accountId}/note`, { token, body: { note: '   ' } })).toMatchObject({ status: 200, body: { note: null } })
    expect(await noteOf(f.alice.accountId)).toBeNull()
    await api(s.server, 'PUT', `/guardian/accounts/${f.alice.accountId}/note`, { token, body: { note: 'Allergi: sesam' } })
    expect(await api(s.server, 'PUT', `/guardian/accounts/${f.alice.accountId}/note`, { token, body: { note: null } })).toMatchObject({ status: 200, body: { note: null } })
    expect((await accountChanges(f.alice.accountId)).at(-1)).toMatchObject({ note: null })
  })

  it('refuses a note too long, with a line break or a control character, and keeps the old one', async () => {
    const { f, token } = await anna()
    await api(s.server, 'PUT', `/guardian/accounts/${f.alice.accountId}/note`, { token, body: { note: 'Ingen nødder' } })
    const changesBefore = (await accountChanges(f.alice.accountId)).length
    const auditBefore = (await auditActions(f.alice.accountId)).length
    for (const note of ['x'.repeat(201), '😀'.repeat(101), 'Ingen\nnødder', 'Ingen\u0000nødder', 'tab\there', 'del\u007f']) {
      expect(await api(s.server, 'PUT', `/guardian/accounts/${f.alice.accountId}/note`, { token, body: { note } }), JSON.stringify(note)).toMatchObject({
        status: 400,
        body: { error: 'note-invalid' },
      })
    }
    for (const body of [{ note: 42 }, {}, { note: 'ok', extra: 1 }]) {
      expect(await api(s.server, 'PUT', `/guardian/accounts/${f.alice.accountId}/note`, { token, body })).toMatchObject({ status: 400, body: { error: 'bad-request' } })
    }
    expect(await noteOf(f.alice.accountId)).toBe('Ingen nødder')
    expect(await accountChanges(f.alice.accountId)).toHaveLength(changesBefore)
    expect(await auditActions(f.alice.accountId)).toHaveLength(auditBefore)
  })
})

describe('the note at the till', () => {
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

  it('reaches a real till at its next pull and shows when the card is scanned; a sale at the till keeps it', async () => {
    const { f, token } = await anna()
    const code = await api(s.server, 'POST', '/admin/enrolment-codes', { token: s.server.adminToken, body: { locationId: f.locationId } })
    expect(code.status).toBe(200)
    const dir = mkdtempSync(join(tmpdir(), 'kantine-note-'))
    dirs.push(dir)
    const till = await openTill({ dataDir: dir, serverUrl: s.server.url, enrolmentCode: code.body.code, tillName: 'Kasse note', syncIntervalMs: 600_000 })
    tills.push(till)
    expect(await call(till, 'sync.now')).toMatchObject({ enrolled: true, lastError: null })
    expect(await call(till, 'staff.signIn', { pin: '1234' })).toMatchObject({ ok: true })
    expect(await call(till, 'card.lookup', { cardNumber: f.alice.card })).toMatchObject({ ok: true, card: { holderName: 'Alice Andersen', note: null } })

    expect((await api(s.server, 'PUT', `/guardian/accounts/${f.alice.accountId}/note`, { token, body: { note: 'Må ikke købe slik' } })).status).toBe(200)
    expect(await call(till, 'sync.now')).toMatchObject({ lastError: null })
    expect(await call(till, 'card.lookup', { cardNumber: f.alice.card })).toMatchObject({ ok: true, card: { note: 'Må ikke købe slik' } })

    // The sale's own change row (the push) carries the account whole, the note with it.
    const sold = await call(till, 'sale.record', { saleId: randomUUID(), cardNumber: f.alice.card, lines: [{ productId: f.products.bun.productId, qty: 1 }] })
    expect(sold).toMatchObject({ ok: true, card: { note: 'Må ikke købe slik' } })
    expect(await call(till, 'sync.now')).toMatchObject({ lastError: null })
    expect((await accountChanges(f.alice.accountId)).at(-1)).toMatchObject({ balance: 8500, note: 'Må ikke købe slik' })
    expect(await call(till, 'card.lookup', { cardNumber: f.alice.card })).toMatchObject({ ok: true, card: { balance: 8500, note: 'Må ikke købe slik' } })

    // A till starting from a snapshot gets it too.
    const code2 = await api(s.server, 'POST', '/admin/enrolment-codes', { token: s.server.adminToken, body: { locationId: f.locationId } })
    const dir2 = mkdtempSync(join(tmpdir(), 'kantine-note-'))
    dirs.push(dir2)
    const fresh = await openTill({ dataDir: dir2, serverUrl: s.server.url, enrolmentCode: code2.body.code, tillName: 'Kasse ny', syncIntervalMs: 600_000 })
    tills.push(fresh)
    expect(await call(fresh, 'sync.now')).toMatchObject({ enrolled: true, lastError: null })
    await call(fresh, 'staff.signIn', { pin: '1234' })
    expect(await call(fresh, 'card.lookup', { cardNumber: f.alice.card })).toMatchObject({ ok: true, card: { note: 'Må ikke købe slik' } })
    expect(await call(fresh, 'card.lookup', { cardNumber: f.bob.card })).toMatchObject({ ok: true, card: { note: null } })
  })
})

describe('a guardian unlinks an account', () => {
  it('removes only this guardian’s link: the account, its money and another guardian’s link stay', async () => {
    const { f, token, guardianId } = await anna()
    const bent = `${guardianId}-bent`
    await s.db.query(`INSERT INTO guardians (id, municipality_id, name, email) VALUES ($1, $2, 'Bent Andersen', 'bent@example.dk')`, [bent, f.municipalityId])
    await s.db.query('INSERT INTO guardian_accounts (guardian_id, account_id) VALUES ($1, $2)', [bent, f.alice.accountId])
    const changesBefore = (await accountChanges(f.alice.accountId)).length

    const r = await api(s.server, 'DELETE', `/guardian/accounts/${f.alice.accountId}`, { token })
    expect(r).toEqual({ status: 204, body: null })
    expect((await api(s.server, 'GET', '/guardian/accounts', { token })).body).toEqual({ accounts: [] })
    expect(await api(s.server, 'GET', `/guardian/accounts/${f.alice.accountId}`, { token })).toMatchObject({ status: 404, body: { error: 'account-unknown' } })
    // Gone for her: a second unlink is an unknown account.
    expect(await api(s.server, 'DELETE', `/guardian/accounts/${f.alice.accountId}`, { token })).toMatchObject({ status: 404, body: { error: 'account-unknown' } })

    const links = await s.db.query<{ guardian_id: string }>('SELECT guardian_id FROM guardian_accounts WHERE account_id = $1', [f.alice.accountId])
    expect(links.rows).toEqual([{ guardian_id: bent }])
    const account = await s.db.query<{ balance: number; status: string }>('SELECT balance, status FROM accounts WHERE id = $1', [f.alice.accountId])
    expect(account.rows[0]).toEqual({ balance: 10000, status: 'active' })
    expect(await accountChanges(f.alice.accountId)).toHaveLength(changesBefore)
    expect(await auditActions(f.alice.accountId)).toContainEqual({ actor: `guardian:${guardianId}`, action: 'guardian.account-unlink', details: {} })

    // Linking again takes the CPR number and a card number, as the first time.
    expect((await api(s.server, 'POST', '/guardian/accounts', { token, body: { cpr: '0101101234', cardNumber: f.alice.card } })).status).toBe(200)
    expect((await api(s.server, 'GET', '/guardian/accounts', { token })).body.accounts.map((a: { id: string }) => a.id)).toEqual([f.alice.accountId])
  })
})

describe('the catalogue a guardian chooses permissions and places from', () => {
  it('lists the municipality’s own categories (tills’ order) and canteens (by name), no other municipality’s', async () => {
    const { token } = await anna()
    const other = await seedFixture(s.db, s.clock)
    await s.db.query(`INSERT INTO categories (id, municipality_id, name, sort) VALUES ($1, $2, 'Frugt', 0)`, [`cat-fruit-${other.municipalityId}`, other.municipalityId])
    const r = await api(s.server, 'GET', '/guardian/catalog', { token })
    expect(r.status).toBe(200)
    expect(r.body.categories.map((c: { name: string }) => c.name)).toEqual(['Mad', 'Slik'])
    expect(r.body.locations.map((l: { name: string }) => l.name)).toEqual(['Kantine A', 'Kantine B'])
    expect(r.body.categories[0]).toEqual({ id: expect.stringMatching(/^cat-food-/), name: 'Mad' })
    const ids = [...r.body.categories, ...r.body.locations].map((x: { id: string }) => x.id)
    for (const id of ids) expect(id.endsWith(other.municipalityId.slice(2))).toBe(false)
  })

  it('needs a session', async () => {
    expect(await api(s.server, 'GET', '/guardian/catalog', { token: 'not-a-session' })).toMatchObject({ status: 401, body: { error: 'unauthorized' } })
  })
})

describe('every route of statement, photo, note and unlink on an account that is not the guardian’s', () => {
  /** A valid photo: a foreign account must be refused as such, not for its image. */
  const squarePng = async () =>
    (await sharp({ create: { width: 200, height: 200, channels: 3, background: { r: 9, g: 99, b: 199 } } }).png().toBuffer()).toString('base64')
  const routes = (id: string, image: string) => [
    { method: 'GET', path: `/guardian/accounts/${id}/statement?from=2026-11-01&to=2026-11-30` },
    // A bad period too: the account is checked first, so nothing about it is learnt from the answer.
    { method: 'GET', path: `/guardian/accounts/${id}/statement?from=2026-12-01&to=2026-11-01` },
    { method: 'PUT', path: `/guardian/accounts/${id}/photo`, body: { image } },
    { method: 'PUT', path: `/guardian/accounts/${id}/photo`, body: { image: 'bm90IGFuIGltYWdl' } },
    { method: 'DELETE', path: `/guardian/accounts/${id}/photo` },
    { method: 'GET', path: `/guardian/accounts/${id}/photo` },
    { method: 'PUT', path: `/guardian/accounts/${id}/note`, body: { note: 'Ingen nødder' } },
    { method: 'DELETE', path: `/guardian/accounts/${id}` },
  ]

  it('answers Bob’s (his father’s), another town’s and a missing account alike with account-unknown, and changes nothing', async () => {
    const { f, token } = await anna()
    const other = await seedFixture(s.db, s.clock)
    const bent = `${f.data.guardians[0]!.id}-bent`
    await s.db.query(`INSERT INTO guardians (id, municipality_id, name, email) VALUES ($1, $2, 'Bent Bertelsen', 'bent@example.dk')`, [bent, f.municipalityId])
    await s.db.query('INSERT INTO guardian_accounts (guardian_id, account_id) VALUES ($1, $2)', [bent, f.bob.accountId])
    const ids = [f.bob.accountId, other.alice.accountId, other.bob.accountId]
    const state = async () =>
      (
        await s.db.query(
          `SELECT a.id, a.note, a.balance, h.photo, (SELECT count(*)::int FROM changes c WHERE c.entity = 'account' AND c.entity_id = a.id) AS changes,
                  (SELECT count(*)::int FROM audit_log l WHERE l.entity_id = a.id) AS audit,
                  (SELECT array_agg(guardian_id ORDER BY guardian_id) FROM guardian_accounts ga WHERE ga.account_id = a.id) AS guardians
             FROM accounts a JOIN holders h ON h.id = a.holder_id WHERE a.id = ANY($1::text[]) ORDER BY a.id`,
          [ids],
        )
      ).rows
    const before = await state()
    const image = await squarePng()
    for (const id of [...ids, 'acc-does-not-exist']) {
      for (const route of routes(id, image)) {
        expect(await api(s.server, route.method, route.path, { token, body: route.body }), `${route.method} ${route.path}`).toEqual({
          status: 404,
          body: { error: 'account-unknown', message: 'no such account among yours' },
        })
      }
    }
    expect(await state()).toEqual(before)
  })

  it('refuses every one of them without a session', async () => {
    const { f } = await anna()
    for (const route of routes(f.alice.accountId, 'x')) {
      expect(await api(s.server, route.method, route.path, { token: 'not-a-session', body: route.body }), route.path).toMatchObject({ status: 401, body: { error: 'unauthorized' } })
    }
    expect(await noteOf(f.alice.accountId)).toBeNull()
  })
})
