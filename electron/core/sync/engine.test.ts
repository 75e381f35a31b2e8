import { mkdtempSync, rmSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { createServer } from 'node:http'
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
