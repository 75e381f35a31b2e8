/**
 * First-run enrolment against a real server (and against the things a person may type instead
 * of one): each mistake comes back as the one reason the first-run screen explains, changes
 * nothing in the till's store, and leaves the terminal free to try again; a good code enrols it
 * as the till or kiosk chosen, and a kiosk refuses the counter from then on without a restart.
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer as createHttpServer, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { api } from '../../../test/support/server'
import { serverSuite } from '../../../test/support/server-suite'
import { openDb } from '../store/db'
import { getSetting } from '../store/settings'
import { SyncHttpError, SyncNetworkError } from '../sync/http'
import { openTill, type Till } from '../till'
import { ENROL_TIMEOUT_MS, enrolmentRefusal } from './enrolment'

const s = serverSuite({ guardian: { identity: 'simulated' }, rateLimits: false })

const TLS = resolve(import.meta.dirname, '../../../test/fixtures/tls')

const dirs: string[] = []
const open: Till[] = []
afterEach(async () => {
  for (const t of open.splice(0)) await t.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** A till as a fresh install opens it: no server, no code, an empty data folder. */
async function freshTill(opts: Partial<Parameters<typeof openTill>[0]> = {}): Promise<{ till: Till; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'kantine-first-run-'))
  dirs.push(dir)
  const till = await openTill({ dataDir: dir, syncIntervalMs: 60_000, ...opts })
  open.push(till)
  return { till, dir }
}

async function value(till: Till, method: string, args: unknown = {}) {
  const res = await till.dispatch(method, args)
  if (!res.ok) throw new Error(`${method}: ${res.error.code}: ${res.error.message}`)
  return res.value as any // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function enrol(till: Till, serverUrl: string, code: string, kind: 'till' | 'kiosk' = 'till') {
  return value(till, 'enrolment.enrol', { serverUrl, code, kind })
}

async function newCode(locationId: string, body: { kind?: 'till' | 'kiosk'; ttlMinutes?: number } = {}): Promise<string> {
  const r = await api(s.server, 'POST', '/admin/enrolment-codes', { token: s.server.adminToken, body: { locationId, ...body } })
  expect(r.status).toBe(200)
  return r.body.code
}

/** The store of a till that was refused: nothing of an enrolment in it. */
function expectUnenrolled(dir: string): void {
  const db = openDb(dir)
  try {
    for (const key of ['device_token', 'server_url', 'terminal_id', 'location_id'] as const) expect(getSetting(db, key), key).toBeNull()
  } finally {
    db.close()
  }
}

function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<number> {
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port)))
}

/** A port nothing listens on: one the system gave out and took back. */
async function closedPort(): Promise<number> {
  const probe = createTcpServer()
  const port = await listen(probe)
  await new Promise((r) => probe.close(r))
  return port
}

const others: { close(cb: () => void): void; closeAllConnections?: () => void }[] = []
afterAll(async () => {
  for (const o of others) {
    o.closeAllConnections?.()
    await new Promise<void>((r) => o.close(() => r()))
  }
})

describe('first run: the mistakes a person can make, each told apart', () => {
  let selfSigned = ''
  let notKantine404 = ''
  let notKantine200 = ''
  let silent = ''
  const held: Socket[] = []

  beforeAll(async () => {
    // A server with a self-signed certificate (test/fixtures/tls, made with openssl req -x509 -days 36500 -subj /CN=localhost).
    const tls = createHttpsServer({ key: readFileSync(join(TLS, 'self-signed.key')), cert: readFileSync(join(TLS, 'self-signed.crt')) }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
    others.push(tls)
    selfSigned = `https://localhost:${await listen(tls)}`
    // Some other web server at that address: a 404 page, and a page for every path.
    const web404 = createHttpServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<!doctype html><title>Not Found</title><h1>Not Found</h1>'))
    others.push(web404)
    notKantine404 = `http://127.0.0.1:${await listen(web404)}`
    const web200 = createHttpServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Intranet</title><p>Velkommen</p>'))
    others.push(web200)
    notKantine200 = `http://127.0.0.1:${await listen(web200)}`
    // Takes the connection and never answers.
    const tcp = createTcpServer((socket) => held.push(socket))
    others.push({ close: (cb) => (held.forEach((h) => h.destroy()), tcp.close(cb)) })
    silent = `http://127.0.0.1:${await listen(tcp)}`
  })

  it('starts as a first run: not enrolled, nothing configured', async () => {
    const { till } = await freshTill()
    expect(await value(till, 'enrolment.status')).toEqual({ enrolled: false, firstRun: true, serverUrl: null, terminalKind: 'till' })
  })

  it('refuses an address that is not an http(s) URL, or http to another machine, before sending anything', async () => {
    const { till, dir } = await freshTill()
    for (const address of ['kantine.kommune.dk', 'https://', 'ftp://kantine.kommune.dk', 'http://kantine.kommune.dk', 'https://user:pw@kantine.kommune.dk', '']) {
      expect(await enrol(till, address, 'ABCDE-FGHJK'), address).toEqual({ ok: false, reason: 'address-invalid' })
    }
    expectUnenrolled(dir)
  })

  it('says "unreachable" for a closed port and for a name that does not resolve', async () => {
    const { till, dir } = await freshTill()
    expect(await enrol(till, `http://127.0.0.1:${await closedPort()}`, 'ABCDE-FGHJK')).toEqual({ ok: false, reason: 'unreachable' })
    expect(await enrol(till, 'https://kantine.invalid', 'ABCDE-FGHJK')).toEqual({ ok: false, reason: 'unreachable' })
    expectUnenrolled(dir)
  })

  it('gives up on a server that takes the connection and never answers, within the attempt timeout', async () => {
    const { till, dir } = await freshTill()
    const started = Date.now()
    expect(await enrol(till, silent, 'ABCDE-FGHJK')).toEqual({ ok: false, reason: 'unreachable' })
    const took = Date.now() - started
    expect(took).toBeGreaterThanOrEqual(ENROL_TIMEOUT_MS - 100)
    expect(took).toBeLessThan(ENROL_TIMEOUT_MS + 3000)
    expectUnenrolled(dir)
  }, 20_000)

  it('says "certificate" for a server with a self-signed certificate, and does not trust it', async () => {
    const { till, dir } = await freshTill()
    expect(await enrol(till, selfSigned, 'ABCDE-FGHJK')).toEqual({ ok: false, reason: 'certificate' })
    expectUnenrolled(dir)
  })

  it('says "not Kantine" for a web server that answers 404 pages or a page at every path', async () => {
    const { till, dir } = await freshTill()
    expect(await enrol(till, notKantine404, 'ABCDE-FGHJK')).toEqual({ ok: false, reason: 'not-kantine' })
    expect(await enrol(till, notKantine200, 'ABCDE-FGHJK')).toEqual({ ok: false, reason: 'not-kantine' })
    expectUnenrolled(dir)
  })

  it('says which is wrong with the code: unknown, already used, expired, or for the other kind', async () => {
    const { f } = await s.canteen()
    const { till, dir } = await freshTill()
    expect(await enrol(till, s.server.url, 'ABCDE-FGHJK')).toEqual({ ok: false, reason: 'code-unknown' })
    expect(await enrol(till, s.server.url, 'abc')).toEqual({ ok: false, reason: 'code-unknown' })

    // Used by another till first.
    const used = await newCode(f.locationId)
    const other = await freshTill()
    expect(await enrol(other.till, s.server.url, used)).toMatchObject({ ok: true })
    expect(await enrol(till, s.server.url, used)).toEqual({ ok: false, reason: 'code-used' })

    // A one-minute code, two minutes later on the server's clock.
    const expiring = await newCode(f.locationId, { ttlMinutes: 1 })
    s.clock.advance(2 * 60_000)
    expect(await enrol(till, s.server.url, expiring)).toEqual({ ok: false, reason: 'code-expired' })

    // A kiosk's code at a till, and a till's code chosen as a kiosk: refused, and not spent.
    const kioskCode = await newCode(f.locationId, { kind: 'kiosk' })
    expect(await enrol(till, s.server.url, kioskCode, 'till')).toEqual({ ok: false, reason: 'kind-mismatch' })
    const tillCode = await newCode(f.locationId)
    expect(await enrol(till, s.server.url, tillCode, 'kiosk')).toEqual({ ok: false, reason: 'kind-mismatch' })
    expectUnenrolled(dir)
    expect(await value(till, 'enrolment.status')).toMatchObject({ enrolled: false, firstRun: true })

    // The same till then enrols with the right kind: the refusals spent nothing.
    expect(await enrol(till, s.server.url, tillCode, 'till')).toMatchObject({ ok: true, value: { terminalKind: 'till' } })
  })
})

describe('first run: a good code', () => {
  it('enrols a till: the server address and token are kept, it syncs, and a cashier signs in', async () => {
    const { f } = await s.canteen()
    const { till, dir } = await freshTill()
    const answer = await enrol(till, `${s.server.url}/`, await newCode(f.locationId))
    expect(answer).toEqual({ ok: true, value: { terminalKind: 'till', locationName: expect.any(String) } })
    expect(await value(till, 'enrolment.status')).toEqual({ enrolled: true, firstRun: false, serverUrl: s.server.url, terminalKind: 'till' })
    // A second try at the first-run screen is refused: the screen is for unenrolled terminals only.
    expect(await enrol(till, s.server.url, await newCode(f.locationId))).toEqual({ ok: false, reason: 'already-enrolled' })

    // It syncs on its own: the staff arrive, and the fixture's cashier signs in.
    let signIn: any // eslint-disable-line @typescript-eslint/no-explicit-any
    for (let i = 0; i < 100; i++) {
      await value(till, 'sync.now')
      signIn = await value(till, 'staff.signIn', { pin: '1234' })
      if (signIn.ok) break
      await new Promise((r) => setTimeout(r, 50))
    }
    expect(signIn).toMatchObject({ ok: true, session: { name: 'Kasse Karen' } })
    expect(await value(till, 'sync.status')).toMatchObject({ enrolled: true, lastError: null })

    await till.close()
    open.splice(open.indexOf(till), 1)
    const db = openDb(dir)
    try {
      expect(getSetting(db, 'server_url')).toBe(s.server.url)
      expect(getSetting(db, 'terminal_kind')).toBe('till')
      expect(getSetting(db, 'device_token')).toMatch(/.{32,}/)
      expect(getSetting(db, 'location_id')).toBe(f.locationId)
    } finally {
      db.close()
    }
    // Opened again (no flags, as the packaged app starts), it is the same enrolled till.
    const again = await openTill({ dataDir: dir, syncIntervalMs: 60_000 })
    open.push(again)
    expect(await value(again, 'enrolment.status')).toMatchObject({ enrolled: true, firstRun: false })
    expect(await value(again, 'app.info')).toMatchObject({ terminalKind: 'till', tillName: 'Kasse 1' })
  })

  it('enrols a kiosk from a till-started folder: the counter is refused at once and the guardian relay works', async () => {
    const { f } = await s.canteen()
    const { till, dir } = await freshTill()
    // Before: a till, which serves the counter's methods and refuses the guardian relay.
    expect(await till.dispatch('staff.signIn', { pin: '1234' })).toMatchObject({ ok: true })
    expect(await till.dispatch('guardian.request', { method: 'POST', path: '/guardian/device', body: {} })).toMatchObject({ ok: false, error: { code: 'forbidden' } })

    const answer = await enrol(till, s.server.url, await newCode(f.locationId, { kind: 'kiosk' }), 'kiosk')
    expect(answer).toMatchObject({ ok: true, value: { terminalKind: 'kiosk' } })
    expect(await value(till, 'app.info')).toMatchObject({ terminalKind: 'kiosk', tillName: 'Kiosk 1' })
    expect(await till.dispatch('staff.signIn', { pin: '1234' })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(await till.dispatch('catalog.get', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    const grant = await value(till, 'guardian.request', { method: 'POST', path: '/guardian/device', body: {} })
    expect(grant).toMatchObject({ status: 200, body: { user_code: expect.stringMatching(/^[A-Z]{4}-[A-Z]{4}$/) } })
    const { rows } = await s.db.query<{ name: string; kind: string }>(
      'SELECT t.name, t.kind FROM guardian_device_grants g JOIN terminals t ON t.id = g.kiosk_terminal_id WHERE g.user_code = $1',
      [grant.body.user_code],
    )
    expect(rows).toEqual([{ name: 'Kiosk 1', kind: 'kiosk' }])

    // Opened again without flags, the folder is the kiosk it became.
    await till.close()
    open.splice(open.indexOf(till), 1)
    const again = await openTill({ dataDir: dir, syncIntervalMs: 60_000 })
    open.push(again)
    expect(await value(again, 'app.info')).toMatchObject({ terminalKind: 'kiosk' })
    expect(await again.dispatch('staff.signIn', { pin: '1234' })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
  })

  it('is no first run for a till given a code on its command line, nor for a store that holds a canteen', async () => {
    const { f } = await s.canteen()
    const { till } = await freshTill({ serverUrl: s.server.url, enrolmentCode: await newCode(f.locationId) })
    expect(await value(till, 'enrolment.status')).toMatchObject({ firstRun: false, serverUrl: s.server.url })
    // With an address but no code (`npm start -- --server-url URL`): a first run, the address prefilled.
    const { till: addressOnly } = await freshTill({ serverUrl: s.server.url })
    expect(await value(addressOnly, 'enrolment.status')).toEqual({ enrolled: false, firstRun: true, serverUrl: s.server.url, terminalKind: 'till' })
  })

  it('answers a double tap with the one attempt: the code is spent once', async () => {
    const { f } = await s.canteen()
    const { till } = await freshTill()
    const code = await newCode(f.locationId)
    const [a, b] = await Promise.all([enrol(till, s.server.url, code), enrol(till, s.server.url, code)])
    expect(a).toMatchObject({ ok: true })
    expect(b).toEqual(a)
    const { rows } = await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM terminals WHERE location_id = $1', [f.locationId])
    // The canteen's fixture till and this one.
    expect(rows[0]!.n).toBe(2)
  })
})

describe('enrolmentRefusal: reading a failed enrolment', () => {
  it('reads the server refusals by the code the server names them with; any other 401 is no Kantine answer', () => {
    expect(enrolmentRefusal(new SyncHttpError(401, 'code-used', 'x'))).toBe('code-used')
    expect(enrolmentRefusal(new SyncHttpError(401, 'code-expired', 'x'))).toBe('code-expired')
    expect(enrolmentRefusal(new SyncHttpError(401, 'unauthorized', 'Authorization Required'))).toBe('not-kantine')
    expect(enrolmentRefusal(new SyncHttpError(429, 'too-many', 'slow down'))).toBe('server-busy')
    expect(enrolmentRefusal(new SyncHttpError(502, 'http-error', 'Server answered 502'))).toBe('server-busy')
    expect(enrolmentRefusal(new SyncHttpError(426, 'till-too-old', 'update this till'))).toBe('app-too-old')
  })

  it('finds the TLS code in the cause chain or in the message', () => {
    const cause = Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' })
    expect(enrolmentRefusal(new SyncNetworkError('Server not reachable: fetch failed', { cause }))).toBe('certificate')
    expect(enrolmentRefusal(new SyncNetworkError('Server not reachable: fetch failed (ERR_TLS_CERT_ALTNAME_INVALID)'))).toBe('certificate')
    expect(enrolmentRefusal(new SyncNetworkError('Server not reachable: fetch failed (ECONNREFUSED)'))).toBe('unreachable')
  })
})
