import { mkdtempSync, rmSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { MAX_PULL_PAGE } from '../../../domain/sync'
import { systemClock } from '../clock'
import { openDb } from '../store/db'
import { getSetting, setSetting } from '../store/settings'
import { PULL_PAGE, SyncEngine, backoffDelay, pullLimit } from './engine'

describe('retry backoff after a failed sync', () => {
  it('doubles per failure, from the base delay up to the maximum', () => {
    const top = () => 1 // the random half at its largest: the whole exponential delay
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, 1000, 60_000, top))).toEqual([1000, 2000, 4000, 8000, 16000])
    expect(backoffDelay(7, 1000, 60_000, top)).toBe(60_000)
    expect(backoffDelay(500, 1000, 60_000, top)).toBe(60_000)
  })
  it('keeps half of the delay fixed and spreads the other half, so tills do not retry in step', () => {
    expect(backoffDelay(3, 1000, 60_000, () => 0)).toBe(2000)
    expect(backoffDelay(3, 1000, 60_000, () => 0.5)).toBe(3000)
    const seen = new Set(Array.from({ length: 20 }, () => backoffDelay(4, 1000, 60_000, Math.random)))
    expect(seen.size).toBeGreaterThan(1)
    for (const d of seen) expect(d).toBeGreaterThanOrEqual(4000)
  })
})

describe('pull page size', () => {
  it('asks for MAX_PULL_PAGE while catching up and PULL_PAGE when current; a fixed size always wins', () => {
    expect(pullLimit({ cursor: null, behind: false })).toBe(MAX_PULL_PAGE)
    expect(pullLimit({ cursor: '7:42', behind: true })).toBe(MAX_PULL_PAGE)
    expect(pullLimit({ cursor: '7:42', behind: false })).toBe(PULL_PAGE)
    expect(pullLimit({ cursor: null, behind: true, fixed: 2 })).toBe(2)
  })
})

/**
 * A sync server on loopback that answers pulls with the pages a test gives it, and records each
 * pull's query. Without `snapshot` it has no /sync/snapshot (404), like a server before it.
 */
async function fakeServer(answer: (query: URLSearchParams) => string, snapshot?: () => string, photo?: (id: string) => string) {
  const pulls: URLSearchParams[] = []
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (url.pathname === '/sync/snapshot' && snapshot) return res.writeHead(200, { 'content-type': 'application/json' }).end(snapshot())
    if (url.pathname.startsWith('/sync/photos/') && photo) return res.writeHead(200, { 'content-type': 'application/json' }).end(photo(url.pathname.slice(13)))
    if (url.pathname !== '/sync/pull') return res.writeHead(404).end()
    pulls.push(url.searchParams)
    res.writeHead(200, { 'content-type': 'application/json' }).end(answer(url.searchParams))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, pulls, close: () => new Promise((resolve) => server.close(resolve)) }
}

const account = (id: string, balance: number) => ({
  entity: 'account',
  id,
  data: {
    holderName: 'Alice',
    photoId: null,
    status: 'active',
    balance,
    limits: { day: null, week: null, month: null },
    spent: { day: { key: '2026-11-24', amount: 0 }, week: { key: '2026-W48', amount: 0 }, month: { key: '2026-11', amount: 0 } },
    deniedCategoryIds: [],
    allowedLocationIds: null,
  },
})
const page = (changes: unknown[], cursor: string, hasMore: boolean) =>
  JSON.stringify({ changes, cursor, hasMore, ackSeq: null, serverTime: '2026-11-24T10:00:00.000Z' })

describe('the sync engine pulling pages', () => {
  const dirs: string[] = []
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))

  function enrolledTill(serverUrl: string) {
    const dir = mkdtempSync(join(tmpdir(), 'kantine-engine-'))
    dirs.push(dir)
    const db = openDb(dir)
    setSetting(db, 'device_token', 'token')
    const engine = new SyncEngine({
      db,
      clock: systemClock,
      serverUrl,
      tillName: 'Test',
      mayUpload: false,
      live: false,
      onStatus: () => {},
      onDataChanged: () => {},
      log: () => {},
    })
    return { db, engine }
  }

  it('an empty till at a server without snapshots pulls in pages of MAX_PULL_PAGE; a current one asks for PULL_PAGE first, MAX_PULL_PAGE once it is behind', async () => {
    const pages = [page([account('a-1', 100)], '1:1', true), page([account('a-2', 200)], '1:2', false)]
    let next = 0
    const server = await fakeServer(() => pages[next++] ?? page([], '1:2', false))
    const { db, engine } = enrolledTill(server.url)
    try {
      expect((await engine.syncNow()).lastError).toBeNull()
      expect(server.pulls.map((q) => [q.get('cursor'), q.get('limit')])).toEqual([
        ['0:0', String(MAX_PULL_PAGE)],
        ['1:1', String(MAX_PULL_PAGE)],
      ])
      pages.push(page([account('a-1', 50)], '2:3', true), page([], '2:3', false))
      server.pulls.length = 0
      await engine.syncNow()
      expect(server.pulls.map((q) => [q.get('cursor'), q.get('limit')])).toEqual([
        ['1:2', String(PULL_PAGE)],
        ['2:3', String(MAX_PULL_PAGE)],
      ])
      expect(db.prepare('SELECT id, balance FROM accounts ORDER BY id').all()).toEqual([
        { id: 'a-1', balance: 50 },
        { id: 'a-2', balance: 200 },
      ])
    } finally {
      await engine.stop()
      db.close()
      await server.close()
    }
  })

  it('refuses a malformed page whole, with a clear error, and applies nothing of it', async () => {
    const bad = { ...account('a-2', 200), data: { ...account('a-2', 200).data, balance: 1.5 } }
    const server = await fakeServer(() => page([account('a-1', 100), bad], '1:2', false))
    const { db, engine } = enrolledTill(server.url)
    try {
      const status = await engine.syncNow()
      expect(status.lastError).toMatch(/does not match protocol/)
      expect(db.prepare('SELECT COUNT(*) AS n FROM accounts').get()).toEqual({ n: 0 })
      expect(getSetting(db, 'pull_cursor')).toBeNull()
    } finally {
      await engine.stop()
      db.close()
      await server.close()
    }
  })

  const snapshot = (accounts: { id: string[]; balance: number[] }, cursor: string) => {
    const n = accounts.id.length
    const col = <T>(v: T) => Array.from({ length: n }, () => v)
    return JSON.stringify({
      cursor,
      ackSeq: 0,
      serverTime: '2026-11-24T10:00:00.000Z',
      periods: { day: '2026-11-24', week: '2026-W48', month: '2026-11' },
      changes: [{ entity: 'location', id: 'l-1', data: { name: 'Kantinen' } }],
      accounts: {
        ...accounts,
        holderName: col('Alice'),
        photoId: col(null),
        status: col('active'),
        limitDay: col(null),
        limitWeek: col(null),
        limitMonth: col(null),
        spentDay: col(0),
        spentWeek: col(0),
        spentMonth: col(0),
        deniedCategoryIds: col([]),
        allowedLocationIds: col(null),
      },
      cards: { number: ['K1'], accountId: ['a-1'], status: ['active'] },
    })
  }

  it('an empty till starts from the snapshot, then pulls from its cursor', async () => {
    const server = await fakeServer(
      () => page([account('a-2', 150)], '9:1', false),
      () => snapshot({ id: ['a-1', 'a-2'], balance: [100, 200] }, '9:0'),
    )
    const { db, engine } = enrolledTill(server.url)
    try {
      expect((await engine.syncNow()).lastError).toBeNull()
      expect(server.pulls.map((q) => q.get('cursor'))).toEqual(['9:0'])
      expect(db.prepare('SELECT id, balance FROM accounts ORDER BY id').all()).toEqual([
        { id: 'a-1', balance: 100 },
        { id: 'a-2', balance: 150 },
      ])
      expect(db.prepare('SELECT number, account_id FROM cards').all()).toEqual([{ number: 'K1', account_id: 'a-1' }])
      expect(getSetting(db, 'pull_cursor')).toBe('9:1')
      // Later syncs pull; the snapshot is for a till that has never pulled.
      await engine.syncNow()
      expect(server.pulls.map((q) => q.get('cursor'))).toEqual(['9:0', '9:1'])
    } finally {
      await engine.stop()
      db.close()
      await server.close()
    }
  })

  it('refuses a malformed snapshot whole (columns of different lengths) and applies nothing of it', async () => {
    const server = await fakeServer(
      () => page([], '9:0', false),
      () => snapshot({ id: ['a-1', 'a-2'], balance: [100] }, '9:0'),
    )
    const { db, engine } = enrolledTill(server.url)
    try {
      expect((await engine.syncNow()).lastError).toMatch(/does not match protocol/)
      expect(db.prepare('SELECT COUNT(*) AS n FROM accounts').get()).toEqual({ n: 0 })
      expect(getSetting(db, 'pull_cursor')).toBeNull()
      expect(server.pulls).toHaveLength(0)
    } finally {
      await engine.stop()
      db.close()
      await server.close()
    }
  })

  it('keeps a fetched photo only when it is the image its id names', async () => {
    const real = 'data:image/svg+xml;base64,PHN2Zy8+'
    const id = createHash('sha256').update(real).digest('hex')
    const other = createHash('sha256').update('data:image/png;base64,AAAA').digest('hex')
    // The server answers every photo id with the same image.
    const server = await fakeServer(() => page([], '1:1', false), undefined, (asked) => JSON.stringify({ id: asked, data: real }))
    const { db, engine } = enrolledTill(server.url)
    try {
      await engine.syncNow()
      await Promise.all([engine.fetchPhoto(other), engine.fetchPhoto(id)])
      expect(db.prepare('SELECT id FROM photos').all()).toEqual([{ id }])
    } finally {
      await engine.stop()
      db.close()
      await server.close()
    }
  })
})

describe('online is not one request', () => {
  const dirs: string[] = []
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))

  /** A server whose next pull answers are scripted: 'ok', a status code, or 'reset' (connection cut). */
  async function scriptedServer(script: ('ok' | 'reset' | number)[]) {
    const server = createServer((req, res) => {
      const next = script.shift() ?? 'ok'
      if (next === 'reset') return req.socket.destroy()
      if (next !== 'ok') return res.writeHead(next, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'unavailable', message: 'down for maintenance' }))
      res.writeHead(200, { 'content-type': 'application/json' }).end(page([], '1:1', false))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(resolve)) }
  }

  function till(serverUrl: string) {
    const dir = mkdtempSync(join(tmpdir(), 'kantine-online-'))
    dirs.push(dir)
    const db = openDb(dir)
    setSetting(db, 'device_token', 'token')
    setSetting(db, 'pull_cursor', '0:0') // no snapshot: pull straight away
    let t = Date.parse('2026-11-24T10:00:00.000Z')
    const clock = { now: () => new Date(t) }
    const engine = new SyncEngine({ db, clock, serverUrl, tillName: 'Test', mayUpload: false, live: false, onStatus: () => {}, onDataChanged: () => {}, log: () => {} })
    return { db, engine, tick: (ms: number) => (t += ms) }
  }

  it('one connection cut does not make an online till offline; two in a row do', async () => {
    // A failed request is two cut connections: the client tries a new one at once (sync/http.ts).
    const server = await scriptedServer(['ok', 'reset', 'reset', 'reset', 'reset'])
    const { db, engine, tick } = till(server.url)
    try {
      expect((await engine.syncNow()).online).toBe(true)
      tick(1000)
      const once = await engine.syncNow()
      expect(once.lastError).toMatch(/not reachable|cut off/)
      expect(once.online).toBe(true) // no offline allowance for one lost request
      tick(1000)
      expect((await engine.syncNow()).online).toBe(false)
      tick(1000)
      expect((await engine.syncNow()).online).toBe(true)
    } finally {
      await engine.stop()
      db.close()
      await server.close()
    }
  })

  it('counts a sale recorded while a cycle hangs at once: the status never says nothing waits', async () => {
    // A server that takes the request and does not answer (a paused process).
    const held: ServerResponse[] = []
    const server = createServer((_req, res) => void held.push(res))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const dir = mkdtempSync(join(tmpdir(), 'kantine-online-'))
    dirs.push(dir)
    const db = openDb(dir)
    setSetting(db, 'device_token', 'token')
    setSetting(db, 'pull_cursor', '0:0')
    const seen: number[] = []
    const engine = new SyncEngine({
      db,
      clock: { now: () => new Date('2026-11-24T10:00:00.000Z') },
      serverUrl: url,
      tillName: 'Test',
      mayUpload: false,
      live: false,
      onStatus: (status) => void seen.push(status.pending),
      onDataChanged: () => {},
      log: () => {},
    })
    try {
      const hanging = engine.syncNow()
      await new Promise((resolve) => setTimeout(resolve, 100))
      expect(held.length).toBeGreaterThan(0)
      db.prepare(`INSERT INTO outbox (mutation_id, kind, payload, created_at) VALUES ('m-1', 'sale.record', '{}', '2026-11-24T10:00:00.000Z')`).run()
      engine.kick()
      expect(seen.at(-1)).toBe(1)
      held.forEach((res) => res.writeHead(200, { 'content-type': 'application/json' }).end(page([], '1:1', false)))
      await hanging
    } finally {
      await engine.stop()
      db.close()
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it('a server answering 503 is not one the till is in touch with', async () => {
    const server = await scriptedServer(['ok', 503, 503])
    const { db, engine, tick } = till(server.url)
    try {
      expect((await engine.syncNow()).online).toBe(true)
      tick(1000)
      await engine.syncNow()
      tick(1000)
      const status = await engine.syncNow()
      expect(status.lastError).toMatch(/maintenance/)
      expect(status.online).toBe(false)
    } finally {
      await engine.stop()
      db.close()
      await server.close()
    }
  })
})

describe('data age on the till clock', () => {
  it('a till whose clock runs three hours ahead of the server is not "stale" right after a pull, and is after 15 minutes', async () => {
    const server = await fakeServer(() => page([], '1:1', false)) // serverTime 10:00
    const dir = mkdtempSync(join(tmpdir(), 'kantine-age-'))
    const db = openDb(dir)
    setSetting(db, 'device_token', 'token')
    let t = Date.parse('2026-11-24T13:00:00.000Z')
    const engine = new SyncEngine({ db, clock: { now: () => new Date(t) }, serverUrl: server.url, tillName: 'Test', mayUpload: false, live: false, onStatus: () => {}, onDataChanged: () => {}, log: () => {} })
    try {
      const status = await engine.syncNow()
      expect(status).toMatchObject({ lastError: null, lastSyncAt: '2026-11-24T10:00:00.000Z', stale: false })
      expect(getSetting(db, 'last_pull_local_at')).toBe('2026-11-24T13:00:00.000Z')
      t += 15 * 60_000 + 1
      expect(engine.status().stale).toBe(true)
    } finally {
      await engine.stop()
      db.close()
      await server.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('enrolment', () => {
  it('keeps the request id before sending it: after a crash the till asks again as the same request', async () => {
    const asked: { requestId: string; nextSeq: number }[] = []
    let cut = 2 // the first try and its immediate retry never get an answer
    const server = createServer((req, res) => {
      let body = ''
      req.on('data', (d: Buffer) => (body += d.toString()))
      req.on('end', () => {
        if (req.url === '/enrol') {
          asked.push(JSON.parse(body) as { requestId: string; nextSeq: number })
          if (cut-- > 0) return req.socket.destroy()
          const answer = { terminalId: 't-1', token: 'x'.repeat(40), locationId: 'l-1', municipalityId: 'm-1' }
          return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer))
        }
        if (req.url?.startsWith('/sync/snapshot')) return res.writeHead(404).end()
        res.writeHead(200, { 'content-type': 'application/json' }).end(page([], '1:1', false))
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const dir = mkdtempSync(join(tmpdir(), 'kantine-enrol-'))
    const open = () => {
      const db = openDb(dir)
      const engine = new SyncEngine({ db, clock: systemClock, serverUrl: url, enrolmentCode: 'ABCDE-FGHJK', tillName: 'Kasse', mayUpload: true, live: false, onStatus: () => {}, onDataChanged: () => {}, log: () => {} })
      return { db, engine }
    }
    try {
      const first = open()
      expect((await first.engine.syncNow()).enrolled).toBe(false)
      await first.engine.stop()
      first.db.close() // the till process dies here

      const second = open()
      const status = await second.engine.syncNow()
      expect(status).toMatchObject({ enrolled: true, lastError: null })
      expect(asked).toHaveLength(3)
      expect(new Set(asked.map((a) => a.requestId)).size).toBe(1)
      expect(asked[0]!.requestId).toMatch(/^[0-9a-f-]{36}$/)
      expect(asked.map((a) => a.nextSeq)).toEqual([1, 1, 1])
      expect(getSetting(second.db, 'terminal_id')).toBe('t-1')
      expect(getSetting(second.db, 'enrol_request')).toBeNull()
      await second.engine.stop()
      second.db.close()
    } finally {
      await new Promise((resolve) => server.close(resolve))
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('two pulls that overlap', () => {
  it('the older page, answered last, is not applied over the newer one: no balance rolls back', async () => {
    // Two processes on one till store (the uploader and a second one that only pulls) both ask
    // from cursor 1:1. The first is answered late, with the older state of the account.
    let held: (() => void) | null = null
    const server = createServer((req, res) => {
      const cursor = new URL(req.url ?? '/', 'http://x').searchParams.get('cursor')
      const send = (body: string) => res.writeHead(200, { 'content-type': 'application/json' }).end(body)
      if (cursor !== '1:1') return send(page([], cursor ?? '0:0', false))
      if (!held) {
        held = () => send(page([account('a-1', 15000)], '2:1', false)) // page A: before the sale and the deposit
        return
      }
      send(page([account('a-1', 9000)], '3:1', false)) // page B: newer
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const dir = mkdtempSync(join(tmpdir(), 'kantine-overlap-'))
    const seed = openDb(dir)
    setSetting(seed, 'device_token', 'token')
    setSetting(seed, 'pull_cursor', '1:1')
    seed.close()
    const open = () => {
      const db = openDb(dir)
      return { db, engine: new SyncEngine({ db, clock: systemClock, serverUrl: url, tillName: 'Test', mayUpload: false, live: false, onStatus: () => {}, onDataChanged: () => {}, log: () => {} }) }
    }
    const first = open()
    const second = open()
    try {
      const slow = first.engine.syncNow()
      while (!held) await new Promise((r) => setTimeout(r, 5))
      expect((await second.engine.syncNow()).lastError).toBeNull() // page B applied
      ;(held as () => void)()
      expect((await slow).lastError).toBeNull()
      expect(first.db.prepare('SELECT balance FROM accounts').all()).toEqual([{ balance: 9000 }])
      expect(getSetting(first.db, 'pull_cursor')).toBe('3:1')
    } finally {
      await first.engine.stop()
      await second.engine.stop()
      first.db.close()
      second.db.close()
      await new Promise((resolve) => server.close(resolve))
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
