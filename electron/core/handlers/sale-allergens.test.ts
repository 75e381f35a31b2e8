/**
 * The allergen warning at the till (issue 16): a sale of a product with one of the child's
 * allergens needs the cashier's confirmation of exactly what was shown; the sale's outbox payload
 * is the same as ever (the server's sale applier knows nothing of it).
 */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Allergen } from '../../../domain/allergens'
import { SaleRecordPayload, type Change } from '../../../domain/sync'
import { account, seedCanteen } from '../../../test/support/core'
import { openDb } from '../store/db'
import { pendingMutations } from '../store/outbox'
import { applyPullPage } from '../store/pull'
import { getSetting } from '../store/settings'
import { openTill, type Till } from '../till'

const dirs: string[] = []
const tills: Till[] = []
afterEach(async () => {
  for (const t of tills.splice(0)) await t.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const clock = { now: () => new Date('2026-03-02T11:00:00Z') }

const product = (id: string, name: string, price: number, allergens: Allergen[]): Change => ({
  entity: 'product',
  id,
  data: { name, categoryId: 'cat-hot', prices: { 'loc-1': price }, barcode: null, available: true, image: null, sort: 1, allergens, schedule: {} },
})

/**
 * The canteen, then a pull: Minimælk contains milk, Frikadeller gluten and eggs, Æble nothing;
 * Freja (DEMO0001) must not have milk or gluten; Ida's account (DEMO0003) is blocked and must not have milk.
 */
function freshDir(freja: Allergen[] = ['milk', 'gluten']): string {
  const dir = mkdtempSync(join(tmpdir(), 'kantine-allergen-'))
  dirs.push(dir)
  const db = openDb(dir)
  seedCanteen(db, clock.now().toISOString())
  applyPullPage(
    db,
    {
      changes: [
        product('p-milk', 'Minimælk', 800, ['milk']),
        product('p-lunch', 'Frikadeller', 3500, ['gluten', 'eggs']),
        product('p-apple', 'Æble', 500, []),
        { entity: 'account', id: 'a-1', data: account({ allergens: freja }) },
        { entity: 'account', id: 'a-3', data: account({ holderName: 'Ida Hansen', status: 'blocked', balance: 20000, allergens: ['milk'] }) },
      ],
      cursor: '2:1',
      hasMore: false,
      ackSeq: null,
      serverTime: clock.now().toISOString(),
    },
    { from: getSetting(db, 'pull_cursor'), localNow: clock.now() },
  )
  db.close()
  return dir
}

const logged: { msg: string; extra?: Record<string, unknown> }[] = []

async function open(dir: string): Promise<Till> {
  const till = await openTill({ dataDir: dir, clock, log: (_level, msg, extra) => void logged.push({ msg, extra }) })
  tills.push(till)
  const signedIn = await till.dispatch('staff.signIn', { pin: '1234' })
  if (!signedIn.ok) throw new Error(signedIn.error.message)
  return till
}

async function call(till: Till, method: string, args: unknown = {}) {
  const res = await till.dispatch(method, args)
  if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`)
  return res.value as never
}

function outbox(dir: string) {
  const db = openDb(dir)
  try {
    return pendingMutations(db, 10).map((m) => m.payload)
  } finally {
    db.close()
  }
}

const milkAndLunch = [
  { productId: 'p-milk', qty: 1 },
  { productId: 'p-apple', qty: 1 },
  { productId: 'p-lunch', qty: 1 },
]
const shown = [
  { productId: 'p-milk', allergens: ['milk'] },
  { productId: 'p-lunch', allergens: ['gluten'] },
]

describe('the allergen warning at the till', () => {
  it('shows the card’s allergens when the card is presented', async () => {
    const till = await open(freshDir())
    expect(await call(till, 'card.lookup', { cardNumber: 'DEMO0001' })).toMatchObject({ ok: true, card: { holderName: 'Freja Nielsen', allergens: ['gluten', 'milk'] } })
  })

  it('refuses a sale with a product the child must not have, naming each product and allergen, and records nothing', async () => {
    const dir = freshDir()
    const till = await open(dir)
    const saleId = randomUUID()
    const refused = await call(till, 'sale.record', { saleId, cardNumber: 'DEMO0001', lines: milkAndLunch })
    expect(refused).toEqual({
      ok: false,
      reason: 'allergen-confirm',
      total: 800 + 500 + 3500,
      conflicts: shown,
      card: expect.objectContaining({ cardNumber: 'DEMO0001', balance: 15000, allergens: ['gluten', 'milk'] }),
    })
    expect(await call(till, 'sale.recent')).toEqual([])
    expect(await call(till, 'sale.outcome', { saleId })).toEqual({ recorded: false })
    expect(outbox(dir)).toEqual([])
  })

  it('records the sale once the cashier confirms what was shown, with the usual payload', async () => {
    const dir = freshDir()
    const till = await open(dir)
    const saleId = randomUUID()
    const first = (await call(till, 'sale.record', { saleId, cardNumber: 'DEMO0001', lines: milkAndLunch })) as { conflicts: unknown }
    const sold = await call(till, 'sale.record', { saleId, cardNumber: 'DEMO0001', lines: milkAndLunch, allergensConfirmed: true, shownConflicts: first.conflicts })
    expect(sold).toMatchObject({ ok: true, saleId, total: 4800, balanceAfter: 15000 - 4800 })
    // Who confirmed what stays in the till's log.
    expect(logged.filter((l) => l.msg === 'sale confirmed despite allergens').map((l) => l.extra)).toContainEqual({ saleId, staffId: 's-mette', conflicts: shown })
    // A retry of the recorded attempt is answered as before, confirmation or not.
    expect(await call(till, 'sale.record', { saleId, cardNumber: 'DEMO0001', lines: milkAndLunch })).toMatchObject({ ok: true, saleId, total: 4800 })
    const [payload, ...rest] = outbox(dir)
    expect(rest).toEqual([])
    const parsed = SaleRecordPayload.parse(payload)
    // Exactly what a sale's payload always held: nothing of the warning goes to the server.
    expect(Object.keys(payload as object).sort()).toEqual(['accountId', 'at', 'cardNumber', 'lines', 'locationId', 'offline', 'payment', 'saleId', 'staffId', 'total'])
    expect(parsed.lines).toEqual([
      { productId: 'p-milk', name: 'Minimælk', categoryId: 'cat-hot', qty: 1, unitPrice: 800 },
      { productId: 'p-apple', name: 'Æble', categoryId: 'cat-hot', qty: 1, unitPrice: 500 },
      { productId: 'p-lunch', name: 'Frikadeller', categoryId: 'cat-hot', qty: 1, unitPrice: 3500 },
    ])
  })

  it('asks again when the confirmation does not cover every conflict found now', async () => {
    const till = await open(freshDir())
    const saleId = randomUUID()
    const attempt = (shownConflicts: unknown) => call(till, 'sale.record', { saleId, cardNumber: 'DEMO0001', lines: milkAndLunch, allergensConfirmed: true, shownConflicts })
    // One product left out; one allergen left out (the warning was shown before a pull brought gluten); nothing shown.
    for (const partial of [[shown[0]], [shown[0], { productId: 'p-lunch', allergens: ['eggs'] }], []]) {
      expect(await attempt(partial), JSON.stringify(partial)).toMatchObject({ ok: false, reason: 'allergen-confirm', conflicts: shown })
    }
    expect(await call(till, 'sale.recent')).toEqual([])
    // Confirming more than there is (a product since taken out) is still a confirmation of all there is.
    expect(await attempt([...shown, { productId: 'p-apple', allergens: ['fish'] }])).toMatchObject({ ok: true })
  })

  it('refuses a malformed confirmation as a bad argument: one half without the other, an unknown allergen', async () => {
    const till = await open(freshDir())
    const base = { saleId: randomUUID(), cardNumber: 'DEMO0001', lines: milkAndLunch }
    for (const extra of [
      { allergensConfirmed: true },
      { shownConflicts: shown },
      { allergensConfirmed: false, shownConflicts: shown },
      { allergensConfirmed: true, shownConflicts: [{ productId: 'p-milk', allergens: ['chocolate'] }] },
      { allergensConfirmed: true, shownConflicts: [{ productId: 'p-milk', allergens: [] }] },
      { allergensConfirmed: true, shownConflicts: 'milk' },
    ]) {
      await expect(call(till, 'sale.record', { ...base, ...extra }), JSON.stringify(extra)).rejects.toThrow(/bad-argument/)
    }
    expect(await call(till, 'sale.recent')).toEqual([])
  })

  it('does not ask when nothing in the basket conflicts, or the child has no allergens', async () => {
    const till = await open(freshDir())
    expect(await call(till, 'sale.record', { saleId: randomUUID(), cardNumber: 'DEMO0001', lines: [{ productId: 'p-apple', qty: 2 }] })).toMatchObject({ ok: true, total: 1000 })
    const none = await open(freshDir([]))
    expect(await call(none, 'sale.record', { saleId: randomUUID(), cardNumber: 'DEMO0001', lines: milkAndLunch })).toMatchObject({ ok: true, total: 4800 })
    const fish = await open(freshDir(['fish', 'peanuts']))
    expect(await call(fish, 'sale.record', { saleId: randomUUID(), cardNumber: 'DEMO0001', lines: milkAndLunch })).toMatchObject({ ok: true, total: 4800 })
  })

  it('gives the card’s other refusals first: a confirmation never leads to a refusal for money or a block', async () => {
    const till = await open(freshDir())
    expect(await call(till, 'sale.record', { saleId: randomUUID(), cardNumber: 'DEMO0003', lines: [{ productId: 'p-milk', qty: 1 }] })).toMatchObject({ ok: false, reason: 'blocked' })
    // 5 lunches are 175 kr; Freja has 150 kr (and this till, offline, may lend her at most 75 kr).
    expect(await call(till, 'sale.record', { saleId: randomUUID(), cardNumber: 'DEMO0001', lines: [{ productId: 'p-lunch', qty: 5 }] })).toMatchObject({ ok: false, reason: 'offline-limit' })
  })
})
