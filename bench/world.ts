/**
 * The server every benchmark talks to: PGlite (in memory, or in a temp folder with
 * BENCH_SERVER_DB=folder) loaded with the realistic data set (bench/data.ts), listening on
 * loopback. Loading takes a minute or more and is never measured: one process loads it once and
 * the benchmarks share it (each enrols its own tills), and the loaded database is cached as a
 * PGlite dump in the OS temp folder for the next `npm run bench` (BENCH_CACHE=0: always load).
 *
 * Also the till-side plumbing the benchmarks share: temp folders, opening a real till, waiting
 * for its sync events, and a till that has done its initial sync (for pull-1000).
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { EventMessage, SyncStatus } from '../electron/core/api/contract'
import { openTill, type Till, type TillOptions } from '../electron/core/till'
import { startServer, type RunningServer } from '../server/app'
import { migrate, type Db } from '../server/db'
import { insertMunicipality, type DemoData } from '../server/demo/demo'
import { api } from '../test/support/server'
import { generateData } from './data'
import { openBenchPglite, type BenchPglite } from './pglite'

export interface World {
  db: Db
  server: RunningServer
  data: DemoData
  /** What loading cost (not measured, reported for context). */
  loadMs: number
  /** Where the loaded database came from: generated and inserted now, or the cached dump of an earlier load. */
  loadedFrom: 'insert' | 'cache'
  serverDb: 'memory' | 'folder'
  enrolmentCode(locationId: string): Promise<string>
}

const HOUR = 3_600_000
let root: string | null = null
let pending: Promise<World> | null = null

export function tempRoot(): string {
  root ??= mkdtempSync(join(tmpdir(), 'kantine-bench-'))
  return root
}

let tmpCounter = 0
export function tmpDir(name: string): string {
  const dir = join(tempRoot(), `${++tmpCounter}-${name}`)
  mkdirSync(dir, { recursive: true })
  return dir
}

export function world(): Promise<World> {
  pending ??= load()
  return pending
}

const ROOT = fileURLToPath(new URL('..', import.meta.url))
/** What shapes the loaded database: the data set, the schema, the loader and what it calls. */
const CACHE_INPUTS = ['bench/data.ts', 'bench/pglite.ts', 'domain', 'server/db', 'server/demo.ts', 'server/changes.ts', 'server/ledger.ts', 'server/crypto.ts', 'server/tx.ts', 'node_modules/@electric-sql/pglite/package.json']
const CACHE_DIR = join(tmpdir(), 'kantine-bench-cache')

function cacheKey(): string {
  const hash = createHash('sha256')
  const add = (path: string) => {
    if (!existsSync(path)) return hash.update(`${relative(ROOT, path)} missing\0`)
    if (statSync(path).isDirectory()) {
      for (const f of readdirSync(path).sort()) if (!f.endsWith('.test.ts')) add(join(path, f))
    } else {
      hash.update(relative(ROOT, path)).update('\0').update(readFileSync(path)).update('\0')
    }
  }
  for (const p of CACHE_INPUTS) add(join(ROOT, p))
  return hash.digest('hex').slice(0, 16)
}

/**
 * The loaded database: from the cache when this code and data set were loaded before (BENCH_CACHE=0
 * always loads), else generated, inserted with server/demo/demo.ts `insertMunicipality`, and cached.
 */
async function openLoaded(serverDb: 'memory' | 'folder', data: DemoData): Promise<{ pg: BenchPglite; from: 'insert' | 'cache' }> {
  const dataDir = serverDb === 'folder' ? tmpDir('server-pgdata') : undefined
  const useCache = process.env.BENCH_CACHE !== '0'
  const file = join(CACHE_DIR, `loaded-${cacheKey()}.tar`)
  if (useCache && existsSync(file)) {
    try {
      return { pg: await openBenchPglite({ dataDir, load: new Blob([readFileSync(file)]) }), from: 'cache' }
    } catch (err) {
      console.log(`  (the cached load ${file} does not open: ${String(err)}; loading the data set instead)`)
      rmSync(file, { force: true })
    }
  }
  const pg = await openBenchPglite({ dataDir })
  await migrate(pg.db)
  await insertMunicipality(pg.db, data)
  if (useCache) {
    try {
      mkdirSync(CACHE_DIR, { recursive: true })
      for (const old of readdirSync(CACHE_DIR)) if (old.startsWith('loaded-')) rmSync(join(CACHE_DIR, old), { force: true })
      const tarball = Buffer.from(await (await pg.dump()).arrayBuffer())
      writeFileSync(`${file}.part`, tarball)
      renameSync(`${file}.part`, file)
    } catch (err) {
      console.log(`  (could not cache the loaded database: ${String(err)})`)
    }
  }
  return { pg, from: 'insert' }
}

async function load(): Promise<World> {
  const started = performance.now()
  const serverDb = process.env.BENCH_SERVER_DB === 'folder' ? 'folder' : 'memory'
  const data = generateData()
  const { pg, from } = await openLoaded(serverDb, data)
  const db = pg.db
  const server = await startServer({ db, port: 0 })
  const loadMs = performance.now() - started
  const w: World = {
    db,
    server,
    data,
    loadMs,
    loadedFrom: from,
    serverDb,
    async enrolmentCode(locationId) {
      const r = await api(server, 'POST', '/admin/enrolment-codes', { token: server.adminToken, body: { locationId } })
      if (r.status !== 200) throw new Error(`enrolment code: ${r.status} ${JSON.stringify(r.body)}`)
      return r.body.code as string
    },
  }
  return w
}

export async function closeWorld(): Promise<void> {
  if (pending) {
    const w = await pending
    await w.server.close()
    await w.db.close()
    pending = null
  }
  synced = null
  if (root) rmSync(root, { recursive: true, force: true })
  root = null
}

/** A real till as the shells open it; background sync only on demand (no timer during a run). */
export function startTill(w: World, opts: Partial<TillOptions> & { dataDir: string }): Promise<Till> {
  return openTill({ serverUrl: w.server.url, tillName: 'Bench', syncIntervalMs: HOUR, ...opts })
}

export async function syncNow(till: Till): Promise<SyncStatus> {
  const r = await till.dispatch('sync.now', {})
  if (!r.ok) throw new Error(`sync.now: ${r.error.code} ${r.error.message}`)
  const status = r.value as SyncStatus
  if (status.lastError) throw new Error(`sync.now: ${status.lastError}`)
  return status
}

/** Resolves with the time (performance.now()) of the first event that `match` accepts. */
export function whenEvent(till: Till, match: (m: EventMessage) => boolean): { at: Promise<number>; cancel(): void } {
  let cancel = () => {}
  const at = new Promise<number>((resolve) => {
    const off = till.subscribe((m) => {
      if (match(m)) {
        off()
        resolve(performance.now())
      }
    })
    cancel = off
  })
  return { at, cancel }
}

let synced: Promise<string> | null = null

/**
 * The data folder of a till (closed) that enrolled at the first canteen and pulled everything.
 * `fromInitialSync` lets the initial-sync benchmark hand over one of its tills instead.
 */
export function syncedTillDir(w: World, fromInitialSync?: string): Promise<string> {
  if (fromInitialSync) synced = Promise.resolve(fromInitialSync)
  synced ??= (async () => {
    const dataDir = tmpDir('synced-till')
    const till = await startTill(w, { dataDir, enrolmentCode: await w.enrolmentCode(w.data.locations[0]!.id) })
    try {
      await syncNow(till)
    } finally {
      await till.close()
    }
    return dataDir
  })()
  return synced
}
