/**
 * Test support: a database per test file, a settable clock, a small municipality fixture and
 * helpers that talk to a running server like a till does.
 *
 * `KANTINE_TEST_DATABASE_URL` set: PostgreSQL at that URL, in a fresh random schema dropped by
 * `close()`. Unset: PGlite in memory (about 5 s to create: one per test FILE, not per test).
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { PROTOCOL_VERSION, SCHEMA_VERSION, SnapshotResponse, type CardSalePayload, type Mutation, type PullResponse, type SaleLine } from '../../domain/sync'
import type { Clock } from '../../server/platform/clock'
import { openDb, type Db } from '../../server/db'
import { insertMunicipality, type DemoData } from '../../server/demo/demo'
import WebSocket from 'ws'
import type { RunningServer } from '../../server/app'

export const TEST_DATABASE_URL = process.env.KANTINE_TEST_DATABASE_URL

export async function openTestDb(): Promise<Db> {
  if (!TEST_DATABASE_URL) return openDb()
  const schema = `test_${randomBytes(6).toString('hex')}`
  const db = await openDb({ url: TEST_DATABASE_URL, schema })
  return {
    ...db,
    kind: db.kind,
    async close() {
      try {
        await db.query(`DROP SCHEMA ${schema} CASCADE`)
      } finally {
        await db.close()
      }
    },
  }
}

export interface TestClock extends Clock {
  set(at: string | Date): void
  advance(ms: number): void
}

/** Starts at a Tuesday lunch in Copenhagen (2026-11-24 12:00 CET). */
export function testClock(start: string | Date = '2026-11-24T11:00:00.000Z'): TestClock {
  let now = new Date(start)
  return {
    now: () => new Date(now),
    set: (at) => void (now = new Date(at)),
    advance: (ms) => void (now = new Date(now.getTime() + ms)),
  }
}

/** A unique suffix, so many fixtures live side by side in one database (ids and card numbers are global). */
export function uniqueSuffix(): string {
  return randomBytes(4).toString('hex').toUpperCase()
}

export interface Fixture {
  data: DemoData
  municipalityId: string
  /** The canteen tills are enrolled at, and a second canteen. */
  locationId: string
  otherLocationId: string
  staffId: string
  products: { bun: SaleLine; cola: SaleLine; candy: SaleLine }
  /** Alice: 100 kr, active, card active. */
  alice: { accountId: string; card: string; oldCard: string }
  /** Bob: 20 kr, day limit 30 kr, candy denied. */
  bob: { accountId: string; card: string }
}

/** Bob's photo in every fixture (a tiny valid SVG). */
export const BOB_PHOTO = 'data:image/svg+xml;base64,PHN2Zy8+'

/** A tiny municipality: two canteens, three products, two pupils. */
export function fixtureData(suffix = uniqueSuffix()): Fixture {
  const s = suffix.toLowerCase()
  const m = `m-${s}`
  const loc = `loc-a-${s}`
  const loc2 = `loc-b-${s}`
  const food = `cat-food-${s}`
  const sweets = `cat-sweets-${s}`
  const line = (productId: string, name: string, categoryId: string, unitPrice: number): SaleLine => ({ productId, name, categoryId, qty: 1, unitPrice })
  const products = {
    bun: line(`p-bun-${s}`, 'Bolle med ost', food, 1500),
    cola: line(`p-cola-${s}`, 'Cola', food, 2000),
    candy: line(`p-candy-${s}`, 'Slikpose', sweets, 1000),
  }
  const alice = { accountId: `acc-alice-${s}`, card: `A${suffix}1`, oldCard: `A${suffix}0` }
  const bob = { accountId: `acc-bob-${s}`, card: `B${suffix}1` }
  const data: DemoData = {
    municipality: { id: m, name: `Testkommune ${suffix}` },
    locations: [
      { id: loc, name: 'Kantine A' },
      { id: loc2, name: 'Kantine B' },
    ],
    categories: [
      { id: food, name: 'Mad', sort: 1 },
      { id: sweets, name: 'Slik', sort: 2 },
    ],
    products: Object.values(products).map((p, i) => ({
      id: p.productId,
      name: p.name,
      categoryId: p.categoryId,
      prices: { [loc]: p.unitPrice, [loc2]: p.unitPrice },
      barcode: null,
      sort: i,
    })),
    staff: [{ id: `staff-${s}`, name: 'Kasse Karen', pin: '1234', roles: ['cashier'], locationIds: [loc, loc2] }],
    holders: [
      {
        accountId: alice.accountId,
        name: 'Alice Andersen',
        photo: null,
        cpr: '0101101234',
        balance: 10000,
        status: 'active',
        limits: { day: null, week: null, month: null },
        deniedCategoryIds: [],
        allowedLocationIds: null,
        cards: [
          { number: alice.oldCard, status: 'replaced' },
          { number: alice.card, status: 'active' },
        ],
      },
      {
        accountId: bob.accountId,
        name: 'Bob Bertelsen',
        photo: BOB_PHOTO,
        cpr: '0202102345',
        balance: 2000,
        status: 'active',
        limits: { day: 3000, week: null, month: null },
        deniedCategoryIds: [sweets],
        allowedLocationIds: [loc],
        cards: [{ number: bob.card, status: 'active' }],
      },
    ],
    guardians: [{ id: `g-${s}`, name: 'Anna Andersen', email: `anna-${s}@example.dk`, accountIds: [alice.accountId] }],
  }
  return { data, municipalityId: m, locationId: loc, otherLocationId: loc2, staffId: `staff-${s}`, products, alice, bob }
}

export async function seedFixture(db: Db, clock?: Clock): Promise<Fixture> {
  const fixture = fixtureData()
  await insertMunicipality(db, fixture.data, { clock })
  return fixture
}

// --- talking to a running server like a till --------------------------------------------------

export interface Till {
  terminalId: string
  token: string
  locationId: string
  municipalityId: string
}

export async function api(server: RunningServer, method: string, path: string, opts: { token?: string; body?: unknown; rawBody?: string } = {}) {
  const headers: Record<string, string> = {}
  if (opts.token) headers.authorization = `Bearer ${opts.token}`
  let body: string | undefined
  if (opts.rawBody !== undefined || opts.body !== undefined) {
    headers['content-type'] = 'application/json'
    body = opts.rawBody ?? JSON.stringify(opts.body)
  }
  const response = await fetch(server.url + path, { method, headers, body })
  const text = await response.text()
  return { status: response.status, body: (text ? JSON.parse(text) : null) as any } // eslint-disable-line @typescript-eslint/no-explicit-any
}

export async function enrolTill(server: RunningServer, locationId: string, name = 'Kasse 1'): Promise<Till> {
  const code = await api(server, 'POST', '/admin/enrolment-codes', { token: server.adminToken, body: { locationId } })
  if (code.status !== 200) throw new Error(`enrolment code: ${code.status} ${JSON.stringify(code.body)}`)
  const enrolled = await api(server, 'POST', '/enrol', { body: { code: code.body.code, name } })
  if (enrolled.status !== 200) throw new Error(`enrol: ${enrolled.status} ${JSON.stringify(enrolled.body)}`)
  return enrolled.body as Till
}

export interface SaleOptions {
  card?: string
  accountId?: string
  lines?: SaleLine[]
  total?: number
  offline?: boolean
  at?: string
  saleId?: string
  locationId?: string
  staffId?: string
}

/** A `sale.record` mutation as a till's outbox holds it. */
export function sale(f: Fixture, seq: number, o: SaleOptions = {}): Extract<Mutation, { kind: 'sale.record' }> & { payload: CardSalePayload } {
  const lines = o.lines ?? [f.products.bun]
  return {
    seq,
    id: randomUUID(),
    kind: 'sale.record',
    payload: {
      saleId: o.saleId ?? randomUUID(),
      cardNumber: o.card ?? f.alice.card,
      accountId: o.accountId ?? f.alice.accountId,
      locationId: o.locationId ?? f.locationId,
      staffId: o.staffId ?? f.staffId,
      at: o.at ?? '2026-11-24T11:00:00.000Z',
      lines,
      total: o.total ?? lines.reduce((n, l) => n + l.qty * l.unitPrice, 0),
      offline: o.offline ?? false,
    },
  }
}

export function pushBody(mutations: Mutation[]) {
  return { protocol: PROTOCOL_VERSION, schema: SCHEMA_VERSION, mutations }
}

export function pushAs(server: RunningServer, till: Till, mutations: Mutation[]) {
  return api(server, 'POST', '/sync/push', { token: till.token, body: pushBody(mutations) })
}

/**
 * Waits until every transaction that began before now has ended, i.e. until everything already
 * committed can pass the pull guard (sync/pull.ts). On a shared PostgreSQL, unrelated
 * transactions (other test files, other users) would otherwise hold rows back for a moment.
 */
export async function pullBarrier(db: Db, timeoutMs = 20_000): Promise<void> {
  const { rows } = await db.query<{ now: string }>('SELECT pg_current_xact_id()::text AS now')
  const now = rows[0]!.now
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const r = await db.query<{ passed: boolean }>('SELECT pg_snapshot_xmin(pg_current_snapshot()) > $1::xid8 AS passed', [now])
    if (r.rows[0]?.passed) return
    if (Date.now() > deadline) throw new Error('pullBarrier: a transaction stayed open too long')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

export interface PullOptions {
  /** false: pull as a till would, without waiting for unrelated transactions (see pullBarrier). */
  barrier?: boolean
}

export async function pullPage(server: RunningServer, till: Till, cursor = '0:0', limit?: number, opts: PullOptions = {}): Promise<PullResponse> {
  if (opts.barrier !== false) await pullBarrier(server.db)
  const query = `?cursor=${encodeURIComponent(cursor)}${limit ? `&limit=${limit}` : ''}&protocol=${PROTOCOL_VERSION}&schema=${SCHEMA_VERSION}`
  const r = await api(server, 'GET', `/sync/pull${query}`, { token: till.token })
  if (r.status !== 200) throw new Error(`pull: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body as PullResponse
}

/** A till's snapshot (GET /sync/snapshot), checked against the wire schema. */
export async function snapshotOf(server: RunningServer, till: Till): Promise<SnapshotResponse> {
  const r = await api(server, 'GET', `/sync/snapshot?protocol=${PROTOCOL_VERSION}&schema=${SCHEMA_VERSION}`, { token: till.token })
  if (r.status !== 200) throw new Error(`snapshot: ${r.status} ${JSON.stringify(r.body)}`)
  return SnapshotResponse.parse(r.body)
}

/** Pulls every page from `cursor` on; returns all changes and the pages' ackSeqs. */
export async function pullAll(server: RunningServer, till: Till, cursor = '0:0', limit?: number, opts: PullOptions = {}) {
  const pages: PullResponse[] = []
  for (;;) {
    const page = await pullPage(server, till, cursor, limit, opts)
    pages.push(page)
    cursor = page.cursor
    if (!page.hasMore) break
  }
  return { pages, changes: pages.flatMap((p) => p.changes), cursor }
}

/** A till's live connection, recording what it receives. */
export async function connectLive(server: RunningServer, token: string) {
  const socket = new WebSocket(server.url.replace('http', 'ws') + '/sync/live', { headers: { authorization: `Bearer ${token}` } })
  const messages: unknown[] = []
  const waiters: (() => void)[] = []
  socket.on('message', (data) => {
    messages.push(JSON.parse(String(data)))
    waiters.splice(0).forEach((w) => w())
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    socket.once('error', reject)
  })
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })))
  return {
    messages,
    /** Resolves when the server (or `close`) ends the connection. */
    closed,
    next: (timeoutMs = 2000) =>
      new Promise<unknown>((resolve, reject) => {
        const before = messages.length
        const timer = setTimeout(() => reject(new Error('no message')), timeoutMs)
        waiters.push(() => {
          clearTimeout(timer)
          resolve(messages[before])
        })
      }),
    close: () => socket.close(),
  }
}

// --- timers a test moves by hand ------------------------------------------------------------------

export interface FakeTimers {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
  /** Moves time on by `ms`, running every timer that falls due, in order (timers set by them too). */
  advance(ms: number): void
  /** How many timers are waiting. */
  pending(): number
}

/** Injected where the server takes `Timers` (platform/clock.ts): retries and throttles without waiting. */
export function fakeTimers(): FakeTimers {
  let now = 0
  let nextId = 0
  const queue: { id: number; at: number; fn: () => void }[] = []
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const timer = { id: nextId++, at: now + Math.max(0, ms), fn }
      queue.push(timer)
      return timer
    },
    clearTimeout(handle) {
      const i = queue.indexOf(handle as (typeof queue)[number])
      if (i >= 0) queue.splice(i, 1)
    },
    advance(ms) {
      const end = now + ms
      for (;;) {
        queue.sort((a, b) => a.at - b.at || a.id - b.id)
        const due = queue[0]
        if (!due || due.at > end) break
        queue.shift()
        now = due.at
        due.fn()
      }
      now = end
    },
    pending: () => queue.length,
  }
}

// --- a guardian signing in at a kiosk ---------------------------------------------------------------

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'

/** The kiosk's side of the sign-in: asks for a grant (POST /guardian/device). */
export async function startKioskSignIn(server: RunningServer) {
  const r = await api(server, 'POST', '/guardian/device', { body: {} })
  if (r.status !== 200) throw new Error(`device: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body as { device_code: string; user_code: string; verification_uri: string; verification_uri_complete: string; expires_in: number; interval: number }
}

/** The kiosk polls once (POST /guardian/token). */
export function pollKiosk(server: RunningServer, deviceCode: string) {
  return api(server, 'POST', '/guardian/token', { body: { grant_type: DEVICE_CODE_GRANT, device_code: deviceCode } })
}

/**
 * The phone's side with the simulated identity provider: opens the user code, "signs in" as
 * `guardianId` (or declines), and follows the redirect to the callback. Returns the callback's answer.
 */
export async function approveOnPhone(server: RunningServer, userCode: string, guardianId: string | { deny: true }) {
  const verify = await api(server, 'GET', `/guardian/verify?user_code=${encodeURIComponent(userCode)}`)
  if (verify.status !== 200) return verify
  const authorize = new URL(verify.body.authorizationUrl as string, server.url)
  const state = authorize.searchParams.get('state') ?? ''
  const nonce = authorize.searchParams.get('nonce') ?? ''
  const body = typeof guardianId === 'string' ? { state, nonce, guardianId } : { state, deny: true }
  const signIn = await api(server, 'POST', authorize.pathname, { body })
  if (signIn.status !== 200) return signIn
  const callback = new URL(signIn.body.redirect as string)
  return api(server, 'GET', callback.pathname + callback.search)
}

/** The whole sign-in of a guardian at a kiosk; returns the session token. Needs `guardian: { identity: 'simulated' }`. */
export async function signInGuardian(server: RunningServer, guardianId: string): Promise<string> {
  const grant = await startKioskSignIn(server)
  const approved = await approveOnPhone(server, grant.user_code, guardianId)
  if (approved.status !== 200) throw new Error(`approve: ${approved.status} ${JSON.stringify(approved.body)}`)
  const token = await pollKiosk(server, grant.device_code)
  if (token.status !== 200) throw new Error(`token: ${token.status} ${JSON.stringify(token.body)}`)
  return token.body.access_token as string
}
