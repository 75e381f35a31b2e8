import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { EnrolResponse } from '../../domain/sync'
import { serverSuite } from '../../test/support/server-suite'
import { api, connectLive, enrolTill, pullPage, pushAs, sale, seedFixture, type Fixture } from '../../test/support/server'

describe('enrolling a till', () => {
  const s = serverSuite()
  const { clock } = s
  let f: Fixture

  beforeAll(async () => {
    f = await seedFixture(s.db, clock)
  })

  const newCode = async (locationId = f.locationId) => {
    const r = await api(s.server, 'POST', '/admin/enrolment-codes', { token: s.server.adminToken, body: { locationId } })
    expect(r.status).toBe(200)
    return r.body as { code: string; expiresAt: string }
  }

  it('trades a one-time code for a device token that opens /sync for its canteen', async () => {
    const { code, expiresAt } = await newCode()
    expect(new Date(expiresAt).getTime()).toBeGreaterThan(clock.now().getTime())
    const r = await api(s.server, 'POST', '/enrol', { body: { code, name: 'Kasse 1' } })
    expect(r.status).toBe(200)
    const enrolled = EnrolResponse.parse(r.body)
    expect(enrolled).toMatchObject({ locationId: f.locationId, municipalityId: f.municipalityId })

    // The new token works for sync (pullPage throws on anything but 200).
    expect((await pullPage(s.server, enrolled)).changes.length).toBeGreaterThan(0)
    // The token is returned once and kept only as a hash.
    const { rows } = await s.db.query<{ token_hash: string }>('SELECT token_hash FROM terminals WHERE id = $1', [enrolled.terminalId])
    expect(rows[0]?.token_hash).toMatch(/^[0-9a-f]{64}$/)
    expect(rows[0]?.token_hash).not.toContain(enrolled.token)
  })

  it('accepts the code typed in lower case, without its dash', async () => {
    const { code } = await newCode()
    const r = await api(s.server, 'POST', '/enrol', { body: { code: code.replace('-', '').toLowerCase(), name: 'Kasse 2' } })
    expect(r.status).toBe(200)
  })

  it('refuses a code the second time: one code, one till', async () => {
    const { code } = await newCode()
    expect((await api(s.server, 'POST', '/enrol', { body: { code, name: 'Kasse 3' } })).status).toBe(200)
    const again = await api(s.server, 'POST', '/enrol', { body: { code, name: 'Kasse 3 igen' } })
    expect(again).toMatchObject({ status: 401, body: { error: 'code-used', message: expect.stringMatching(/already used/) } })
  })

  it('answers the same enrolment asked again (its answer was lost) with the same terminal and a fresh token; the first token stops working', async () => {
    const { code } = await newCode()
    const requestId = randomUUID()
    const first = EnrolResponse.parse((await api(s.server, 'POST', '/enrol', { body: { code, name: 'Kasse 6', requestId, nextSeq: 1 } })).body)
    const again = await api(s.server, 'POST', '/enrol', { body: { code, name: 'Kasse 6', requestId, nextSeq: 1 } })
    expect(again.status).toBe(200)
    const second = EnrolResponse.parse(again.body)
    expect(second).toMatchObject({ terminalId: first.terminalId, locationId: first.locationId, municipalityId: first.municipalityId })
    expect(second.token).not.toBe(first.token)
    // No orphan: one terminal for the code, and only the token the till now holds opens it.
    const { rows } = await s.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM terminals WHERE name = 'Kasse 6'`)
    expect(rows[0]!.n).toBe(1)
    expect((await pullPage(s.server, second)).changes.length).toBeGreaterThan(0)
    expect(await api(s.server, 'GET', '/sync/pull?cursor=0:0&protocol=1&schema=2', { token: first.token })).toMatchObject({ status: 401 })
  })

  it('refuses a used code to any other enrolment: another request id, or none', async () => {
    const { code } = await newCode()
    expect((await api(s.server, 'POST', '/enrol', { body: { code, name: 'Kasse 7', requestId: randomUUID() } })).status).toBe(200)
    for (const body of [{ code, name: 'Kasse 7', requestId: randomUUID() }, { code, name: 'Kasse 7' }]) {
      expect(await api(s.server, 'POST', '/enrol', { body })).toMatchObject({ status: 401, body: { message: expect.stringMatching(/already used/) } })
    }
  })

  it('does not hand a revoked terminal a new token when its enrolment is repeated', async () => {
    const { code } = await newCode()
    const requestId = randomUUID()
    const first = EnrolResponse.parse((await api(s.server, 'POST', '/enrol', { body: { code, name: 'Kasse 8', requestId } })).body)
    expect((await api(s.server, 'POST', `/admin/terminals/${first.terminalId}/revoke`, { token: s.server.adminToken })).status).toBe(200)
    expect(await api(s.server, 'POST', '/enrol', { body: { code, name: 'Kasse 8', requestId } })).toMatchObject({ status: 401, body: { message: expect.stringMatching(/already used/) } })
  })

  it('starts a till enrolled again at the seq its outbox goes on from: the next push is no seq gap', async () => {
    const { code } = await newCode()
    const till = EnrolResponse.parse((await api(s.server, 'POST', '/enrol', { body: { code, name: 'Kasse 9', requestId: randomUUID(), nextSeq: 42 } })).body)
    const { rows } = await s.db.query<{ last_applied_seq: number }>('SELECT last_applied_seq FROM terminals WHERE id = $1', [till.terminalId])
    expect(Number(rows[0]!.last_applied_seq)).toBe(41)
    const pushed = await pushAs(s.server, till, [sale(f, 42)])
    expect(pushed).toMatchObject({ status: 200, body: { results: [{ seq: 42, status: 'applied' }] } })
  })

  it('refuses an expired code', async () => {
    const { code } = await newCode()
    clock.advance(25 * 60 * 60 * 1000)
    try {
      const r = await api(s.server, 'POST', '/enrol', { body: { code, name: 'Kasse 4' } })
      expect(r).toMatchObject({ status: 401, body: { error: 'code-expired', message: expect.stringMatching(/expired/) } })
    } finally {
      clock.set('2026-11-24T11:00:00.000Z')
    }
  })

  it('refuses a code that was never issued', async () => {
    const r = await api(s.server, 'POST', '/enrol', { body: { code: 'ABCDE-FGHJK', name: 'Kasse 5' } })
    expect(r).toMatchObject({ status: 401, body: { error: 'code-unknown', message: 'unknown enrolment code' } })
  })

  it('refuses a malformed enrol request with 400', async () => {
    const r = await api(s.server, 'POST', '/enrol', { body: { code: 'x' } })
    expect(r).toMatchObject({ status: 400, body: { error: 'bad-request' } })
  })

  it('issues codes only to the administrator', async () => {
    const none = await api(s.server, 'POST', '/admin/enrolment-codes', { body: { locationId: f.locationId } })
    expect(none.status).toBe(401)
    const wrong = await api(s.server, 'POST', '/admin/enrolment-codes', { token: 'not-the-admin', body: { locationId: f.locationId } })
    expect(wrong).toMatchObject({ status: 401, body: { error: 'unauthorized' } })
  })

  it('issues no code for a canteen that does not exist', async () => {
    const r = await api(s.server, 'POST', '/admin/enrolment-codes', { token: s.server.adminToken, body: { locationId: 'nowhere' } })
    expect(r).toMatchObject({ status: 404, body: { error: 'not-found' } })
  })

  it('revokes a lost till: its token stops working at once, its live connection closes, its sales stay', async () => {
    const till = await enrolTill(s.server, f.locationId, 'Kasse der blev væk')
    expect((await pushAs(s.server, till, [sale(f, 1)])).status).toBe(200)
    const live = await connectLive(s.server, till.token)
    const revokeUrl = `/admin/terminals/${till.terminalId}/revoke`

    expect(await api(s.server, 'POST', revokeUrl)).toMatchObject({ status: 401 })
    const revoked = await api(s.server, 'POST', revokeUrl, { token: s.server.adminToken })
    expect(revoked).toMatchObject({ status: 200, body: { terminalId: till.terminalId, revokedAt: clock.now().toISOString() } })
    expect(await live.closed).toMatchObject({ code: 1008 })

    expect(await pushAs(s.server, till, [sale(f, 2)])).toMatchObject({ status: 401, body: { error: 'unauthorized' } })
    const pull = await api(s.server, 'GET', '/sync/pull?cursor=0:0&protocol=1&schema=1', { token: till.token })
    expect(pull).toMatchObject({ status: 401, body: { error: 'unauthorized' } })
    await expect(connectLive(s.server, till.token)).rejects.toThrow('HTTP 401')
    const sold = await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM sales WHERE terminal_id = $1', [till.terminalId])
    expect(sold.rows[0]!.n).toBe(1)

    // Again: the same answer, one audit entry. An unknown till: 404.
    clock.advance(60_000)
    expect((await api(s.server, 'POST', revokeUrl, { token: s.server.adminToken })).body).toEqual(revoked.body)
    const audits = await s.db.query<{ action: string }>(`SELECT action FROM audit_log WHERE entity = 'terminal' AND entity_id = $1`, [till.terminalId])
    expect(audits.rows).toEqual([{ action: 'terminal.revoked' }])
    expect(await api(s.server, 'POST', '/admin/terminals/no-such-till/revoke', { token: s.server.adminToken })).toMatchObject({ status: 404 })
  })
})
