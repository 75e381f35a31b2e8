/**
 * The protocol gate (server/sync/protocol.ts, domain/protocol.ts): a till older than the previous
 * protocol is turned away from /enrol and /sync/* with 426 and a message it can show, and nothing
 * it sent is stored; the current and the previous protocol (or no header: a till from before it)
 * go through. Also: the till's own HTTP client says its protocol on every request.
 */
import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkProtocolHeader, MIN_PROTOCOL_VERSION, PROTOCOL_HEADER, PROTOCOL_VERSION } from '../../domain/protocol'
import { EnrolResponse } from '../../domain/sync'
import { createSyncClient, enrol, SyncHttpError } from '../../electron/core/sync/http'
import { relaySend } from '../../electron/core/sync/relay'
import { serverSuite } from '../../test/support/server-suite'
import { api, pushBody, sale, seedFixture, type Fixture, type Till } from '../../test/support/server'
import { isTillPath } from './protocol'

describe('checkProtocolHeader', () => {
  it('takes a missing header as protocol 1, and accepts the previous and the current protocol', () => {
    expect(PROTOCOL_VERSION).toBe(2)
    expect(MIN_PROTOCOL_VERSION).toBe(PROTOCOL_VERSION - 1)
    expect(checkProtocolHeader(undefined)).toEqual({ ok: true, value: 1 })
    expect(checkProtocolHeader(String(PROTOCOL_VERSION))).toEqual({ ok: true, value: PROTOCOL_VERSION })
    expect(checkProtocolHeader(String(MIN_PROTOCOL_VERSION))).toEqual({ ok: true, value: MIN_PROTOCOL_VERSION })
    expect(checkProtocolHeader(' 2 ')).toEqual({ ok: true, value: 2 })
  })

  it('refuses an older protocol and says what to do', () => {
    expect(checkProtocolHeader(String(MIN_PROTOCOL_VERSION - 1))).toEqual({
      ok: false,
      reason: 'protocol-too-old',
      message: `this till runs protocol ${MIN_PROTOCOL_VERSION - 1}; the server needs at least ${MIN_PROTOCOL_VERSION}: update Kantine on this PC`,
    })
  })

  it('refuses a protocol newer than this server', () => {
    expect(checkProtocolHeader(String(PROTOCOL_VERSION + 1))).toMatchObject({ ok: false, reason: 'protocol-too-new', message: expect.stringMatching(/server must be updated/) })
  })

  it('refuses anything but one whole number', () => {
    for (const bad of ['', 'two', '2.0', '-1', '1e3', '0x2', '1234567', '2, 3']) {
      expect(checkProtocolHeader(bad), JSON.stringify(bad)).toMatchObject({ ok: false, reason: 'bad-protocol-header' })
    }
    expect(checkProtocolHeader(['2', '2'])).toMatchObject({ ok: false, reason: 'bad-protocol-header' })
  })

  it('guards the paths a till speaks to, and no others', () => {
    for (const p of ['/enrol', '/enrol?x=1', '/sync/push', '/sync/pull?cursor=0:0', '/sync/live', '/sync/photos/abc']) expect(isTillPath(p), p).toBe(true)
    for (const p of ['/health', '/admin/enrolment-codes', '/guardian/accounts', '/enrolment', '/syncx', '/']) expect(isTillPath(p), p).toBe(false)
  })
})

describe('the protocol gate on the server', () => {
  const s = serverSuite()
  let f: Fixture

  beforeAll(async () => {
    f = await seedFixture(s.db, s.clock)
  })

  /** One request with the protocol header as given (`null`: none). */
  async function call(method: string, path: string, protocol: string | null, opts: { token?: string; body?: unknown } = {}) {
    const headers: Record<string, string> = {}
    if (protocol !== null) headers[PROTOCOL_HEADER] = protocol
    if (opts.token) headers.authorization = `Bearer ${opts.token}`
    if (opts.body !== undefined) headers['content-type'] = 'application/json'
    const res = await fetch(s.server.url + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) })
    const text = await res.text()
    return { status: res.status, body: text ? (JSON.parse(text) as { error?: string; message?: string }) : null }
  }

  const newCode = async () => {
    const r = await api(s.server, 'POST', '/admin/enrolment-codes', { token: s.server.adminToken, body: { locationId: f.locationId } })
    expect(r.status).toBe(200)
    return (r.body as { code: string }).code
  }
  const terminalCount = async () => Number((await s.db.query<{ n: string }>('SELECT count(*)::text AS n FROM terminals')).rows[0]!.n)
  const salesOf = async (till: Till) => Number((await s.db.query<{ n: string }>('SELECT count(*)::text AS n FROM sales WHERE terminal_id = $1', [till.terminalId])).rows[0]!.n)

  const tooOld = String(MIN_PROTOCOL_VERSION - 1)
  const refusal = {
    status: 426,
    body: { error: 'protocol-too-old', message: `this till runs protocol ${tooOld}; the server needs at least ${MIN_PROTOCOL_VERSION}: update Kantine on this PC` },
  }

  it('refuses to enrol a too-old till, and the code stays unused', async () => {
    const code = await newCode()
    const before = await terminalCount()
    expect(await call('POST', '/enrol', tooOld, { body: { code, name: 'Gammel kasse' } })).toEqual(refusal)
    expect(await terminalCount()).toBe(before)
    // The same code then enrols a current till: the refused request used nothing up.
    const ok = await call('POST', '/enrol', String(PROTOCOL_VERSION), { body: { code, name: 'Ny kasse' } })
    expect(ok.status).toBe(200)
    expect(EnrolResponse.safeParse(ok.body).success).toBe(true)
    expect(await terminalCount()).toBe(before + 1)
  })

  it('enrols a till of the previous protocol and one that sends no header (a till from before it)', async () => {
    for (const protocol of [String(MIN_PROTOCOL_VERSION), null]) {
      const r = await call('POST', '/enrol', protocol, { body: { code: await newCode(), name: `Kasse ${protocol ?? 'uden'}` } })
      expect(r.status, String(protocol)).toBe(200)
    }
  })

  async function enrolled(name: string): Promise<Till> {
    const r = await call('POST', '/enrol', String(PROTOCOL_VERSION), { body: { code: await newCode(), name } })
    expect(r.status).toBe(200)
    return r.body as unknown as Till
  }

  it('refuses a too-old till\'s push and stores none of its sales; the same push from a current till is stored', async () => {
    const till = await enrolled('Kasse push')
    const body = pushBody([sale(f, 1)])
    expect(await call('POST', '/sync/push', tooOld, { token: till.token, body })).toEqual(refusal)
    expect(await salesOf(till)).toBe(0)
    const ok = await call('POST', '/sync/push', String(PROTOCOL_VERSION), { token: till.token, body })
    expect(ok.status).toBe(200)
    expect(await salesOf(till)).toBe(1)
  })

  it('takes pushes from the previous protocol and from a till without the header', async () => {
    const till = await enrolled('Kasse gammel')
    expect((await call('POST', '/sync/push', String(MIN_PROTOCOL_VERSION), { token: till.token, body: pushBody([sale(f, 1)]) })).status).toBe(200)
    expect((await call('POST', '/sync/push', null, { token: till.token, body: pushBody([sale(f, 2)]) })).status).toBe(200)
    expect(await salesOf(till)).toBe(2)
  })

  it('refuses a too-old till\'s pull, snapshot and live socket before its token is even looked at', async () => {
    const q = 'protocol=1&schema=2'
    expect(await call('GET', `/sync/pull?cursor=0:0&${q}`, tooOld, { token: 'not-a-token' })).toEqual(refusal)
    expect(await call('GET', `/sync/snapshot?${q}`, tooOld)).toEqual(refusal)
    expect(await call('GET', '/sync/live', tooOld)).toEqual(refusal)
    const till = await enrolled('Kasse pull')
    expect((await call('GET', `/sync/pull?cursor=0:0&${q}`, String(PROTOCOL_VERSION), { token: till.token })).status).toBe(200)
    expect((await call('GET', `/sync/pull?cursor=0:0&${q}`, null, { token: till.token })).status).toBe(200)
  })

  it('refuses a till newer than the server, and a header that is not a number, with nothing stored', async () => {
    const till = await enrolled('Kasse ny')
    const newer = await call('POST', '/sync/push', String(PROTOCOL_VERSION + 1), { token: till.token, body: pushBody([sale(f, 1)]) })
    expect(newer).toMatchObject({ status: 426, body: { error: 'protocol-too-new' } })
    const garbled = await call('POST', '/sync/push', 'latest', { token: till.token, body: pushBody([sale(f, 1)]) })
    expect(garbled).toMatchObject({ status: 400, body: { error: 'bad-protocol-header', message: expect.stringContaining(PROTOCOL_HEADER) } })
    expect(await salesOf(till)).toBe(0)
  })

  it('leaves the other APIs alone', async () => {
    expect((await call('GET', '/health', tooOld)).status).toBe(200)
    expect((await call('POST', '/admin/enrolment-codes', tooOld, { token: s.server.adminToken, body: { locationId: f.locationId } })).status).toBe(200)
  })

  it('lets the till\'s own client through: it says the current protocol', async () => {
    const till = await enrolled('Kasse klient')
    const client = createSyncClient({ serverUrl: s.server.url, token: till.token })
    const page = await client.pull('0:0', 10)
    expect(page.changes.length).toBeGreaterThan(0)
  })
})

describe("the till's HTTP client", () => {
  const seen: { url: string; headers: IncomingHttpHeaders }[] = []
  let answer = { status: 200, body: '{}' }
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers })
    req.resume()
    req.on('end', () => res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body))
  })
  let base = ''
  beforeAll(async () => {
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => {
    server.close()
  })

  it(`sends ${PROTOCOL_HEADER}: ${PROTOCOL_VERSION} on every request to the server`, async () => {
    seen.length = 0
    const client = createSyncClient({ serverUrl: base, token: 't' })
    // The answers do not match the wire format; only what was sent matters here.
    await Promise.allSettled([
      client.push([]),
      client.pull('0:0', 10),
      client.snapshot(),
      client.photo('p1'),
      enrol({ serverUrl: base, code: 'ABCD-EFGH', name: 'Kasse 1', requestId: 'r1', nextSeq: 1 }),
      relaySend({ method: 'GET', url: new URL(`${base}/guardian/accounts`), headers: {} }),
    ])
    const lines = client.snapshotLines!()
    await lines[Symbol.asyncIterator]().next().catch(() => undefined)
    expect(seen.map((r) => r.url.split('?')[0]).sort()).toEqual(['/enrol', '/guardian/accounts', '/sync/photos/p1', '/sync/pull', '/sync/push', '/sync/snapshot', '/sync/snapshot'])
    for (const r of seen) expect(r.headers[PROTOCOL_HEADER], r.url).toBe(String(PROTOCOL_VERSION))
  })

  it("gives the server's refusal as it came, so the sync status shows it", async () => {
    const message = 'this till runs protocol 2; the server needs at least 3: update Kantine on this PC'
    answer = { status: 426, body: JSON.stringify({ error: 'protocol-too-old', message }) }
    try {
      const err = await createSyncClient({ serverUrl: base, token: 't' }).pull('0:0', 10).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(SyncHttpError)
      expect(err).toMatchObject({ status: 426, code: 'protocol-too-old', message })
    } finally {
      answer = { status: 200, body: '{}' }
    }
  })
})
