import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { serverSuite } from '../../test/support/server-suite'
import { api, signInGuardian } from '../../test/support/server'
import { openDb } from './store/db'
import { getSetting, setSetting } from './store/settings'
import { relayUrl } from './sync/relay'
import { openTill, type Till } from './till'

const s = serverSuite({ guardian: { identity: 'simulated' }, rateLimits: false })

const dirs: string[] = []
const open: Till[] = []
afterEach(async () => {
  for (const t of open.splice(0)) await t.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kantine-kiosk-'))
  dirs.push(dir)
  return dir
}

async function code(locationId: string, kind: 'till' | 'kiosk'): Promise<string> {
  const r = await api(s.server, 'POST', '/admin/enrolment-codes', { token: s.server.adminToken, body: { locationId, kind } })
  expect(r.status).toBe(200)
  return r.body.code
}

async function start(opts: Parameters<typeof openTill>[0]): Promise<Till> {
  const till = await openTill({ syncIntervalMs: 60_000, ...opts })
  open.push(till)
  return till
}

async function value(till: Till, method: string, args: unknown = {}) {
  const res = await till.dispatch(method, args)
  if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`)
  return res.value as any // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function untilEnrolled(till: Till): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const status = await value(till, 'sync.now')
    if (status.enrolled) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error('not enrolled')
}

/** A kiosk core enrolled at a fresh canteen of the test server. */
async function kiosk() {
  const { f } = await s.canteen()
  const dir = freshDir()
  const till = await start({ dataDir: dir, serverUrl: s.server.url, enrolmentCode: await code(f.locationId, 'kiosk'), terminalKind: 'kiosk' })
  await untilEnrolled(till)
  return { f, till, dir }
}

describe('a core run as a parent kiosk', () => {
  it('enrols as a kiosk, says so in app.info, and holds no pupil data and no staff after syncing', async () => {
    const { f, till, dir } = await kiosk()
    expect(await value(till, 'app.info')).toMatchObject({ terminalKind: 'kiosk', location: { id: f.locationId, name: 'Kantine A' } })
    const status = await value(till, 'sync.now')
    expect(status).toMatchObject({ enrolled: true, online: true, stale: false, lastError: null })
    await till.close()
    open.splice(open.indexOf(till), 1)
    const db = openDb(dir)
    try {
      for (const table of ['accounts', 'cards', 'staff', 'products', 'locations']) {
        expect((db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n, table).toBe(0)
      }
      expect(getSetting(db, 'terminal_kind')).toBe('kiosk')
      expect(getSetting(db, 'pull_cursor')).toBeNull()
    } finally {
      db.close()
    }
  })

  it('answers app.wipe with fresh: false outside Electron (the page then reloads itself)', async () => {
    const { till } = await kiosk()
    expect(await value(till, 'app.wipe')).toEqual({ fresh: false })
  })

  it('refuses every method of the counter (staff, sales, cards, catalogue) and records nothing', async () => {
    const { f, till, dir } = await kiosk()
    const refused = [
      ['staff.signIn', { pin: '1234' }],
      ['staff.current', {}],
      ['staff.signOut', {}],
      ['catalog.get', {}],
      ['card.lookup', { cardNumber: f.alice.card }],
      ['sale.record', { saleId: randomUUID(), cardNumber: f.alice.card, lines: [{ productId: f.products.bun.productId, qty: 1 }] }],
      ['sale.outcome', { saleId: randomUUID() }],
      ['sale.recent', { limit: 5 }],
    ] as const
    for (const [method, args] of refused) {
      expect(await till.dispatch(method, args), method).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    }
    const db = openDb(dir)
    try {
      expect((db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n).toBe(0)
    } finally {
      db.close()
    }
  })

  it('relays guardian.request to the server with its own token in Kantine-Kiosk, without a staff sign-in', async () => {
    const { f, till } = await kiosk()
    const grant = await value(till, 'guardian.request', { method: 'POST', path: '/guardian/device', body: {} })
    expect(grant).toMatchObject({ status: 200, body: { user_code: expect.stringMatching(/^[A-Z]{4}-[A-Z]{4}$/) } })
    // The server knows which kiosk asked: the header arrived.
    const { rows } = await s.db.query<{ name: string; kind: string }>(
      `SELECT t.name, t.kind FROM guardian_device_grants g JOIN terminals t ON t.id = g.kiosk_terminal_id WHERE g.user_code = $1`,
      [grant.body.user_code],
    )
    expect(rows).toEqual([{ name: 'Kiosk 1', kind: 'kiosk' }])

    // The PIN sign-in, which only a kiosk may ask for, works through the relay; the session then opens the accounts.
    const session = await signInGuardian(s.server, f.data.guardians[0]!.id)
    expect((await api(s.server, 'PUT', '/guardian/pin', { token: session, body: { pin: '2468' } })).status).toBe(204)
    const signedIn = await value(till, 'guardian.request', { method: 'POST', path: '/guardian/pin-session', body: { cardNumber: f.alice.card, pin: '2468' } })
    expect(signedIn).toMatchObject({ status: 200, body: { token_type: 'Bearer', guardian: { name: 'Anna Andersen' } } })
    const accounts = await value(till, 'guardian.request', { method: 'GET', path: '/guardian/accounts', session: signedIn.body.access_token })
    expect(accounts.status).toBe(200)
    expect(accounts.body.accounts.map((a: { id: string }) => a.id)).toEqual([f.alice.accountId])
    // Refusals come back as the server gave them.
    expect(await value(till, 'guardian.request', { method: 'GET', path: '/guardian/accounts' })).toMatchObject({ status: 401, body: { error: 'unauthorized' } })
  })

  it('refuses a path that would leave /guardian/ once the URL is parsed, and sends nothing', async () => {
    const { till } = await kiosk()
    for (const path of ['/guardian/%2e%2e/admin/exposure', '/guardian/%2E%2E/sync/pull', '/guardian/.%2e/enrol']) {
      expect(await till.dispatch('guardian.request', { method: 'GET', path }), path).toMatchObject({ ok: false, error: { code: 'bad-argument' } })
    }
    for (const path of ['/admin/exposure', '/guardian/../admin', '//evil.example/guardian/x', '/guardian//x']) {
      expect(await till.dispatch('guardian.request', { method: 'GET', path }), path).toMatchObject({ ok: false, error: { code: 'bad-argument' } })
    }
  })

  it('answers status 0 when the server cannot be reached, and not-enrolled before it has enrolled', async () => {
    const { till, dir } = await kiosk()
    // The server moves away: the kiosk's address now points at a closed port.
    const db = openDb(dir)
    try {
      setSetting(db, 'server_url', 'http://127.0.0.1:9')
    } finally {
      db.close()
    }
    expect(await value(till, 'guardian.request', { method: 'GET', path: '/guardian/me' })).toMatchObject({ status: 0, body: { error: 'server-unreachable' } })

    const fresh = await start({ dataDir: freshDir(), terminalKind: 'kiosk' })
    expect(await value(fresh, 'guardian.request', { method: 'GET', path: '/guardian/me' })).toMatchObject({ status: 0, body: { error: 'not-enrolled' } })
  })
})

describe('a till core', () => {
  it('refuses guardian.request: a till relays nothing for parents', async () => {
    const { f } = await s.canteen()
    const till = await start({ dataDir: freshDir(), serverUrl: s.server.url, enrolmentCode: await code(f.locationId, 'till') })
    await untilEnrolled(till)
    const grantsBefore = (await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM guardian_device_grants')).rows[0]!.n
    expect(await till.dispatch('guardian.request', { method: 'POST', path: '/guardian/device', body: {} })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect((await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM guardian_device_grants')).rows[0]!.n).toBe(grantsBefore)
    expect(await value(till, 'app.info')).toMatchObject({ terminalKind: 'till' })
  })

  it('a kiosk code does not enrol a till (the server refuses the kind), and the till stays unenrolled', async () => {
    const { f } = await s.canteen()
    const till = await start({ dataDir: freshDir(), serverUrl: s.server.url, enrolmentCode: await code(f.locationId, 'kiosk') })
    const status = await value(till, 'sync.now')
    expect(status).toMatchObject({ enrolled: false, lastError: expect.stringMatching(/another kind of terminal/) })
  })

  it('a data folder keeps its kind: a till’s folder does not open as a kiosk, nor the reverse', async () => {
    const tillDir = freshDir()
    await (await start({ dataDir: tillDir, terminalKind: 'till' })).close()
    open.pop()
    await expect(openTill({ dataDir: tillDir, terminalKind: 'kiosk' })).rejects.toThrow(/belongs to a till/)
    const kioskDir = freshDir()
    await (await start({ dataDir: kioskDir, terminalKind: 'kiosk' })).close()
    open.pop()
    await expect(openTill({ dataDir: kioskDir, terminalKind: 'till' })).rejects.toThrow(/belongs to a parent kiosk/)
    // Without a kind asked for, it opens as what it is.
    const again = await start({ dataDir: kioskDir })
    expect(await value(again, 'app.info')).toMatchObject({ terminalKind: 'kiosk' })
  })
})

describe('the relay address', () => {
  it('stays on the server and under /guardian/, also behind a path prefix', () => {
    expect(relayUrl('https://k.example/', '/guardian/accounts', { from: '2026-01-01' })?.href).toBe('https://k.example/guardian/accounts?from=2026-01-01')
    expect(relayUrl('https://k.example/api', '/guardian/me')?.href).toBe('https://k.example/api/guardian/me')
    expect(relayUrl('https://k.example', '/guardian/%2e%2e/admin')).toBeNull()
    expect(relayUrl('https://k.example/api', '/guardian/%2e%2e/%2e%2e/admin')).toBeNull()
  })
})
