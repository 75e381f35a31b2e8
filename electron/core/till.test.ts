import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openDb } from './store/db'
import { applyPullPage } from './store/pull'
import { getSetting } from './store/settings'
import { hashPin, seedCanteen } from '../../test/support/core'
import { openTill } from './till'
import type { Till } from './till'

const dirs: string[] = []
const tills: Till[] = []
afterEach(async () => {
  for (const t of tills.splice(0)) await t.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kantine-till-'))
  dirs.push(dir)
  const db = openDb(dir)
  seedCanteen(db)
  db.close()
  return dir
}

/** A clock the test moves by hand. */
function testClock(start = '2026-03-02T10:00:00Z') {
  let t = Date.parse(start)
  return { now: () => new Date(t), advance: (ms: number) => void (t += ms) }
}

async function open(dir: string, extra: Partial<Parameters<typeof openTill>[0]> = {}): Promise<Till> {
  const till = await openTill({ dataDir: dir, simulatedReader: true, ...extra })
  tills.push(till)
  return till
}

async function call(till: Till, method: string, args: unknown) {
  const res = await till.dispatch(method, args)
  if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`)
  return res.value as never
}

describe('a cashier at the till', () => {
  it('signs in with a PIN and is refused with a wrong one', async () => {
    const till = await open(freshDir())
    expect(await call(till, 'staff.signIn', { pin: '0000' })).toEqual({ ok: false, reason: 'pin-wrong' })
    expect(await call(till, 'staff.signIn', { pin: '1234' })).toMatchObject({ ok: true, session: { name: 'Mette Hansen' } })
  })

  it('sees only the products priced at this canteen', async () => {
    const till = await open(freshDir())
    const catalog = (await call(till, 'catalog.get', {})) as { products: { id: string; price: number }[] }
    expect(catalog.products.map((p) => [p.id, p.price])).toEqual([
      ['p-lunch', 3500],
      ['p-milk', 800],
    ])
  })

  it('sells two products to a card: the balance drops and the sale survives a restart', async () => {
    const dir = freshDir()
    let till = await open(dir)
    await call(till, 'staff.signIn', { pin: '1234' })
    const outcome = await call(till, 'sale.record', { saleId: randomUUID(), cardNumber: 'demo0001', lines: [{ productId: 'p-lunch', qty: 1 }, { productId: 'p-milk', qty: 2 }] })
    expect(outcome).toMatchObject({ ok: true, total: 5100, balanceAfter: 9900, card: { holderName: 'Freja Nielsen', balance: 9900 } })
    await till.close()
    tills.splice(tills.indexOf(till), 1)

    till = await open(dir)
    // A restarted till asks for the PIN again: the session lives in memory only.
    expect(await till.dispatch('card.lookup', { cardNumber: 'DEMO0001' })).toMatchObject({ ok: false, error: { code: 'not-signed-in' } })
    await call(till, 'staff.signIn', { pin: '1234' })
    expect(await call(till, 'card.lookup', { cardNumber: 'DEMO0001' })).toMatchObject({ ok: true, card: { balance: 9900 } })
    const recent = (await call(till, 'sale.recent', { limit: 5 })) as { total: number; sync: string; lines: unknown[] }[]
    expect(recent).toHaveLength(1)
    expect(recent[0]).toMatchObject({ total: 5100, sync: 'pending' })
    expect(recent[0]!.lines).toHaveLength(2)
    const db = openDb(dir)
    expect(db.prepare('SELECT seq, kind, delta FROM outbox').all()).toEqual([{ seq: 1, kind: 'sale.record', delta: -5100 }])
    db.close()
  })

  it('refuses a blocked card with the reason and writes nothing', async () => {
    const dir = freshDir()
    const till = await open(dir)
    await call(till, 'staff.signIn', { pin: '1234' })
    expect(await call(till, 'sale.record', { saleId: randomUUID(), cardNumber: 'DEMO0003', lines: [{ productId: 'p-milk', qty: 1 }] })).toMatchObject({ ok: false, reason: 'blocked', card: { holderName: 'Ida Hansen' } })
    expect(await call(till, 'sale.recent', {})).toEqual([])
  })

  it('refuses a basket above the caps the server holds every sale to, and writes nothing', async () => {
    const till = await open(freshDir())
    await call(till, 'staff.signIn', { pin: '1234' })
    expect(await call(till, 'sale.record', { saleId: randomUUID(), cardNumber: 'DEMO0001', lines: [{ productId: 'p-milk', qty: 21 }] })).toMatchObject({ ok: false, reason: 'quantity-too-large', total: 16800 })
    expect(await call(till, 'sale.recent', {})).toEqual([])
    // A basket within the caps sells (this till has no server: it is offline, so its offline cap of kr. 75 applies too).
    expect(await call(till, 'sale.record', { saleId: randomUUID(), cardNumber: 'DEMO0001', lines: [{ productId: 'p-milk', qty: 5 }] })).toMatchObject({ ok: true })
  })

  it("keeps to the municipality's own caps once the server has sent them with the canteen", async () => {
    const dir = freshDir()
    const db = openDb(dir)
    const page = {
      changes: [{ entity: 'location' as const, id: 'loc-1', data: { name: 'Skovvangskolen', saleCaps: { maxLineQty: 3, maxSaleTotal: 5000 } } }],
      cursor: '2:1',
      hasMore: false,
      ackSeq: null,
      serverTime: new Date().toISOString(),
    }
    applyPullPage(db, page, { from: getSetting(db, 'pull_cursor'), localNow: new Date() })
    db.close()
    const till = await open(dir)
    await call(till, 'staff.signIn', { pin: '1234' })
    const sell = (lines: { productId: string; qty: number }[]) => call(till, 'sale.record', { saleId: randomUUID(), cardNumber: 'DEMO0001', lines })
    expect(await sell([{ productId: 'p-milk', qty: 4 }])).toMatchObject({ ok: false, reason: 'quantity-too-large', cap: 3 })
    expect(await sell([{ productId: 'p-lunch', qty: 1 }, { productId: 'p-milk', qty: 3 }])).toMatchObject({ ok: false, reason: 'total-too-large', total: 5900, cap: 5000 })
    expect(await sell([{ productId: 'p-milk', qty: 3 }])).toMatchObject({ ok: true, total: 2400 })
    expect(await call(till, 'sale.recent', {})).toHaveLength(1)
  })

  it('refuses a sale when nobody is signed in', async () => {
    const till = await open(freshDir())
    const res = await till.dispatch('sale.record', { saleId: randomUUID(), cardNumber: 'DEMO0001', lines: [{ productId: 'p-milk', qty: 1 }] })
    expect(res).toEqual({ ok: false, error: { code: 'not-signed-in', message: expect.any(String) } })
  })

  it('reports a card presented to the simulated reader, normalised', async () => {
    const till = await open(freshDir())
    const seen: unknown[] = []
    till.subscribe((m) => seen.push(m))
    await call(till, 'reader.simulate', { cardNumber: ' demo0001 ' })
    expect(seen).toContainEqual({ event: 'reader.card', payload: { cardNumber: 'DEMO0001' } })
  })
})

describe('the RPC door refuses bad arguments from the renderer', () => {
  it.each([
    ['a negative quantity', { cardNumber: 'DEMO0001', lines: [{ productId: 'p-milk', qty: -1 }] }],
    ['a price smuggled in', { cardNumber: 'DEMO0001', lines: [{ productId: 'p-milk', qty: 1, unitPrice: 1 }] }],
    ['no lines', { cardNumber: 'DEMO0001', lines: [] }],
    ['not an object', 'DEMO0001'],
    ['an extra field', { cardNumber: 'DEMO0001', lines: [{ productId: 'p-milk', qty: 1 }], total: 0 }],
    ['no sale id (a retry could not be recognised)', { cardNumber: 'DEMO0001', lines: [{ productId: 'p-milk', qty: 1 }] }],
    ['a sale id that is not a uuid', { saleId: 'again', cardNumber: 'DEMO0001', lines: [{ productId: 'p-milk', qty: 1 }] }],
  ])('rejects %s with a clear error and records nothing', async (_what, args) => {
    const dir = freshDir()
    const till = await open(dir)
    await call(till, 'staff.signIn', { pin: '1234' })
    const res = await till.dispatch('sale.record', args)
    expect(res.ok).toBe(false)
    if (!res.ok) {
      expect(res.error.code).toBe('bad-argument')
      expect(res.error.message).toMatch(/^sale\.record: /)
    }
    expect(await call(till, 'sale.recent', {})).toEqual([])
  })

  it('rejects an unknown method', async () => {
    const till = await open(freshDir())
    expect(await till.dispatch('db.exec', { sql: 'DROP TABLE sales' })).toMatchObject({ ok: false, error: { code: 'unknown-method' } })
    expect(await till.dispatch('__proto__', {})).toMatchObject({ ok: false, error: { code: 'unknown-method' } })
  })

  it('rejects a PIN that is not 4-8 digits before checking it', async () => {
    const till = await open(freshDir())
    expect(await till.dispatch('staff.signIn', { pin: "1' OR '1'='1" })).toMatchObject({ ok: false, error: { code: 'bad-argument' } })
  })
})

const SALE_ID = '0b9d7c3e-5d1a-4f7e-9a43-2f6c1e8b7a10'

describe('paying twice: a retry of the same basket attempt is safe', () => {
  it('records one sale for two taps with the same sale id and answers both the same', async () => {
    const dir = freshDir()
    const till = await open(dir)
    await call(till, 'staff.signIn', { pin: '1234' })
    const attempt = { saleId: SALE_ID, cardNumber: 'DEMO0001', lines: [{ productId: 'p-lunch', qty: 1 }] }
    const first = await call(till, 'sale.record', attempt)
    const second = await call(till, 'sale.record', attempt)
    expect(first).toMatchObject({ ok: true, saleId: SALE_ID, total: 3500, balanceAfter: 11500 })
    expect(second).toEqual(first)
    const db = openDb(dir)
    expect(db.prepare('SELECT id FROM sales').all()).toEqual([{ id: SALE_ID }])
    expect(db.prepare('SELECT seq FROM outbox').all()).toEqual([{ seq: 1 }])
    db.close()
  })

  it('tells a renderer that lost the answer what became of the attempt', async () => {
    const till = await open(freshDir())
    await call(till, 'staff.signIn', { pin: '1234' })
    expect(await call(till, 'sale.outcome', { saleId: SALE_ID })).toEqual({ recorded: false })
    await call(till, 'sale.record', { saleId: SALE_ID, cardNumber: 'DEMO0001', lines: [{ productId: 'p-milk', qty: 1 }] })
    expect(await call(till, 'sale.outcome', { saleId: SALE_ID })).toMatchObject({ recorded: true, outcome: { ok: true, saleId: SALE_ID, total: 800, card: { balance: 14200 } } })
  })

  it('does not store a refusal: a retry of a refused attempt decides again', async () => {
    const till = await open(freshDir())
    await call(till, 'staff.signIn', { pin: '1234' })
    const attempt = { saleId: SALE_ID, cardNumber: 'DEMO0003', lines: [{ productId: 'p-milk', qty: 1 }] }
    expect(await call(till, 'sale.record', attempt)).toMatchObject({ ok: false, reason: 'blocked' })
    expect(await call(till, 'sale.outcome', { saleId: SALE_ID })).toEqual({ recorded: false })
  })

  it('refuses a sale id reused for another basket instead of passing off the old sale as this one', async () => {
    const till = await open(freshDir())
    await call(till, 'staff.signIn', { pin: '1234' })
    await call(till, 'sale.record', { saleId: SALE_ID, cardNumber: 'DEMO0001', lines: [{ productId: 'p-milk', qty: 1 }] })
    const res = await till.dispatch('sale.record', { saleId: SALE_ID, cardNumber: 'DEMO0001', lines: [{ productId: 'p-milk', qty: 2 }] })
    expect(res).toMatchObject({ ok: false, error: { code: 'bad-argument' } })
    expect(await call(till, 'sale.recent', {})).toHaveLength(1)
  })
})

describe('signing in at the till', () => {
  it('says an unenrolled till is not enrolled instead of "wrong PIN"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kantine-till-'))
    dirs.push(dir)
    const till = await open(dir)
    expect(await call(till, 'staff.signIn', { pin: '1234' })).toEqual({ ok: false, reason: 'not-enrolled' })
  })

  it('lets only the staff of this till’s canteen sign in', async () => {
    const dir = freshDir()
    const db = openDb(dir)
    // A colleague at another canteen of the municipality (as an older server sent them).
    db.prepare('INSERT INTO staff (id, name, pin_hash, roles, location_ids, active) VALUES (?, ?, ?, ?, ?, 1)').run('s-other', 'Ole Andersen', hashPin('4321'), '["cashier"]', '["loc-2"]')
    db.close()
    const till = await open(dir)
    expect(await call(till, 'staff.signIn', { pin: '4321' })).toEqual({ ok: false, reason: 'pin-wrong' })
  })

  it('signs nobody in on a PIN two colleagues of the canteen share, whoever’s name comes first', async () => {
    const dir = freshDir()
    const db = openDb(dir)
    // A cashier moved here (or reinstated) with the PIN a manager of this canteen already has:
    // the server holds hashes only and cannot see the clash. The cashier's name sorts first.
    const add = db.prepare('INSERT INTO staff (id, name, pin_hash, roles, location_ids, active) VALUES (?, ?, ?, ?, ?, 1)')
    add.run('s-moved', 'Aase Aabye', hashPin('4321'), '["cashier"]', '["loc-1"]')
    add.run('s-boss', 'Zenia Zahle', hashPin('4321'), '["cashier","manager"]', '["loc-1"]')
    db.close()
    const till = await open(dir)
    expect(await call(till, 'staff.signIn', { pin: '4321' })).toEqual({ ok: false, reason: 'pin-ambiguous' })
    expect(await call(till, 'staff.current', {})).toBeNull()
    // It is no wrong guess: it does not count towards the lockout.
    for (let i = 0; i < 4; i++) expect(await call(till, 'staff.signIn', { pin: '4321' })).toEqual({ ok: false, reason: 'pin-ambiguous' })
    expect(await call(till, 'staff.signIn', { pin: '1234' })).toMatchObject({ ok: true })
  })

  it('makes the next try wait after three wrong PINs, longer each time, across a restart', async () => {
    const dir = freshDir()
    const clock = testClock()
    let till = await open(dir, { clock })
    for (let i = 0; i < 3; i++) expect(await call(till, 'staff.signIn', { pin: '0000' })).toEqual({ ok: false, reason: 'pin-wrong' })
    expect(await call(till, 'staff.signIn', { pin: '0000' })).toEqual({ ok: false, reason: 'locked', retryAfterSeconds: 30 })
    // Even the right PIN waits out the lockout.
    clock.advance(10_000)
    expect(await call(till, 'staff.signIn', { pin: '1234' })).toEqual({ ok: false, reason: 'locked', retryAfterSeconds: 20 })

    await till.close()
    tills.splice(tills.indexOf(till), 1)
    till = await open(dir, { clock })
    expect(await call(till, 'staff.signIn', { pin: '1234' })).toEqual({ ok: false, reason: 'locked', retryAfterSeconds: 20 })
    clock.advance(20_000)
    expect(await call(till, 'staff.signIn', { pin: '0000' })).toEqual({ ok: false, reason: 'locked', retryAfterSeconds: 60 })
    clock.advance(60_000)
    expect(await call(till, 'staff.signIn', { pin: '1234' })).toMatchObject({ ok: true })
    // A good PIN starts the count again.
    expect(await call(till, 'staff.signIn', { pin: '0000' })).toEqual({ ok: false, reason: 'pin-wrong' })
  })

  it('counts parallel guesses one by one', async () => {
    const till = await open(freshDir(), { clock: testClock() })
    const answers = await Promise.all(Array.from({ length: 6 }, () => call(till, 'staff.signIn', { pin: '0000' })))
    expect(answers.filter((a: { reason: string }) => a.reason === 'pin-wrong')).toHaveLength(3)
  })

  it('signs the cashier out after the configured minutes without an action of theirs', async () => {
    const clock = testClock()
    const till = await open(freshDir(), { clock, signOutAfterMinutes: 10 })
    await call(till, 'staff.signIn', { pin: '1234' })
    clock.advance(9 * 60_000)
    await call(till, 'card.lookup', { cardNumber: 'DEMO0001' })
    clock.advance(9 * 60_000)
    // Background reads do not keep the session alive: the recent list, and the re-read of the
    // card on the screen after every pull (a busy canteen pulls every second).
    await call(till, 'sale.recent', {})
    await call(till, 'card.lookup', { cardNumber: 'DEMO0001', refresh: true })
    expect(await call(till, 'staff.current', {})).toMatchObject({ name: 'Mette Hansen' })
    clock.advance(60_000)
    expect(await call(till, 'staff.current', {})).toBeNull()
    expect(await till.dispatch('sale.record', { saleId: randomUUID(), cardNumber: 'DEMO0001', lines: [{ productId: 'p-milk', qty: 1 }] })).toMatchObject({ ok: false, error: { code: 'not-signed-in' } })
  })

  it.each([
    ['card.lookup', { cardNumber: 'DEMO0001' }],
    ['sale.recent', {}],
    ['sale.outcome', { saleId: SALE_ID }],
  ])('refuses %s to anyone not signed in', async (method, args) => {
    const till = await open(freshDir())
    expect(await till.dispatch(method, args)).toMatchObject({ ok: false, error: { code: 'not-signed-in' } })
  })
})
