/**
 * The till core in a process of its own, as the shells run it (electron/host, Electron's utility
 * process): the counter benchmarks measure it here, so neither the benchmark's PGlite server nor
 * its data set share the core's heap (its RSS) or its event loop (its latencies).
 *
 * `tsx bench/till-worker.ts '<json job>'` prints one line `RESULT <json>` and exits.
 * Jobs:
 * - first-sync: a fresh till enrols and runs `sync.now` until it holds the municipality; its RSS
 *   then and at its peak (Linux VmHWM), and the process's floor before the core opened.
 * - counter: opens a till that holds a long history (cold start: core open to the first card
 *   lookup answered), then card lookups and sales through the RPC, back to back and paced,
 *   each beside a bare better-sqlite3 indexed lookup and insert of the same rows in this process.
 */
import Database from 'better-sqlite3'
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { DB_FILE } from '../electron/core/store/db'
import { openTill, type Till } from '../electron/core/till'

export interface FirstSyncJob {
  job: 'first-sync'
  serverUrl: string
  dataDir: string
  enrolmentCode: string
}

export interface FirstSyncResult {
  /** RSS of this process with the core's modules loaded, before the till opened (bytes). */
  floor: number
  /** RSS right after the first sync returned (bytes). */
  afterSync: number
  /** This process's peak RSS (bytes): see peakRss. */
  peak: number
  ms: number
  /** What of the RSS is V8's (process.memoryUsage), to tell the JS heap from SQLite's and the rest. */
  heapUsed: number
  heapTotal: number
  external: number
}

export interface CounterJob {
  job: 'counter'
  serverUrl: string
  dataDir: string
  pin: string
  /** Cards that may buy `productId` (active, funded, no limits, allowed here), one per sale. */
  cards: string[]
  productId: string
  /** Back-to-back samples of each operation. */
  n: number
  /** Paced samples and the pause between them (ms). */
  paced: number
  paceMs: number
}

/** Latencies in ms. */
export interface CounterResult {
  coldOpenMs: number
  coldLookupMs: number
  bareColdMs: number
  scan: number[]
  sale: number[]
  bareLookup: number[]
  bareInsert: number[]
  pacedScan: number[]
  pacedSale: number[]
  pacedBareLookup: number[]
  pacedBareInsert: number[]
  refused: number
}

const HOUR = 3_600_000
const ms = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6

async function call(till: Till, method: string, args: unknown): Promise<unknown> {
  const r = await till.dispatch(method as never, args as never)
  if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`)
  return r.value
}

/**
 * This process's peak RSS: Linux's VmHWM. Not getrusage's maxrss: Linux carries that over exec
 * from the forking parent, and the parent here is the benchmark with its PGlite server (GBs).
 * Elsewhere: the highest RSS sampled every few milliseconds (a lower bound of the peak).
 */
let sampled = 0
const sampler = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage().rss)), 5)
sampler.unref()
function peakRss(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))
    if (hwm) return Number(hwm[1]) * 1024
  } catch {
    // not Linux
  }
  return Math.max(sampled, process.memoryUsage().rss)
}

async function firstSync(j: FirstSyncJob): Promise<FirstSyncResult> {
  const floor = process.memoryUsage().rss
  const t = process.hrtime.bigint()
  const till = await openTill({ dataDir: j.dataDir, serverUrl: j.serverUrl, enrolmentCode: j.enrolmentCode, tillName: 'Bench counter', syncIntervalMs: HOUR })
  try {
    const status = (await call(till, 'sync.now', {})) as { lastError: string | null }
    if (status.lastError) throw new Error(`sync.now: ${status.lastError}`)
    const took = ms(t)
    const m = process.memoryUsage()
    return { floor, afterSync: m.rss, peak: peakRss(), ms: took, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external }
  } finally {
    await till.close()
  }
}

/** The bare floor: one more connection to the till's file for lookups, a file of its own for inserts. */
function bare(dataDir: string) {
  const till = new Database(join(dataDir, DB_FILE), { readonly: true })
  const lookup = till.prepare(
    `SELECT c.number, c.status, a.id, a.holder_name, a.status, a.balance, a.limit_day, a.limit_week, a.limit_month, a.spent
       FROM cards c JOIN accounts a ON a.id = c.account_id WHERE c.number = ?`,
  )
  const out = new Database(join(dataDir, 'bare-insert.sqlite'))
  out.pragma('journal_mode = WAL')
  out.pragma('synchronous = FULL')
  out.exec(`CREATE TABLE IF NOT EXISTS sales (id TEXT PRIMARY KEY, at TEXT NOT NULL, card_number TEXT NOT NULL, total INTEGER NOT NULL) STRICT;
            CREATE INDEX IF NOT EXISTS sales_at ON sales(at)`)
  const insert = out.prepare('INSERT INTO sales (id, at, card_number, total) VALUES (?, ?, ?, ?)')
  return {
    lookup(card: string): number {
      const t = process.hrtime.bigint()
      if (!lookup.get(card)) throw new Error(`bare lookup: no card ${card}`)
      return ms(t)
    },
    // One committed transaction per sale, as the till commits each sale (synchronous=FULL).
    insert(card: string): number {
      const t = process.hrtime.bigint()
      insert.run(randomUUID(), new Date().toISOString(), card, 3500)
      return ms(t)
    },
    close() {
      till.close()
      out.close()
    },
  }
}

async function counter(j: CounterJob): Promise<CounterResult> {
  const cards = [...j.cards]
  const next = () => {
    const c = cards.shift()
    if (!c) throw new Error('counter: ran out of cards')
    return c
  }
  // Cold start: a bare open and lookup first (the OS file cache is warm for both), then the core.
  let t = process.hrtime.bigint()
  const b0 = new Database(join(j.dataDir, DB_FILE), { readonly: true })
  b0.prepare('SELECT a.balance FROM cards c JOIN accounts a ON a.id = c.account_id WHERE c.number = ?').get(j.cards[0])
  b0.close()
  const bareColdMs = ms(t)

  t = process.hrtime.bigint()
  const till = await openTill({ dataDir: j.dataDir, serverUrl: j.serverUrl, tillName: 'Bench counter', syncIntervalMs: HOUR })
  const coldOpenMs = ms(t)
  const b = bare(j.dataDir)
  try {
    const session = (await call(till, 'staff.signIn', { pin: j.pin })) as { ok: boolean }
    if (!session.ok) throw new Error(`staff.signIn: ${JSON.stringify(session)}`)
    t = process.hrtime.bigint()
    const first = (await call(till, 'card.lookup', { cardNumber: j.cards[0] })) as { ok: boolean }
    const coldLookupMs = ms(t)
    if (!first.ok) throw new Error(`card.lookup: ${JSON.stringify(first)}`)

    const r: CounterResult = {
      coldOpenMs,
      coldLookupMs,
      bareColdMs,
      scan: [],
      sale: [],
      bareLookup: [],
      bareInsert: [],
      pacedScan: [],
      pacedSale: [],
      pacedBareLookup: [],
      pacedBareInsert: [],
      refused: 0,
    }
    const scan = async (card: string) => {
      const t0 = process.hrtime.bigint()
      const res = (await call(till, 'card.lookup', { cardNumber: card })) as { ok: boolean }
      const took = ms(t0)
      if (!res.ok) throw new Error(`card.lookup ${card}: ${JSON.stringify(res)}`)
      return took
    }
    const sell = async (card: string) => {
      const t0 = process.hrtime.bigint()
      const res = (await call(till, 'sale.record', { saleId: randomUUID(), cardNumber: card, lines: [{ productId: j.productId, qty: 1 }] })) as { ok: boolean; reason?: string }
      const took = ms(t0)
      // A refusal is no sale: it is counted and reported, never timed as one.
      if (!res.ok) {
        r.refused++
        return null
      }
      return took
    }
    for (let i = 0; i < j.n; i++) {
      const card = next()
      r.scan.push(await scan(card))
      r.bareLookup.push(b.lookup(card))
      const s = await sell(card)
      if (s !== null) r.sale.push(s)
      r.bareInsert.push(b.insert(card))
    }
    for (let i = 0; i < j.paced; i++) {
      const card = next()
      // Each operation after a pause of its own, the bare ones too: a pause lets caches go cold
      // and the background upload of the previous sale run, as between pupils at a counter.
      await sleep(j.paceMs)
      r.pacedScan.push(await scan(card))
      await sleep(j.paceMs)
      r.pacedBareLookup.push(b.lookup(card))
      await sleep(j.paceMs)
      const s = await sell(card)
      if (s !== null) r.pacedSale.push(s)
      await sleep(j.paceMs)
      r.pacedBareInsert.push(b.insert(card))
    }
    return r
  } finally {
    b.close()
    await till.close()
  }
}

async function main() {
  const job = JSON.parse(process.argv[2] ?? '{}') as FirstSyncJob | CounterJob
  const result = job.job === 'first-sync' ? await firstSync(job) : job.job === 'counter' ? await counter(job) : null
  if (!result) throw new Error(`unknown job ${JSON.stringify(job)}`)
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`)
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err)
    process.exit(1)
  },
)
