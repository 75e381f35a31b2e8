import { EventEmitter } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Change } from '../../../domain/sync'
import { seedCanteen } from '../../../test/support/core'
import type { EventMessage } from '../api/contract'
import { openTill, type Till } from '../till'
import { readCatalog, readProducts } from './catalog'
import { openDb, type Db } from './db'
import { applyPullPage } from './pull'
import { getSetting } from './settings'
import { watchPriceSchedule, type ScheduleTimers } from './schedule'

const dirs: string[] = []
const closers: (() => unknown)[] = []
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'kantine-schedule-'))
  dirs.push(d)
  return d
}

const T = Date.parse('2026-12-01T10:00:00Z')

function product(id: string, over: Partial<Extract<Change, { entity: 'product' }>['data']> = {}): Change {
  return {
    entity: 'product',
    id,
    data: { name: id, categoryId: 'cat-hot', prices: { 'loc-1': 3500 }, barcode: null, available: true, image: null, sort: 9, allergens: [], schedule: {}, ...over },
  }
}

function pull(db: Db, changes: Change[], serverTime = '2026-12-01T09:00:00.000Z') {
  applyPullPage(db, { changes, cursor: `9:${changes.length}`, hasMore: false, ackSeq: null, serverTime }, { from: getSetting(db, 'pull_cursor'), localNow: new Date(serverTime) })
}

function seeded(): { db: Db; dir: string } {
  const dir = tmp()
  const db = openDb(dir)
  seedCanteen(db, '2026-12-01T08:00:00.000Z')
  pull(db, [
    { entity: 'category', id: 'cat-hot', data: { name: 'Varm mad', sort: 1, colour: '#c0392b' } },
    product('p-up', { schedule: { 'loc-1': [[T, 4000]], 'loc-2': [[T - 3600_000, 1]] }, allergens: ['milk', 'gluten'] }),
    product('p-gone', { schedule: { 'loc-1': [[T, null]] } }),
    product('p-new', { prices: {}, schedule: { 'loc-1': [[T, 2500], [T + 3600_000, 2700]] } }),
  ])
  return { db, dir }
}

const priceOf = (db: Db, id: string, at: number) => readCatalog(db, 'loc-1', at).products.find((p) => p.id === id)?.price ?? null

describe('scheduled price changes at the till', () => {
  it('prices each product at the till’s clock: the pulled price before the change, the new one from its instant', () => {
    const { db } = seeded()
    closers.push(() => db.close())
    expect([priceOf(db, 'p-up', T - 1), priceOf(db, 'p-gone', T - 1), priceOf(db, 'p-new', T - 1)]).toEqual([3500, 3500, null])
    expect([priceOf(db, 'p-up', T), priceOf(db, 'p-gone', T), priceOf(db, 'p-new', T)]).toEqual([4000, null, 2500])
    expect(priceOf(db, 'p-new', T + 3600_000)).toBe(2700)
    // A sale prices its lines the same way.
    expect([...readProducts(db, ['p-up', 'p-gone', 'p-new'], 'loc-1', T).values()].map((p) => [p.id, p.price])).toEqual([
      ['p-up', 4000],
      ['p-new', 2500],
    ])
    expect(readProducts(db, ['p-gone'], 'loc-1', T - 1).get('p-gone')?.price).toBe(3500)
  })

  it('carries the allergens and the category’s colour, and a page without them (an older server) means none', () => {
    const { db } = seeded()
    closers.push(() => db.close())
    const catalog = readCatalog(db, 'loc-1', T - 1)
    expect(catalog.products.find((p) => p.id === 'p-up')?.allergens).toEqual(['gluten', 'milk'])
    expect(catalog.categories.find((c) => c.id === 'cat-hot')?.colour).toBe('#c0392b')
    const old = { name: 'Gammel', categoryId: 'cat-hot', prices: { 'loc-1': 100 }, barcode: null, available: true, image: null, sort: 1 }
    pull(db, [
      { entity: 'product', id: 'p-up', data: old },
      { entity: 'category', id: 'cat-hot', data: { name: 'Varm', sort: 1 } },
    ])
    const again = readCatalog(db, 'loc-1', T)
    expect(again.products.find((p) => p.id === 'p-up')).toMatchObject({ price: 100, allergens: [] })
    expect(again.categories.find((c) => c.id === 'cat-hot')?.colour).toBeNull()
  })

  it('tells the views once when the earliest change comes due, and arms again for the next', () => {
    const { db } = seeded()
    closers.push(() => db.close())
    let now = T - 5000
    const pending: { fn: () => void; at: number }[] = []
    const timers: ScheduleTimers = {
      setTimeout: (fn, ms) => {
        const t = { fn, at: now + ms }
        pending.push(t)
        return t
      },
      clearTimeout: (h) => {
        const i = pending.indexOf(h as (typeof pending)[number])
        if (i >= 0) pending.splice(i, 1)
      },
    }
    const events = new EventEmitter()
    const seen: EventMessage<'data.changed'>[] = []
    events.on('message', (m: EventMessage<'data.changed'>) => seen.push(m))
    const stop = watchPriceSchedule({ db, clock: { now: () => new Date(now) }, events, timers })
    closers.push(stop)
    expect(pending.map((p) => p.at)).toEqual([T])
    now = T
    pending.shift()!.fn()
    expect(seen).toEqual([{ event: 'data.changed', payload: { entities: ['product'] } }])
    // Armed once (its own message re-armed it; no second timer), to the next change an hour on (at most a minute away).
    expect(pending.map((p) => p.at)).toEqual([T + 60_000])
    now = T + 60_000
    pending.shift()!.fn()
    expect(seen).toHaveLength(1)
    stop()
    expect(pending).toEqual([])
  })
})

describe('an offline till', () => {
  it('switches to a scheduled price at its time by itself and tells the views', async () => {
    const { db, dir } = seeded()
    // The change comes 1 s after the till opens, by the till's (injected) clock.
    const startedAt = Date.now()
    const offset = T - 1000 - startedAt
    const clock = { now: () => new Date(Date.now() + offset) }
    db.close()
    const till: Till = await openTill({ dataDir: dir, simulatedReader: true, clock })
    closers.push(() => till.close())
    const seen: string[][] = []
    till.subscribe((m) => {
      if (m.event === 'data.changed') seen.push((m.payload as { entities: string[] }).entities)
    })
    const prices = async () => {
      const r = await till.dispatch('catalog.get', {})
      if (!r.ok) throw new Error(r.error.message)
      return Object.fromEntries((r.value as { products: { id: string; price: number }[] }).products.map((p) => [p.id, p.price]))
    }
    expect(await prices()).toMatchObject({ 'p-up': 3500, 'p-gone': 3500 })
    await expect.poll(() => seen.length, { timeout: 3000, interval: 20 }).toBeGreaterThan(0)
    expect(seen[0]).toEqual(['product'])
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(T)
    const after = await prices()
    expect(after).toMatchObject({ 'p-up': 4000, 'p-new': 2500 })
    expect(after['p-gone']).toBeUndefined()
  })
})
