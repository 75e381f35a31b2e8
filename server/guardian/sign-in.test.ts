import { describe, expect, it } from 'vitest'
import { startServer } from '../app'
import { SESSION_TTL_MS } from './session'
import { api, approveOnPhone, pollKiosk, signInGuardian, startKioskSignIn } from '../../test/support/server'
import { serverSuite } from '../../test/support/server-suite'

const s = serverSuite({ guardian: { identity: 'simulated' }, rateLimits: false })

describe('a parent signs in at the kiosk with their phone (device authorization, RFC 8628)', () => {
  it('the kiosk shows a short code and a URL; the parent approves on the phone; the kiosk gets a session', async () => {
    const { f } = await s.canteen()
    const guardianId = f.data.guardians[0]!.id
    const grant = await startKioskSignIn(s.server)
    expect(grant.user_code).toMatch(/^[A-Z]{4}-[A-Z]{4}$/)
    expect(grant.verification_uri).toBe(`${s.server.url}/guardian/verify`)
    expect(grant.verification_uri_complete).toBe(`${s.server.url}/guardian/verify?user_code=${grant.user_code}`)
    expect(grant).toMatchObject({ expires_in: 600, interval: 5 })

    const pending = await pollKiosk(s.server, grant.device_code)
    expect(pending).toMatchObject({ status: 400, body: { error: 'authorization_pending' } })

    // The phone types the code in lower case without its dash.
    const approved = await approveOnPhone(s.server, grant.user_code.replace('-', '').toLowerCase(), guardianId)
    expect(approved).toMatchObject({ status: 200, body: { status: 'approved', guardianName: 'Anna Andersen' } })

    s.clock.advance(5_000)
    const token = await pollKiosk(s.server, grant.device_code)
    expect(token.status).toBe(200)
    expect(token.body).toMatchObject({ token_type: 'Bearer', expires_in: 900, guardian: { id: guardianId, name: 'Anna Andersen' } })
    const accounts = await api(s.server, 'GET', '/guardian/accounts', { token: token.body.access_token })
    expect(accounts.status).toBe(200)
    expect(accounts.body.accounts.map((a: { id: string }) => a.id)).toEqual([f.alice.accountId])

    // The grant is used up: a second poll (a replayed device code) gets nothing.
    s.clock.advance(5_000)
    expect(await pollKiosk(s.server, grant.device_code)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
  })

  it('tells a kiosk that polls faster than the interval to slow down, and lengthens the interval', async () => {
    const grant = await startKioskSignIn(s.server)
    expect((await pollKiosk(s.server, grant.device_code)).body.error).toBe('authorization_pending')
    s.clock.advance(1_000)
    expect((await pollKiosk(s.server, grant.device_code)).body.error).toBe('slow_down')
    // Now 10 s: 6 s later is still too soon.
    s.clock.advance(6_000)
    expect((await pollKiosk(s.server, grant.device_code)).body.error).toBe('slow_down')
    s.clock.advance(15_000)
    expect((await pollKiosk(s.server, grant.device_code)).body.error).toBe('authorization_pending')
  })

  it('answers expired_token once the code has run out, and the phone can no longer open it', async () => {
    const { f } = await s.canteen()
    const grant = await startKioskSignIn(s.server)
    s.clock.advance(10 * 60_000)
    expect((await pollKiosk(s.server, grant.device_code)).body.error).toBe('expired_token')
    expect(await approveOnPhone(s.server, grant.user_code, f.data.guardians[0]!.id)).toMatchObject({ status: 404, body: { error: 'code-unknown' } })
  })

  it('answers access_denied when the parent declines on the phone', async () => {
    const grant = await startKioskSignIn(s.server)
    expect(await approveOnPhone(s.server, grant.user_code, { deny: true })).toMatchObject({ status: 200, body: { status: 'denied' } })
    expect((await pollKiosk(s.server, grant.device_code)).body.error).toBe('access_denied')
  })

  it('refuses someone the identity provider knows but who is no guardian, and a made-up user code', async () => {
    const grant = await startKioskSignIn(s.server)
    expect(await approveOnPhone(s.server, grant.user_code, 'g-nobody')).toMatchObject({ status: 403, body: { error: 'guardian-unknown' } })
    expect((await pollKiosk(s.server, grant.device_code)).body.error).toBe('authorization_pending')
    expect(await approveOnPhone(s.server, 'ZZZZ-ZZZZ', 'g-nobody')).toMatchObject({ status: 404, body: { error: 'code-unknown' } })
  })

  it('keeps only hashes of the device code and the session token', async () => {
    const { f } = await s.canteen()
    const grant = await startKioskSignIn(s.server)
    await approveOnPhone(s.server, grant.user_code, f.data.guardians[0]!.id)
    s.clock.advance(5_000)
    const token = (await pollKiosk(s.server, grant.device_code)).body.access_token as string
    const dump = await s.db.query<{ t: string }>(
      `SELECT (SELECT string_agg(g::text, ' ') FROM guardian_device_grants g) || (SELECT string_agg(x::text, ' ') FROM guardian_sessions x) AS t`,
    )
    expect(dump.rows[0]!.t).not.toContain(grant.device_code)
    expect(dump.rows[0]!.t).not.toContain(token)
  })

  it('keeps a session alive while it is used (15 minutes sliding), ends it after 15 idle minutes, and at sign-out', async () => {
    const { f } = await s.canteen()
    const token = await signInGuardian(s.server, f.data.guardians[0]!.id)
    for (let i = 0; i < 3; i++) {
      s.clock.advance(SESSION_TTL_MS - 60_000)
      expect((await api(s.server, 'GET', '/guardian/accounts', { token })).status).toBe(200)
    }
    s.clock.advance(SESSION_TTL_MS)
    expect(await api(s.server, 'GET', '/guardian/accounts', { token })).toMatchObject({ status: 401, body: { error: 'unauthorized' } })

    const again = await signInGuardian(s.server, f.data.guardians[0]!.id)
    expect((await api(s.server, 'DELETE', '/guardian/session', { token: again })).status).toBe(204)
    expect((await api(s.server, 'GET', '/guardian/accounts', { token: again })).status).toBe(401)
    expect((await api(s.server, 'GET', '/guardian/accounts')).status).toBe(401)
  })

  it('offers no sign-in on a server without an identity provider (the default)', async () => {
    const off = await startServer({ db: s.db, clock: s.clock, rateLimits: false })
    try {
      expect(await api(off, 'POST', '/guardian/device', { body: {} })).toMatchObject({ status: 503, body: { error: 'identity-off' } })
      expect((await api(off, 'POST', '/guardian/simulated-idp/authorize', { body: { state: 'x', deny: true } })).status).toBe(404)
    } finally {
      await off.close()
    }
  })
})

describe('the audit log of a sign-in', () => {
  it('records who signed in, under the guardian’s name', async () => {
    const { f } = await s.canteen()
    const guardianId = f.data.guardians[0]!.id
    await signInGuardian(s.server, guardianId)
    const { rows } = await s.db.query<{ municipality_id: string; action: string }>(`SELECT municipality_id, action FROM audit_log WHERE actor = $1`, [`guardian:${guardianId}`])
    expect(rows).toEqual([{ municipality_id: f.municipalityId, action: 'guardian.sign-in' }])
  })
})

describe('the phone’s pages, in Danish and English', () => {
  const html = { accept: 'text/html' }
  const get = (path: string) => fetch(s.server.url + path, { headers: html, redirect: 'manual' })

  it('asks for the code, sends the phone to the sign-in, lets the parent pick a demo guardian and confirms', async () => {
    const { f } = await s.canteen()
    const guardianId = f.data.guardians[0]!.id
    const grant = await startKioskSignIn(s.server)

    const ask = await get('/guardian/verify')
    expect(ask.status).toBe(200)
    expect(ask.headers.get('content-security-policy')).toContain("default-src 'none'")
    const askPage = await ask.text()
    expect(askPage).toContain('Koden fra kiosken')
    expect(askPage).toContain('The code shown at the kiosk')

    const wrong = await get('/guardian/verify?user_code=ZZZZ-ZZZZ')
    expect(wrong.status).toBe(404)
    expect(await wrong.text()).toContain('Unknown or expired code')

    const toIdp = await get(`/guardian/verify?user_code=${grant.user_code}`)
    expect(toIdp.status).toBe(302)
    const idpPage = await get(toIdp.headers.get('location')!)
    const page = await idpPage.text()
    expect(page).toContain('SIMULERET MitID')
    expect(page).toContain('Anna Andersen')
    const field = (name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(page)![1]!
    const posted = await fetch(s.server.url + '/guardian/simulated-idp/authorize', {
      method: 'POST',
      headers: { ...html, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ state: field('state'), nonce: field('nonce'), guardianId }).toString(),
      redirect: 'manual',
    })
    expect(posted.status).toBe(303)
    const done = await get(new URL(posted.headers.get('location')!).pathname + new URL(posted.headers.get('location')!).search)
    expect(done.status).toBe(200)
    expect(await done.text()).toContain('Gå tilbage til kiosken')

    s.clock.advance(5_000)
    expect((await pollKiosk(s.server, grant.device_code)).status).toBe(200)
  })
})
