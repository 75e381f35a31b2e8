import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EnrolResponse } from '../domain/sync'
import { startServer, type RunningServer } from './app'
import type { Db } from './db'
import { api, openTestDb, pullPage, seedFixture, testClock, type Fixture } from './testing'

describe('enrolling a till', () => {
  let db: Db
  let server: RunningServer
  let f: Fixture
  const clock = testClock()

  beforeAll(async () => {
    db = await openTestDb()
    server = await startServer({ db, clock })
    f = await seedFixture(db, clock)
  })
  afterAll(async () => {
    await server.close()
    await db.close()
  })

  const newCode = async (locationId = f.locationId) => {
    const r = await api(server, 'POST', '/admin/enrolment-codes', { token: server.adminToken, body: { locationId } })
    expect(r.status).toBe(200)
    return r.body as { code: string; expiresAt: string }
  }

  it('trades a one-time code for a device token that opens /sync for its canteen', async () => {
    const { code, expiresAt } = await newCode()
    expect(new Date(expiresAt).getTime()).toBeGreaterThan(clock.now().getTime())
    const r = await api(server, 'POST', '/enrol', { body: { code, name: 'Kasse 1' } })
    expect(r.status).toBe(200)
    const enrolled = EnrolResponse.parse(r.body)
    expect(enrolled).toMatchObject({ locationId: f.locationId, municipalityId: f.municipalityId })

    // The new token works for sync (pullPage throws on anything but 200).
    expect((await pullPage(server, enrolled)).changes.length).toBeGreaterThan(0)
    // The token is returned once and kept only as a hash.
    const { rows } = await db.query<{ token_hash: string }>('SELECT token_hash FROM terminals WHERE id = $1', [enrolled.terminalId])
    expect(rows[0]?.token_hash).toMatch(/^[0-9a-f]{64}$/)
    expect(rows[0]?.token_hash).not.toContain(enrolled.token)
  })

  it('accepts the code typed in lower case, without its dash', async () => {
    const { code } = await newCode()
    const r = await api(server, 'POST', '/enrol', { body: { code: code.replace('-', '').toLowerCase(), name: 'Kasse 2' } })
    expect(r.status).toBe(200)
  })

  it('refuses a code the second time: one code, one till', async () => {
    const { code } = await newCode()
    expect((await api(server, 'POST', '/enrol', { body: { code, name: 'Kasse 3' } })).status).toBe(200)
    const again = await api(server, 'POST', '/enrol', { body: { code, name: 'Kasse 3 igen' } })
    expect(again).toMatchObject({ status: 401, body: { error: 'unauthorized', message: expect.stringMatching(/already used/) } })
  })

  it('refuses an expired code', async () => {
    const { code } = await newCode()
    clock.advance(25 * 60 * 60 * 1000)
    try {
      const r = await api(server, 'POST', '/enrol', { body: { code, name: 'Kasse 4' } })
      expect(r).toMatchObject({ status: 401, body: { message: expect.stringMatching(/expired/) } })
    } finally {
      clock.set('2026-11-24T11:00:00.000Z')
    }
  })

  it('refuses a code that was never issued', async () => {
    const r = await api(server, 'POST', '/enrol', { body: { code: 'ABCDE-FGHJK', name: 'Kasse 5' } })
    expect(r).toMatchObject({ status: 401, body: { error: 'unauthorized', message: 'unknown enrolment code' } })
  })

  it('refuses a malformed enrol request with 400', async () => {
    const r = await api(server, 'POST', '/enrol', { body: { code: 'x' } })
    expect(r).toMatchObject({ status: 400, body: { error: 'bad-request' } })
  })

  it('issues codes only to the administrator', async () => {
    const none = await api(server, 'POST', '/admin/enrolment-codes', { body: { locationId: f.locationId } })
    expect(none.status).toBe(401)
    const wrong = await api(server, 'POST', '/admin/enrolment-codes', { token: 'not-the-admin', body: { locationId: f.locationId } })
    expect(wrong).toMatchObject({ status: 401, body: { error: 'unauthorized' } })
  })

  it('issues no code for a canteen that does not exist', async () => {
    const r = await api(server, 'POST', '/admin/enrolment-codes', { token: server.adminToken, body: { locationId: 'nowhere' } })
    expect(r).toMatchObject({ status: 404, body: { error: 'not-found' } })
  })
})
