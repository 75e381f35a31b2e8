/**
 * Manager mode's relay (handlers/manager.ts) against a small fake server of our own: what
 * reaches the server (path, headers, body), what the page gets back, and when the manager's
 * session is dropped. The real /manager API's own checks are tested on the server.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { hashPin, seedCanteen } from '../../../test/support/core'
import { openDb } from '../store/db'
import { applyPullPage } from '../store/pull'
import { getSetting, setSetting } from '../store/settings'
import { relayUrl } from '../sync/relay'
import { openTill, type Till } from '../till'

const DEVICE = 'device-token-of-kasse-1'
const TOKEN = 'manager-session-token-abc'
const JONAS_PIN = '9999'

interface Seen {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: string
}

/** The fake /manager server: it records every request and answers with `reply` (or the session routes' defaults). */
let fake: { server: Server; url: string; seen: Seen[]; reply: (req: Seen) => { status: number; body?: unknown; type?: string } | null }
const dirs: string[] = []
const tills: Till[] = []

beforeEach(async () => {
  const seen: Seen[] = []
  const state = { seen, reply: (() => null) as typeof fake.reply }
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (d: Buffer) => (body += d.toString()))
    req.on('end', () => {
      const s: Seen = { method: req.method!, url: req.url!, headers: req.headers, body }
      // The till's own sync runs in the background: not part of manager mode.
      if (!s.url.startsWith('/manager/')) {
        res.writeHead(503).end()
        return
      }
      seen.push(s)
      let answer = fake.reply(s)
      if (!answer && s.url === '/manager/session' && s.method === 'POST') {
        const { pin } = JSON.parse(body) as { pin: string }
        answer =
          pin === JONAS_PIN
            ? { status: 200, body: { token: TOKEN, expiresAt: new Date(now + 30 * 60_000).toISOString(), staff: { id: 's-jonas', name: 'Jonas Berg' }, municipalityId: 'm-1', locationIds: ['loc-1'] } }
            : { status: 401, body: { error: 'sign-in-refused', message: 'no' } }
      }
      if (!answer && s.url === '/manager/session' && s.method === 'DELETE') answer = { status: 204 }
      answer ??= { status: 200, body: { echo: { method: s.method, url: s.url } } }
      const text = answer.body === undefined ? '' : answer.type ? String(answer.body) : JSON.stringify(answer.body)
      res.writeHead(answer.status, { 'content-type': answer.type ?? 'application/json' }).end(text)
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  fake = { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, ...state }
  fake.reply = () => null
})

afterEach(async () => {
  for (const t of tills.splice(0)) await t.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  await new Promise((r) => fake.server.close(r))
})

let now = Date.parse('2026-03-02T11:00:00Z')
const clock = { now: () => new Date(now) }

/** A till enrolled (by its settings) at the fake server, with Mette (cashier, 1234) and Jonas (manager, 9999). */
async function till(opts: { serverUrl?: string; kind?: 'till' | 'kiosk' } = {}): Promise<Till> {
  now = Date.parse('2026-03-02T11:00:00Z')
  const dir = mkdtempSync(join(tmpdir(), 'kantine-manager-'))
  dirs.push(dir)
  const db = openDb(dir)
  seedCanteen(db)
  applyPullPage(
    db,
    {
      changes: [{ entity: 'staff', id: 's-jonas', data: { name: 'Jonas Berg', pinHash: hashPin(JONAS_PIN), roles: ['manager', 'cashier'], locationIds: ['loc-1'], active: true } }],
      cursor: '1:2',
      hasMore: false,
      ackSeq: null,
      serverTime: new Date().toISOString(),
    },
    { from: getSetting(db, 'pull_cursor'), localNow: new Date() },
  )
  setSetting(db, 'server_url', opts.serverUrl ?? fake.url)
  setSetting(db, 'device_token', DEVICE)
  if (opts.kind) setSetting(db, 'terminal_kind', opts.kind)
  db.close()
  const t = await openTill({ dataDir: dir, clock, tillName: 'Kasse 1', syncIntervalMs: 600_000 })
  tills.push(t)
  return t
}

async function call(t: Till, method: string, args: unknown = {}) {
  const res = await t.dispatch(method, args)
  if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`)
  return res.value as any // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function signIn(t: Till, pin: string) {
  expect(await call(t, 'staff.signIn', { pin })).toMatchObject({ ok: true })
}

const sessionCalls = (method: string) => fake.seen.filter((s) => s.url === '/manager/session' && s.method === method)

describe('manager mode on a till', () => {
  it('unlocks with the manager’s own PIN and relays /manager/* with the device token and the session, answering as the server did', async () => {
    const t = await till()
    await signIn(t, JONAS_PIN)
    expect(await call(t, 'manager.status')).toEqual({ unlocked: false, staffName: null, expiresAt: null })

    const unlocked = await call(t, 'manager.unlock', { pin: JONAS_PIN })
    expect(unlocked).toEqual({ ok: true, status: { unlocked: true, staffName: 'Jonas Berg', expiresAt: '2026-03-02T11:30:00.000Z' } })
    const post = sessionCalls('POST')
    expect(post).toHaveLength(1)
    expect(post[0]!.headers.authorization).toBe(`Bearer ${DEVICE}`)
    expect(post[0]!.headers['kantine-manager']).toBeUndefined()
    expect(JSON.parse(post[0]!.body)).toEqual({ staffId: 's-jonas', pin: JONAS_PIN })
    // The token stays in the core: no answer to the page carries it.
    expect(JSON.stringify(unlocked)).not.toContain(TOKEN)
    expect(JSON.stringify(await call(t, 'manager.status'))).not.toContain(TOKEN)

    fake.reply = (s) => (s.url.startsWith('/manager/products/p-1') ? { status: 409, body: { error: 'barcode-taken', message: 'taken' } } : null)
    const refused = await call(t, 'manager.request', { method: 'PUT', path: '/manager/products/p-1', body: { barcode: '5701234567892' } })
    expect(refused).toEqual({ status: 409, body: { error: 'barcode-taken', message: 'taken' } })
    const put = fake.seen.at(-1)!
    expect(put).toMatchObject({ method: 'PUT', url: '/manager/products/p-1', body: JSON.stringify({ barcode: '5701234567892' }) })
    expect(put.headers.authorization).toBe(`Bearer ${DEVICE}`)
    expect(put.headers['kantine-manager']).toBe(TOKEN)

    const got = await call(t, 'manager.request', { method: 'GET', path: '/manager/reports', query: { from: '2026-03-01', to: '2026-03-02' } })
    expect(got).toEqual({ status: 200, body: { echo: { method: 'GET', url: '/manager/reports?from=2026-03-01&to=2026-03-02' } } })
    // Each use extends the session like the server does (30 min from the last use).
    now += 10 * 60_000
    await call(t, 'manager.request', { method: 'GET', path: '/manager/catalogue' })
    expect(await call(t, 'manager.status')).toMatchObject({ unlocked: true, expiresAt: '2026-03-02T11:40:00.000Z' })
  })

  it('passes a CSV export through as its text', async () => {
    const t = await till()
    await signIn(t, JONAS_PIN)
    await call(t, 'manager.unlock', { pin: JONAS_PIN })
    fake.reply = (s) => (s.url === '/manager/catalogue.csv' ? { status: 200, body: 'id,name\np-1,Toast\n', type: 'text/csv; charset=utf-8' } : null)
    expect(await call(t, 'manager.request', { method: 'GET', path: '/manager/catalogue.csv' })).toEqual({ status: 200, body: 'id,name\np-1,Toast\n' })
  })

  it('answers each refusal of the unlock as a reason, and keeps nothing', async () => {
    const t = await till()
    await signIn(t, JONAS_PIN)
    expect(await call(t, 'manager.unlock', { pin: '1111' })).toEqual({ ok: false, reason: 'pin-wrong' })
    fake.reply = () => ({ status: 403, body: { error: 'not-a-manager', message: 'no' } })
    expect(await call(t, 'manager.unlock', { pin: JONAS_PIN })).toEqual({ ok: false, reason: 'not-a-manager' })
    fake.reply = () => ({ status: 429, body: { error: 'locked', retryAfterSeconds: 812.2 } })
    expect(await call(t, 'manager.unlock', { pin: JONAS_PIN })).toEqual({ ok: false, reason: 'locked', retryAfterSeconds: 813 })
    fake.reply = () => ({ status: 403, body: { error: 'kiosk-terminal' } })
    expect(await call(t, 'manager.unlock', { pin: JONAS_PIN })).toEqual({ ok: false, reason: 'refused', status: 403, error: 'kiosk-terminal' })
    // A revoked till's token is no wrong PIN.
    fake.reply = () => ({ status: 401, body: { error: 'unauthorized' } })
    expect(await call(t, 'manager.unlock', { pin: JONAS_PIN })).toEqual({ ok: false, reason: 'refused', status: 401, error: 'unauthorized' })
    expect(await call(t, 'manager.status')).toMatchObject({ unlocked: false })
    // Locked: a request is not even sent.
    const sent = fake.seen.length
    expect(await call(t, 'manager.request', { method: 'GET', path: '/manager/catalogue' })).toMatchObject({ status: 401, body: { error: 'manager-session-required' } })
    expect(fake.seen).toHaveLength(sent)
  })

  it('refuses a cashier, and a parent kiosk, before anything reaches the server', async () => {
    const t = await till()
    expect(await t.dispatch('manager.unlock', { pin: JONAS_PIN })).toMatchObject({ ok: false, error: { code: 'not-signed-in' } })
    await signIn(t, '1234')
    expect(await t.dispatch('manager.unlock', { pin: '1234' })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(await t.dispatch('manager.request', { method: 'GET', path: '/manager/catalogue' })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(fake.seen).toHaveLength(0)

    const kiosk = await till({ kind: 'kiosk' })
    expect(await kiosk.dispatch('manager.unlock', { pin: JONAS_PIN })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(await kiosk.dispatch('manager.status', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(fake.seen).toHaveLength(0)
  })

  it('refuses a path that leaves /manager/ once parsed, and the session routes, and sends nothing', async () => {
    const t = await till()
    await signIn(t, JONAS_PIN)
    await call(t, 'manager.unlock', { pin: JONAS_PIN })
    const sent = fake.seen.length
    for (const path of ['/manager/%2e%2e/admin/exposure', '/manager/%2E%2E/sync/pull', '/manager/.%2e/guardian/me', '/manager/session', '/manager/session/']) {
      expect(await t.dispatch('manager.request', { method: 'GET', path }), path).toMatchObject({ ok: false, error: { code: 'bad-argument' } })
    }
    for (const path of ['/guardian/me', '/manager/../admin', '//evil.example/manager/x', '/manager//x', 'manager/x']) {
      expect(await t.dispatch('manager.request', { method: 'GET', path }), path).toMatchObject({ ok: false, error: { code: 'bad-argument' } })
    }
    expect(await t.dispatch('manager.request', { method: 'PATCH', path: '/manager/x' })).toMatchObject({ ok: false, error: { code: 'bad-argument' } })
    expect(fake.seen).toHaveLength(sent)
  })

  it('locks at sign-out, at the idle time-out, when someone else signs in, and ends the session on the server', async () => {
    const t = await till()
    await signIn(t, JONAS_PIN)
    await call(t, 'manager.unlock', { pin: JONAS_PIN })
    await call(t, 'staff.signOut')
    expect(await call(t, 'manager.status')).toMatchObject({ unlocked: false })
    await expect.poll(() => sessionCalls('DELETE').length).toBe(1)
    expect(sessionCalls('DELETE')[0]!.headers['kantine-manager']).toBe(TOKEN)

    // Signed in again: locked until the PIN is given again.
    await signIn(t, JONAS_PIN)
    expect(await call(t, 'manager.status')).toMatchObject({ unlocked: false })
    await call(t, 'manager.unlock', { pin: JONAS_PIN })
    // The till signs an idle manager out (15 min): manager mode goes with it.
    now += 16 * 60_000
    expect(await call(t, 'staff.current')).toBeNull()
    expect(await call(t, 'manager.status')).toMatchObject({ unlocked: false })
    await expect.poll(() => sessionCalls('DELETE').length).toBe(2)

    // A cashier signing in on top of the manager's sign-in ends it too.
    await signIn(t, JONAS_PIN)
    await call(t, 'manager.unlock', { pin: JONAS_PIN })
    await signIn(t, '1234')
    expect(await call(t, 'manager.status')).toMatchObject({ unlocked: false })
    await expect.poll(() => sessionCalls('DELETE').length).toBe(3)

    // manager.lock: on request.
    await signIn(t, JONAS_PIN)
    await call(t, 'manager.unlock', { pin: JONAS_PIN })
    expect(await call(t, 'manager.lock')).toEqual({ unlocked: false, staffName: null, expiresAt: null })
    await expect.poll(() => sessionCalls('DELETE').length).toBe(4)
  })

  it('drops the session when it expires or the server no longer knows it', async () => {
    const t = await till()
    await signIn(t, JONAS_PIN)
    await call(t, 'manager.unlock', { pin: JONAS_PIN })
    fake.reply = (s) => (s.method === 'GET' ? { status: 401, body: { error: 'manager-session-required', message: 'ended' } } : null)
    expect(await call(t, 'manager.request', { method: 'GET', path: '/manager/staff' })).toMatchObject({ status: 401 })
    expect(await call(t, 'manager.status')).toMatchObject({ unlocked: false })

    fake.reply = () => null
    await call(t, 'manager.unlock', { pin: JONAS_PIN })
    // The manager works at the till every 10 min (under its 15 min sign-out) without using manager mode: after 30 min it is gone.
    for (const minutes of [10, 10]) {
      now += minutes * 60_000
      await call(t, 'app.sound.set', { on: true, volume: 50 })
      expect(await call(t, 'manager.status')).toMatchObject({ unlocked: true })
    }
    now += 10 * 60_000
    await call(t, 'app.sound.set', { on: true, volume: 50 })
    expect(await call(t, 'staff.current')).toMatchObject({ staffId: 's-jonas' })
    expect(await call(t, 'manager.status')).toMatchObject({ unlocked: false })
    expect(await call(t, 'manager.request', { method: 'GET', path: '/manager/staff' })).toMatchObject({ status: 401, body: { error: 'manager-session-required' } })
  })

  it('answers status 0 server-unreachable when the server cannot be reached', async () => {
    const t = await till({ serverUrl: 'http://127.0.0.1:9' })
    await signIn(t, JONAS_PIN)
    expect(await call(t, 'manager.unlock', { pin: JONAS_PIN })).toEqual({ ok: false, reason: 'server-unreachable' })
  })

  it('answers status 0 for a request once the server has gone away, and keeps the session', async () => {
    const t = await till()
    await signIn(t, JONAS_PIN)
    await call(t, 'manager.unlock', { pin: JONAS_PIN })
    await new Promise((r) => fake.server.close(r))
    fake.server.closeAllConnections()
    const answer = await call(t, 'manager.request', { method: 'POST', path: '/manager/categories', body: { name: 'Frugt', colour: '#00aa00' } })
    expect(answer).toMatchObject({ status: 0, body: { error: 'server-unreachable' } })
    expect(await call(t, 'manager.status')).toMatchObject({ unlocked: true })
    fake.server.listen(0) // afterEach closes it again
  })
})

describe('the manager relay address', () => {
  it('stays on the server and under /manager/, also behind a path prefix', () => {
    expect(relayUrl('https://k.example/', '/manager/reports', { from: '2026-01-01' }, '/manager/')?.href).toBe('https://k.example/manager/reports?from=2026-01-01')
    expect(relayUrl('https://k.example/api', '/manager/catalogue', undefined, '/manager/')?.href).toBe('https://k.example/api/manager/catalogue')
    expect(relayUrl('https://k.example', '/manager/%2e%2e/admin/exposure', undefined, '/manager/')).toBeNull()
    expect(relayUrl('https://k.example/api', '/manager/%2e%2e/%2e%2e/guardian/me', undefined, '/manager/')).toBeNull()
    // The kiosk's relay keeps its own prefix: a manager path is no guardian path.
    expect(relayUrl('https://k.example', '/manager/catalogue')).toBeNull()
  })
})
