import { describe, expect, it } from 'vitest'
import { serverSuite, type ServerSuite } from '../../test/support/server-suite'
import { api, signInGuardian, type Fixture } from '../../test/support/server'
import { SIGN_IN_REFUSED } from './pin-routes'

async function enrolKiosk(s: ServerSuite, locationId: string): Promise<{ token: string; terminalId: string }> {
  const code = await api(s.server, 'POST', '/admin/enrolment-codes', { token: s.server.adminToken, body: { locationId, kind: 'kiosk' } })
  const r = await api(s.server, 'POST', '/enrol', { body: { code: code.body.code, name: 'Kiosk 1', kind: 'kiosk' } })
  expect(r.status).toBe(200)
  return r.body
}

/** POST /guardian/pin-session as a kiosk would send it (`kiosk`: its device token; null: no header). */
async function pinSession(s: ServerSuite, kiosk: string | null, body: unknown) {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (kiosk !== null) headers['kantine-kiosk'] = kiosk
  const r = await fetch(`${s.server.url}/guardian/pin-session`, { method: 'POST', headers, body: JSON.stringify(body) })
  return { status: r.status, body: (await r.json()) as any, retryAfter: r.headers.get('retry-after') } // eslint-disable-line @typescript-eslint/no-explicit-any
}

const count = async (s: ServerSuite, sql: string, params: unknown[] = []) => (await s.db.query<{ n: number }>(sql, params)).rows[0]!.n

describe('a guardian chooses a kiosk PIN', () => {
  const s = serverSuite({ guardian: { identity: 'simulated' }, rateLimits: false })

  it('GET /guardian/me says whether they have one; PUT /guardian/pin sets it, kept only as a hash, audited', async () => {
    const { f } = await s.canteen()
    const guardianId = f.data.guardians[0]!.id
    const token = await signInGuardian(s.server, guardianId)
    expect(await api(s.server, 'GET', '/guardian/me', { token })).toEqual({ status: 200, body: { id: guardianId, name: 'Anna Andersen', hasPin: false } })

    expect(await api(s.server, 'PUT', '/guardian/pin', { token, body: { pin: '2468' } })).toEqual({ status: 204, body: null })
    expect((await api(s.server, 'GET', '/guardian/me', { token })).body).toMatchObject({ hasPin: true })
    const { rows } = await s.db.query<{ pin_hash: string }>('SELECT pin_hash FROM guardians WHERE id = $1', [guardianId])
    expect(rows[0]!.pin_hash).toMatch(/^scrypt\$/)
    expect(rows[0]!.pin_hash).not.toContain('2468')

    // Changing it is audited as a change.
    expect((await api(s.server, 'PUT', '/guardian/pin', { token, body: { pin: '13572468' } })).status).toBe(204)
    const audit = await s.db.query<{ action: string; actor: string }>(`SELECT action, actor FROM audit_log WHERE entity = 'guardian' AND entity_id = $1 ORDER BY id`, [guardianId])
    expect(audit.rows).toEqual([
      { action: 'guardian.pin-set', actor: `guardian:${guardianId}` },
      { action: 'guardian.pin-changed', actor: `guardian:${guardianId}` },
    ])
  })

  it('refuses a PIN that is not 4 to 8 digits, and keeps the one it had', async () => {
    const { f } = await s.canteen()
    const guardianId = f.data.guardians[0]!.id
    const token = await signInGuardian(s.server, guardianId)
    expect((await api(s.server, 'PUT', '/guardian/pin', { token, body: { pin: '2468' } })).status).toBe(204)
    const before = (await s.db.query<{ pin_hash: string }>('SELECT pin_hash FROM guardians WHERE id = $1', [guardianId])).rows[0]!.pin_hash
    for (const pin of ['123', '123456789', 'abcd', '12 34', '١٢٣٤', '']) {
      expect(await api(s.server, 'PUT', '/guardian/pin', { token, body: { pin } })).toMatchObject({ status: 400, body: { error: 'pin-invalid' } })
    }
    for (const body of [{ pin: 2468 }, { pin: '2468', guardianId: 'g-other' }, {}]) {
      expect(await api(s.server, 'PUT', '/guardian/pin', { token, body })).toMatchObject({ status: 400, body: { error: 'bad-request' } })
    }
    expect((await s.db.query<{ pin_hash: string }>('SELECT pin_hash FROM guardians WHERE id = $1', [guardianId])).rows[0]!.pin_hash).toBe(before)
  })

  it('needs a guardian session for both', async () => {
    expect(await api(s.server, 'GET', '/guardian/me')).toMatchObject({ status: 401 })
    expect(await api(s.server, 'PUT', '/guardian/pin', { body: { pin: '2468' } })).toMatchObject({ status: 401 })
  })
})

describe('a guardian signs in at a kiosk with the child’s card and their PIN', () => {
  const s = serverSuite({ guardian: { identity: 'simulated' }, rateLimits: false })

  /** A canteen, a kiosk at it, Anna (Alice's guardian) with PIN 2468, and Bent (Bob's guardian) with none. */
  async function setUp(): Promise<{ f: Fixture; kiosk: string; anna: string; bent: string }> {
    const { f } = await s.canteen()
    const anna = f.data.guardians[0]!.id
    const bent = anna.replace('g-', 'g-bent-')
    await s.db.query(`INSERT INTO guardians (id, municipality_id, name, email) VALUES ($1, $2, 'Bent Bertelsen', 'bent@example.dk')`, [bent, f.municipalityId])
    await s.db.query('INSERT INTO guardian_accounts (guardian_id, account_id) VALUES ($1, $2)', [bent, f.bob.accountId])
    const token = await signInGuardian(s.server, anna)
    expect((await api(s.server, 'PUT', '/guardian/pin', { token, body: { pin: '2468' } })).status).toBe(204)
    return { f, kiosk: (await enrolKiosk(s, f.locationId)).token, anna, bent }
  }

  it('gets the same session as the MitID sign-in, for the accounts the guardian manages', async () => {
    const { f, kiosk, anna } = await setUp()
    const r = await pinSession(s, kiosk, { cardNumber: f.alice.card.toLowerCase(), pin: '2468' })
    expect(r.status).toBe(200)
    expect(r.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900, guardian: { id: anna, name: 'Anna Andersen' } })
    const accounts = await api(s.server, 'GET', '/guardian/accounts', { token: r.body.access_token })
    expect(accounts.body.accounts.map((a: { id: string }) => a.id)).toEqual([f.alice.accountId])
    const audit = await s.db.query<{ details: { method: string } }>(`SELECT details FROM audit_log WHERE actor = $1 AND action = 'guardian.sign-in' ORDER BY id DESC LIMIT 1`, [`guardian:${anna}`])
    expect(audit.rows[0]!.details).toMatchObject({ method: 'pin' })
  })

  it('refuses alike an unknown card, a wrong PIN, a guardian without a PIN and a replaced card: no session, nothing learnt', async () => {
    const { f, kiosk } = await setUp()
    const sessionsBefore = await count(s, 'SELECT count(*)::int AS n FROM guardian_sessions')
    const tries = [
      { cardNumber: 'NOSUCH0001', pin: '2468' }, // unknown card
      { cardNumber: f.alice.card, pin: '2469' }, // wrong PIN
      { cardNumber: f.bob.card, pin: '2468' }, // Bob's guardian chose no PIN
      { cardNumber: f.alice.oldCard, pin: '2468' }, // the right PIN on a replaced card
      { cardNumber: '!!', pin: '2468' }, // not a card number at all
      { cardNumber: f.alice.card, pin: 'x' }, // not a PIN at all
    ]
    const answers = []
    for (const body of tries) answers.push(await pinSession(s, kiosk, body))
    for (const a of answers) expect(a).toEqual({ status: 401, body: { error: 'sign-in-refused', message: SIGN_IN_REFUSED }, retryAfter: null })
    expect(await count(s, 'SELECT count(*)::int AS n FROM guardian_sessions')).toBe(sessionsBefore)
  })

  it('refuses a card of another municipality’s kiosk like an unknown one', async () => {
    const { f } = await setUp()
    const other = await s.canteen()
    const foreignKiosk = (await enrolKiosk(s, other.f.locationId)).token
    expect(await pinSession(s, foreignKiosk, { cardNumber: f.alice.card, pin: '2468' })).toMatchObject({ status: 401, body: { error: 'sign-in-refused' } })
  })

  it('locks a card number after three failures, for longer each time (30 s, 60 s, ...), the right PIN included; a success resets it', async () => {
    const { f, kiosk } = await setUp()
    const wrong = { cardNumber: f.alice.card, pin: '0000' }
    const right = { cardNumber: f.alice.card, pin: '2468' }
    expect((await pinSession(s, kiosk, wrong)).status).toBe(401)
    expect((await pinSession(s, kiosk, wrong)).status).toBe(401)
    expect(await pinSession(s, kiosk, wrong)).toMatchObject({ status: 429, body: { error: 'locked', retryAfterSeconds: 30 }, retryAfter: '30' })
    // Locked: even the right PIN is not tried, and no session starts.
    const sessions = await count(s, 'SELECT count(*)::int AS n FROM guardian_sessions')
    s.clock.advance(10_000)
    expect(await pinSession(s, kiosk, right)).toMatchObject({ status: 429, body: { error: 'locked', retryAfterSeconds: 20 } })
    expect(await count(s, 'SELECT count(*)::int AS n FROM guardian_sessions')).toBe(sessions)
    // The same card number typed otherwise is the same card.
    expect(await pinSession(s, kiosk, { cardNumber: ` ${f.alice.card.toLowerCase()} `, pin: '2468' })).toMatchObject({ status: 429 })

    s.clock.advance(20_000)
    expect(await pinSession(s, kiosk, wrong)).toMatchObject({ status: 429, body: { retryAfterSeconds: 60 } })
    s.clock.advance(60_000)
    expect(await pinSession(s, kiosk, wrong)).toMatchObject({ status: 429, body: { retryAfterSeconds: 120 } })
    s.clock.advance(120_000)
    expect((await pinSession(s, kiosk, right)).status).toBe(200)
    // Reset: the next slip is a plain refusal again.
    expect((await pinSession(s, kiosk, wrong)).status).toBe(401)
  })

  it('forgets failures a day old: two slips yesterday and one today are no lock', async () => {
    const { f, kiosk } = await setUp()
    const wrong = { cardNumber: f.alice.card, pin: '0000' }
    expect((await pinSession(s, kiosk, wrong)).status).toBe(401)
    expect((await pinSession(s, kiosk, wrong)).status).toBe(401)
    s.clock.advance(24 * 60 * 60_000)
    expect((await pinSession(s, kiosk, wrong)).status).toBe(401)
    expect((await pinSession(s, kiosk, wrong)).status).toBe(401)
    expect(await pinSession(s, kiosk, wrong)).toMatchObject({ status: 429, body: { retryAfterSeconds: 30 } })
  })

  it('caps the lock at an hour', async () => {
    const { f, kiosk } = await setUp()
    const wrong = { cardNumber: f.alice.card, pin: '0000' }
    let last = 0
    for (let i = 0; i < 12; i++) {
      const r = await pinSession(s, kiosk, wrong)
      if (r.status === 429) {
        last = r.body.retryAfterSeconds
        s.clock.advance(last * 1000)
      }
    }
    expect(last).toBe(3600)
  })

  it('locks an unknown card number too (guessing which cards exist costs the same)', async () => {
    const { kiosk } = await setUp()
    const body = { cardNumber: 'NOSUCH0002', pin: '1234' }
    expect((await pinSession(s, kiosk, body)).status).toBe(401)
    expect((await pinSession(s, kiosk, body)).status).toBe(401)
    expect(await pinSession(s, kiosk, body)).toMatchObject({ status: 429, body: { error: 'locked', retryAfterSeconds: 30 } })
  })

  it('counts parallel guesses one by one: they cannot all slip past the count', async () => {
    const { f, kiosk } = await setUp()
    const guesses = await Promise.all(['1111', '2222', '3333', '4444', '5555', '6666'].map((pin) => pinSession(s, kiosk, { cardNumber: f.alice.card, pin })))
    expect(guesses.map((g) => g.status).sort()).toEqual([401, 401, 429, 429, 429, 429])
  })

  it('answers only a kiosk: no header, a till’s token, a made-up or a revoked kiosk’s token → 401 kiosk-required, and nothing is counted', async () => {
    const { f, kiosk } = await setUp()
    const { till } = await s.canteen()
    const revoked = await enrolKiosk(s, f.locationId)
    expect((await api(s.server, 'POST', `/admin/terminals/${revoked.terminalId}/revoke`, { token: s.server.adminToken })).status).toBe(200)
    const failuresBefore = await count(s, 'SELECT count(*)::int AS n FROM guardian_pin_failures')
    for (const header of [null, till.token, 'made-up-token', revoked.token, '']) {
      const r = await pinSession(s, header, { cardNumber: f.alice.card, pin: '2468' })
      expect(r).toMatchObject({ status: 401, body: { error: 'kiosk-required' } })
      expect(r.body.access_token).toBeUndefined()
    }
    expect(await count(s, 'SELECT count(*)::int AS n FROM guardian_pin_failures')).toBe(failuresBefore)
    // The kiosk itself still gets in.
    expect((await pinSession(s, kiosk, { cardNumber: f.alice.card, pin: '2468' })).status).toBe(200)
  })
})

describe('someone hammering the PIN sign-in from one address', () => {
  const s = serverSuite({ guardian: { identity: 'simulated', rateLimits: { pin: 3 } } })

  it('is slowed down by the rate limit across card numbers', async () => {
    const { f } = await s.canteen()
    const kiosk = (await enrolKiosk(s, f.locationId)).token
    const answers = []
    for (const card of ['GUESS0001', 'GUESS0002', 'GUESS0003', 'GUESS0004']) answers.push(await pinSession(s, kiosk, { cardNumber: card, pin: '1234' }))
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 429])
    expect(answers[3]!.body.error).toBe('rate-limited')
    // The fourth card number was never tried: nothing counted for it.
    expect(await count(s, 'SELECT count(*)::int AS n FROM guardian_pin_failures')).toBe(3)
  })
})
