/**
 * initial-sync: a fresh till (empty data folder) enrols at a canteen and runs `sync.now` until it
 * holds the whole municipality (50,000 accounts and cards, 2,000 products), over real HTTP on
 * loopback: the snapshot (GET /sync/snapshot) and the pull from its cursor, as the till does it.
 * Wall time from opening the till to `sync.now` returning.
 *
 * Baseline: plain better-sqlite3 inserts of the same rows into the till's schema, one
 * transaction, WAL + synchronous=FULL (bench/bare-sqlite.ts).
 */
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { DB_FILE } from '../electron/core/store/db'
import { bulkInsert, countRows, openBare, tillRows } from './bare-sqlite'
import { benchRuns, fmt, summarize, timeMs, type Benchmark } from './harness'
import { startTill, syncNow, syncedTillDir, tmpDir, whenEvent, world } from './world'

export const TARGET_MS = 10_000

export const initialSync: Benchmark = {
  name: 'initial-sync',
  async run() {
    const w = await world()
    const location = w.data.locations[0]!.id
    // A till receives only the staff of its own canteen (server/sync/pull.ts, snapshot.ts).
    const staff = w.data.staff.filter((s) => s.locationIds.includes(location))
    const expected = {
      accounts: w.data.holders.length,
      cards: w.data.holders.reduce((n, h) => n + h.cards.length, 0),
      products: w.data.products.length,
      staff: staff.length,
      locations: w.data.locations.length,
      categories: w.data.categories.length,
    }
    const total = Object.values(expected).reduce((a, b) => a + b, 0)
    console.log(`  data: ${fmt(expected.accounts, 0)} accounts, ${fmt(expected.cards, 0)} cards, ${fmt(expected.products, 0)} products (${fmt(total, 0)} changes to pull)`)
    const rows = tillRows({ ...w.data, staff })

    const values: number[] = []
    const baselines: number[] = []
    let lastDir = ''
    for (let i = 1; i <= benchRuns(); i++) {
      const dataDir = tmpDir(`initial-sync-${i}`)
      const code = await w.enrolmentCode(location)
      const started = performance.now()
      const till = await startTill(w, { dataDir, enrolmentCode: code })
      let ms: number
      let firstCycle: number
      try {
        const applied = whenEvent(till, (m) => m.event === 'data.changed')
        await syncNow(till)
        ms = performance.now() - started
        firstCycle = (await applied.at) - started
      } finally {
        await till.close()
      }
      const till_ = new Database(join(dataDir, DB_FILE), { readonly: true })
      const got = countRows(till_)
      till_.close()
      for (const [table, n] of Object.entries(expected)) {
        if (got[table as keyof typeof got] !== n) throw new Error(`initial-sync: the till holds ${got[table as keyof typeof got]} ${table}, expected ${n}`)
      }

      const bare = openBare(tmpDir(`initial-sync-bare-${i}`))
      let inserted = 0
      const base = await timeMs(() => (inserted = bulkInsert(bare, rows)))
      bare.close()
      if (inserted !== total) throw new Error(`initial-sync baseline inserted ${inserted} rows, expected ${total}`)

      values.push(ms)
      baselines.push(base)
      lastDir = dataDir
      console.log(`  run ${i}: ${fmt(ms, 0)} ms (everything applied at ${fmt(firstCycle, 0)} ms); baseline ${fmt(base, 0)} ms`)
    }
    // pull-1000 starts from a till that has done its initial sync: this one.
    await syncedTillDir(w, lastDir)

    return summarize({ name: 'initial-sync', unit: 'ms', values, baselines, target: `< ${TARGET_MS} ms`, meets: (v) => v < TARGET_MS })
  },
}
