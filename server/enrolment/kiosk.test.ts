import { describe, expect, it } from 'vitest'
import { EnrolResponse, PROTOCOL_VERSION, SCHEMA_VERSION } from '../../domain/sync'
import { serverSuite } from '../../test/support/server-suite'
import { api, approveOnPhone, connectLive, pushAs, sale, type Till } from '../../test/support/server'

const s = serverSuite({ guardian: { identity: 'simulated' }, rateLimits: false })

async function kioskCode(locationId: string) {
  const r = await api(s.server, 'POST', '/admin/enrolment-codes', { token: s.server.adminToken, body: { locationId, kind: 'kiosk' } })
  expect(r).toMatchObject({ status: 200, body: { kind: 'kiosk' } })
  return r.body.code as string
}

async function enrolKiosk(locationId: string, name = 'Kiosk ved hovedindgangen'): Promise<Till> {
  const r = await api(s.server, 'POST', '/enrol', { body: { code: await kioskCode(locationId), name, kind: 'kiosk' } })
  expect(r.status).toBe(200)
  return EnrolResponse.parse(r.body)
}

const versions = `protocol=${PROTOCOL_VERSION}&schema=${SCHEMA_VERSION}`

describe('a parent kiosk is a terminal of its own kind', () => {
  it('enrols with a kiosk code and is told it is a kiosk (and its canteen’s name)', async () => {
    const { f } = await s.canteen()
    const r = await api(s.server, 'POST', '/enrol', { body: { code: await kioskCode(f.locationId), name: 'Kiosk 1', kind: 'kiosk' } })
    expect(r).toMatchObject({ status: 200, body: { kind: 'kiosk', locationId: f.locationId, locationName: 'Kantine A' } })
    const { rows } = await s.db.query<{ kind: string }>('SELECT kind FROM terminals WHERE id = $1', [r.body.terminalId])
    expect(rows[0]?.kind).toBe('kiosk')
  })

  it('a till code still makes a till, also for a till that does not say its kind', async () => {
    const { till } = await s.canteen()
    const { rows } = await s.db.query<{ kind: string }>('SELECT kind FROM terminals WHERE id = $1', [till.terminalId])
    expect(rows[0]?.kind).toBe('till')
  })

  it('refuses a kiosk started with a till’s code, and the reverse, without spending the code', async () => {
    const { f } = await s.canteen()
    const tillCode = (await api(s.server, 'POST', '/admin/enrolment-codes', { token: s.server.adminToken, body: { locationId: f.locationId } })).body.code as string
    const terminalsBefore = (await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM terminals')).rows[0]!.n
    expect(await api(s.server, 'POST', '/enrol', { body: { code: tillCode, name: 'Kiosk?', kind: 'kiosk' } })).toMatchObject({ status: 409, body: { error: 'kind-mismatch' } })
    const code = await kioskCode(f.locationId)
    expect(await api(s.server, 'POST', '/enrol', { body: { code, name: 'Kasse?', kind: 'till' } })).toMatchObject({ status: 409, body: { error: 'kind-mismatch' } })
    expect((await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM terminals')).rows[0]!.n).toBe(terminalsBefore)
    // Both codes still work for the right kind.
    expect((await api(s.server, 'POST', '/enrol', { body: { code: tillCode, name: 'Kasse 2', kind: 'till' } })).status).toBe(200)
    expect((await api(s.server, 'POST', '/enrol', { body: { code, name: 'Kiosk 2', kind: 'kiosk' } })).status).toBe(200)
  })

  it('refuses an enrolment code of an unknown kind', async () => {
    const { f } = await s.canteen()
    const r = await api(s.server, 'POST', '/admin/enrolment-codes', { token: s.server.adminToken, body: { locationId: f.locationId, kind: 'toaster' } })
    expect(r).toMatchObject({ status: 400, body: { error: 'bad-request' } })
  })

  it('pushes no sales and pulls no pupil data: every sync route refuses a kiosk and nothing is applied', async () => {
    const { f } = await s.canteen()
    const kiosk = await enrolKiosk(f.locationId)
    const balance = async () => (await s.db.query<{ balance: number }>('SELECT balance FROM accounts WHERE id = $1', [f.alice.accountId])).rows[0]!.balance
    const before = await balance()
    const salesBefore = (await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM sales')).rows[0]!.n

    expect(await pushAs(s.server, kiosk, [sale(f, 1)])).toMatchObject({ status: 403, body: { error: 'kiosk-terminal' } })
    expect(await api(s.server, 'GET', `/sync/pull?cursor=0:0&${versions}`, { token: kiosk.token })).toMatchObject({ status: 403, body: { error: 'kiosk-terminal' } })
    expect(await api(s.server, 'GET', `/sync/snapshot?${versions}`, { token: kiosk.token })).toMatchObject({ status: 403, body: { error: 'kiosk-terminal' } })
    const photoId = (await s.db.query<{ photo_id: string }>('SELECT h.photo_id FROM holders h JOIN accounts a ON a.holder_id = h.id WHERE a.id = $1', [f.bob.accountId])).rows[0]!.photo_id
    expect(await api(s.server, 'GET', `/sync/photos/${photoId}?${versions}`, { token: kiosk.token })).toMatchObject({ status: 403, body: { error: 'kiosk-terminal' } })
    await expect(connectLive(s.server, kiosk.token)).rejects.toThrow('HTTP 403')

    expect(await balance()).toBe(before)
    expect((await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM sales')).rows[0]!.n).toBe(salesBefore)
    const { rows } = await s.db.query<{ last_applied_seq: string }>('SELECT last_applied_seq FROM terminals WHERE id = $1', [kiosk.terminalId])
    expect(Number(rows[0]!.last_applied_seq)).toBe(0)
  })
})

describe('the phone names the kiosk it signs in at', () => {
  async function deviceAs(kioskToken: string | null) {
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (kioskToken) headers['kantine-kiosk'] = kioskToken
    const r = await fetch(`${s.server.url}/guardian/device`, { method: 'POST', headers, body: '{}' })
    expect(r.status).toBe(200)
    return (await r.json()) as { user_code: string; device_code: string }
  }

  it('GET /guardian/verify answers the kiosk’s name and canteen; the HTML page says them before the sign-in', async () => {
    const { f } = await s.canteen()
    const kiosk = await enrolKiosk(f.locationId, 'Kiosk i aulaen')
    const grant = await deviceAs(kiosk.token)
    const verify = await api(s.server, 'GET', `/guardian/verify?user_code=${grant.user_code}`)
    expect(verify).toMatchObject({ status: 200, body: { kiosk: { name: 'Kiosk i aulaen', location: 'Kantine A' } } })
    expect(verify.body.authorizationUrl).toContain('/guardian/simulated-idp/authorize')

    const page = await fetch(`${s.server.url}/guardian/verify?user_code=${(await deviceAs(kiosk.token)).user_code}`, { headers: { accept: 'text/html' }, redirect: 'manual' })
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain('Du logger ind på kiosken »Kiosk i aulaen« på Kantine A.')
    expect(html).toContain('/guardian/simulated-idp/authorize')
  })

  it('a sign-in started without a kiosk header (or with a till’s token, or a made-up one) names no kiosk', async () => {
    const { till } = await s.canteen()
    for (const token of [null, till.token, 'made-up-token']) {
      const grant = await deviceAs(token)
      expect(await api(s.server, 'GET', `/guardian/verify?user_code=${grant.user_code}`)).toMatchObject({ status: 200, body: { kiosk: null } })
      const page = await fetch(`${s.server.url}/guardian/verify?user_code=${grant.user_code}`, { headers: { accept: 'text/html' }, redirect: 'manual' })
      expect(page.status).toBe(302)
    }
  })

  it('the sign-in at a kiosk still completes through the phone', async () => {
    const { f } = await s.canteen()
    const kiosk = await enrolKiosk(f.locationId)
    const grant = await deviceAs(kiosk.token)
    expect(await approveOnPhone(s.server, grant.user_code, f.data.guardians[0]!.id)).toMatchObject({ status: 200, body: { status: 'approved' } })
  })
})
