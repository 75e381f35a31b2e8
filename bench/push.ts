/**
 * push: a till whose outbox holds 10,000 sales (recorded while offline) comes online and pushes
 * them to the server (PGlite) through its real sync engine (`sync.now`, default batch size).
 * Sales per second from opening the till until its outbox is empty (the engine's `sync.status`
 * event with pending = 0); the pull that follows in the same `sync.now` is reported apart.
 *
 * Setup, not measured: a copy of a till that has done its initial sync, given a terminal of its
 * own (enrolled through the API) so every run starts at seq 1, and 10,000 sales written through
 * the till's own `insertSale` (sale + lines + outbox row), spread over random cards of the
 * canteen, 1 to 3 lines each, all valid.
 *
 * Baseline: the same kind of sales (a second set, same generator) inserted straight into the
 * same PGlite database in transactions of the till's batch size (MAX_PUSH_MUTATIONS), each with
 * one multi-row statement per table: the sale rows, their lines, the ledger entries and the
 * accounts' balances. No HTTP, no validation, no reads, no rules, no change log, no stored
 * answers: what the push does beyond that is what the ratio measures.
 */
import Database from 'better-sqlite3'
import { randomUUID } from 'node:crypto'
import { copyFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { periodKeys } from '../domain/periods'
import { MAX_PUSH_MUTATIONS, type CardSalePayload } from '../domain/sync'
import type { SyncStatus } from '../electron/core/api/contract'
import { DB_FILE, openDb as openStore } from '../electron/core/store/db'
import { insertSale } from '../electron/core/store/sales'
import { getSetting, setSetting } from '../electron/core/store/settings'
import type { DemoData } from '../server/demo/demo'
import { insertSaleLines } from '../server/sync/apply-sale'
import { enrolTill } from '../test/support/server'
import { readAccountRows } from './bare-sqlite'
import { prng } from '../scripts/prng'
import { benchRuns, fmt, summarize, timeMs, type Benchmark } from './harness'
import { startTill, syncNow, syncedTillDir, tmpDir, whenEvent, world, type World } from './world'

/** Sales in the outbox per run: 10,000 (BENCH_PUSH_SALES to change it for a quick look). */
export const SALES = Number(process.env.BENCH_PUSH_SALES ?? 10_000)
export const TARGET_PER_S = 2000

interface QueuedSale {
  mutationId: string
  sale: CardSalePayload
}

/** `n` valid sales at `locationId`: cards that may buy there, products priced there and not denied. */
export function makeSales(data: DemoData, locationId: string, n: number, seed: number): QueuedSale[] {
  const rnd = prng(seed)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!
  const buyers = data.holders.filter(
    (h) => h.status === 'active' && (h.allowedLocationIds === null || h.allowedLocationIds.includes(locationId)) && h.cards.some((c) => c.status === 'active'),
  )
  const products = data.products.filter((p) => p.prices[locationId] !== undefined)
  const cashiers = data.staff.filter((s) => s.roles.includes('cashier') && s.locationIds.includes(locationId))
  if (!buyers.length || !products.length || !cashiers.length) throw new Error(`no buyers, products or cashiers at ${locationId}`)
  const start = Date.now() - n * 1000
  return Array.from({ length: n }, (_, k) => {
    const h = pick(buyers)
    const lines = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => {
      let p = pick(products)
      while (h.deniedCategoryIds.includes(p.categoryId)) p = pick(products)
      return { productId: p.id, name: p.name, categoryId: p.categoryId, qty: 1 + Math.floor(rnd() * 2), unitPrice: p.prices[locationId]! }
    })
    const sale: CardSalePayload = {
      saleId: randomUUID(),
      cardNumber: h.cards.find((c) => c.status === 'active')!.number,
      accountId: h.accountId,
      locationId,
      staffId: pick(cashiers).id,
      at: new Date(start + k * 1000).toISOString(),
      lines,
      total: lines.reduce((t, l) => t + l.qty * l.unitPrice, 0),
      offline: true,
    }
    return { mutationId: randomUUID(), sale }
  })
}

/** A copy of the synced till under a terminal of its own, its outbox holding `sales`. */
export async function tillWithOutbox(w: World, template: string, run: number, sales: readonly QueuedSale[]): Promise<{ dataDir: string; terminalId: string }> {
  const dataDir = tmpDir(`push-${run}`)
  for (const suffix of ['', '-wal']) {
    if (existsSync(join(template, DB_FILE + suffix))) copyFileSync(join(template, DB_FILE + suffix), join(dataDir, DB_FILE + suffix))
  }
  const store = openStore(dataDir)
  let terminalId = ''
  try {
    const terminal = await enrolTill(w.server, getSetting(store, 'location_id')!, `Bench push ${run}`)
    terminalId = terminal.terminalId
    const keys = new Map<string, ReturnType<typeof periodKeys>>()
    store.transaction(() => {
      setSetting(store, 'terminal_id', terminal.terminalId)
      setSetting(store, 'device_token', terminal.token)
      setSetting(store, 'location_id', terminal.locationId)
      setSetting(store, 'municipality_id', terminal.municipalityId)
      for (const q of sales) {
        const hour = q.sale.at.slice(0, 13)
        if (!keys.has(hour)) keys.set(hour, periodKeys(new Date(q.sale.at)))
        insertSale(store, q.mutationId, q.sale, keys.get(hour)!)
      }
    })()
  } finally {
    store.close()
  }
  return { dataDir, terminalId }
}

/** The baseline: the sales straight into Postgres, one transaction per batch, one statement per table. */
export async function bareInserts(w: World, terminalId: string, municipalityId: string, sales: readonly QueuedSale[]): Promise<void> {
  for (let from = 0; from < sales.length; from += MAX_PUSH_MUTATIONS) {
    const batch = sales.slice(from, from + MAX_PUSH_MUTATIONS).map((q, i) => ({ seq: from + i + 1, p: q.sale }))
    const now = new Date()
    await w.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO sales (id, municipality_id, terminal_id, seq, account_id, card_number, location_id, staff_id, total, offline, flags, sold_at, received_at)
         SELECT t.id, $1, $2, t.seq, t.account_id, t.card_number, t.location_id, t.staff_id, t.total, t.offline, '{}', t.sold_at, $3
           FROM unnest($4::uuid[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[], $11::boolean[], $12::timestamptz[])
             AS t(id, seq, account_id, card_number, location_id, staff_id, total, offline, sold_at)`,
        [
          municipalityId,
          terminalId,
          now,
          batch.map(({ p }) => p.saleId),
          batch.map(({ seq }) => seq),
          batch.map(({ p }) => p.accountId),
          batch.map(({ p }) => p.cardNumber),
          batch.map(({ p }) => p.locationId),
          batch.map(({ p }) => p.staffId),
          batch.map(({ p }) => p.total),
          batch.map(({ p }) => p.offline),
          batch.map(({ p }) => p.at),
        ],
      )
      await insertSaleLines(tx, batch.map(({ p }) => p))
      await tx.query(
        `WITH entry AS (
           INSERT INTO ledger (account_id, kind, amount, sale_id, created_at)
           SELECT t.account_id, 'purchase', t.amount, t.sale_id, $4 FROM unnest($1::text[], $2::bigint[], $3::uuid[]) AS t(account_id, amount, sale_id)
           RETURNING account_id, amount
         ), moved AS (SELECT account_id, sum(amount) AS amount FROM entry GROUP BY account_id)
         UPDATE accounts SET balance = accounts.balance + moved.amount FROM moved WHERE accounts.id = moved.account_id`,
        [batch.map(({ p }) => p.accountId), batch.map(({ p }) => -p.total), batch.map(({ p }) => p.saleId), now],
      )
    })
  }
}

export const push: Benchmark = {
  name: 'push',
  async run() {
    const w = await world()
    const template = await syncedTillDir(w)
    const location = w.data.locations[0]!.id

    const values: number[] = []
    const baselines: number[] = []
    for (let i = 1; i <= benchRuns(); i++) {
      // Catch the template up first, so the pull after the push brings only what the push caused.
      const t = await startTill(w, { dataDir: template })
      try {
        await syncNow(t)
      } finally {
        await t.close()
      }

      const sales = makeSales(w.data, location, SALES, 7000 + i)
      const { dataDir, terminalId } = await tillWithOutbox(w, template, i, sales)

      const started = performance.now()
      const till = await startTill(w, { dataDir })
      let pushMs: number
      let total: number
      let status: SyncStatus
      try {
        const empty = whenEvent(till, (m) => m.event === 'sync.status' && (m.payload as SyncStatus).pending === 0)
        status = await syncNow(till)
        total = performance.now() - started
        pushMs = (await empty.at) - started
      } finally {
        await till.close()
      }
      if (status.pending !== 0 || status.rejected !== 0) throw new Error(`push: ${status.pending} pending, ${status.rejected} rejected after sync.now`)
      const applied = await w.db.query<{ n: number }>('SELECT count(*)::int AS n FROM sales WHERE terminal_id = $1', [terminalId])
      if (applied.rows[0]!.n !== SALES) throw new Error(`push: the server holds ${applied.rows[0]!.n} sales of the till, expected ${SALES}`)

      // Not part of the figure, but a wrong state must not go unnoticed: after sync.now the till
      // must hold the server's balance of every account it sold to (the pull after the push).
      const touched = [...new Set(sales.map((q) => q.sale.accountId))]
      const store = new Database(join(dataDir, DB_FILE), { readonly: true })
      const tillBalances = new Map(readAccountRows(store, touched).map((r) => [r[0], r[4]]))
      store.close()
      const server = await w.db.query<{ id: string; balance: number }>('SELECT id, balance FROM accounts WHERE id = ANY($1::text[])', [touched])
      const stale = server.rows.filter((r) => tillBalances.get(r.id) !== Number(r.balance)).length
      if (stale) console.log(`  WARNING run ${i}: after sync.now the till holds a stale balance for ${stale} of the ${touched.length} accounts it sold to (its pull missed changes)`)

      const bareSales = makeSales(w.data, location, SALES, 9000 + i)
      const bareTerminal = await enrolTill(w.server, location, `Bench bare ${i}`)
      const baseMs = await timeMs(() => bareInserts(w, bareTerminal.terminalId, bareTerminal.municipalityId, bareSales))

      const rate = SALES / (pushMs / 1000)
      const baseRate = SALES / (baseMs / 1000)
      values.push(rate)
      baselines.push(baseRate)
      console.log(
        `  run ${i}: ${fmt(rate, 0)} sales/s (outbox empty after ${fmt(pushMs, 0)} ms; sync.now incl. pulling the ${fmt(SALES, 0)} account changes: ${fmt(total, 0)} ms); baseline ${fmt(baseRate, 0)} sales/s (${fmt(baseMs, 0)} ms)`,
      )
    }
    return summarize({
      name: 'push',
      unit: 'sales/s',
      values,
      baselines,
      throughput: true,
      target: `≥ ${TARGET_PER_S} sales/s`,
      meets: (v) => v >= TARGET_PER_S,
    })
  },
}
