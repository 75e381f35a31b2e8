import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { AUTO_TOPUP_QUEUED, SaleRecordPayload } from '../../../domain/sync'
import { account, hashPin, seedCanteen } from '../../../test/support/core'
import { openDb } from '../store/db'
import { pendingMutations, recordPushResults } from '../store/outbox'
import { applyPullPage } from '../store/pull'
import { getSetting } from '../store/settings'
import { openTill, type Till, type TillOptions } from '../till'

const dirs: string[] = []
const tills: Till[] = []
afterEach(async () => {
  for (const t of tills.splice(0)) await t.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** Lunch on a Monday in Copenhagen. */
const clock = { now: () => new Date('2026-03-02T11:00:00Z') }

/** The canteen's cash setting as a pull brings it with the location (the server's, set by its manager). */
function pullCanteenCash(db: ReturnType<typeof openDb>, cashAllowed: boolean | undefined): void {
  const from = getSetting(db, 'pull_cursor')
  const data = { name: 'Skovvangskolen', ...(cashAllowed === undefined ? {} : { cashAllowed }) }
  const pulled = applyPullPage(db, { changes: [{ entity: 'location', id: 'loc-1', data }], cursor: `${from}0`, hasMore: false, ackSeq: null, serverTime: new Date().toISOString() }, { from, localNow: new Date() })
  if (!pulled) throw new Error('the pull page was not applied')
}

/** A till enrolled at loc-1 and pulled once; `cash`: its canteen takes cash from guests. */
function freshDir(cash = false): string {
  const dir = mkdtempSync(join(tmpdir(), 'kantine-cash-'))
  dirs.push(dir)
  const db = openDb(dir)
  seedCanteen(db)
  if (cash) pullCanteenCash(db, true)
  db.close()
  return dir
}

async function open(dir: string, opts: Partial<TillOptions> = {}): Promise<Till> {
  const till = await openTill({ dataDir: dir, clock, ...opts })
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

const freja = async (till: Till) => ((await call(till, 'card.lookup', { cardNumber: 'DEMO0001' })) as { card: { balance: number; autoTopupAt: string | null } }).card

describe('a guest pays cash at the counter', () => {
  it('is refused where the canteen does not take cash, and nothing is recorded', async () => {
    const dir = freshDir()
    const till = await open(dir)
    expect(await call(till, 'app.settings')).toMatchObject({ cashAllowed: false })
    expect(await call(till, 'sale.cash', { saleId: randomUUID(), lines: [{ productId: 'p-lunch', qty: 1 }] })).toEqual({ ok: false, reason: 'cash-not-allowed', total: 0 })
    expect(await call(till, 'sale.recent')).toEqual([])
  })

  it('follows the canteen’s setting as each pull brings it: on, off, and off again from a server that does not send it', async () => {
    const dir = freshDir()
    const till = await open(dir)
    const db = openDb(dir)
    const sell = () => call(till, 'sale.cash', { saleId: randomUUID(), lines: [{ productId: 'p-lunch', qty: 1 }] })
    try {
      pullCanteenCash(db, true)
      expect(await call(till, 'app.settings')).toMatchObject({ cashAllowed: true })
      expect(await sell()).toMatchObject({ ok: true, payment: 'cash' })
      pullCanteenCash(db, false)
      expect(await call(till, 'app.settings')).toMatchObject({ cashAllowed: false })
      expect(await sell()).toMatchObject({ ok: false, reason: 'cash-not-allowed' })
      pullCanteenCash(db, true)
      pullCanteenCash(db, undefined)
      expect(await call(till, 'app.settings')).toMatchObject({ cashAllowed: false })
      // Another canteen taking cash is not this till's canteen.
      const from = getSetting(db, 'pull_cursor')
      applyPullPage(db, { changes: [{ entity: 'location', id: 'loc-2', data: { name: 'Nørrebakke', cashAllowed: true } }], cursor: `${from}0`, hasMore: false, ackSeq: null, serverTime: new Date().toISOString() }, { from, localNow: new Date() })
      expect(await call(till, 'app.settings')).toMatchObject({ cashAllowed: false })
      expect(await sell()).toMatchObject({ ok: false, reason: 'cash-not-allowed' })
    } finally {
      db.close()
    }
    expect(await call(till, 'sale.recent')).toHaveLength(1)
  })

  it('records a cash sale once, with no card and no account: no balance moves, and its outbox row is a valid cash payload', async () => {
    const dir = freshDir(true)
    const till = await open(dir)
    expect(await call(till, 'app.settings')).toMatchObject({ cashAllowed: true })
    const saleId = randomUUID()
    const lines = [
      { productId: 'p-lunch', qty: 1 },
      { productId: 'p-milk', qty: 2 },
    ]
    expect(await call(till, 'sale.cash', { saleId, lines })).toEqual({ ok: true, saleId, total: 3500 + 1600, payment: 'cash' })
    // The same attempt again (the answer was lost): answered, not recorded twice.
    expect(await call(till, 'sale.cash', { saleId, lines })).toEqual({ ok: true, saleId, total: 5100, payment: 'cash' })
    // The same id with another basket, or as a card sale, is a caller's bug.
    await expect(call(till, 'sale.cash', { saleId, lines: [{ productId: 'p-lunch', qty: 2 }] })).rejects.toThrow(/bad-argument/)
    await expect(call(till, 'sale.record', { saleId, cardNumber: 'DEMO0001', lines })).rejects.toThrow(/bad-argument/)

    expect((await freja(till)).balance).toBe(15000)
    // Its money is in the drawer, not on an account: the till refuses to void it (before any PIN).
    expect(await call(till, 'sale.void', { saleId, reason: 'Forkert vare', managerPin: '9999' })).toEqual({ ok: false, reason: 'cash-sale' })
    expect(await call(till, 'sale.recent')).toEqual([
      expect.objectContaining({ saleId, payment: 'cash', cardNumber: '', holderName: '', total: 5100, sync: 'pending', voidable: false }),
    ])
    const db = openDb(dir)
    try {
      const pending = pendingMutations(db, 10)
      expect(pending).toHaveLength(1)
      const payload = SaleRecordPayload.parse(pending[0]!.payload)
      expect(payload).toMatchObject({ payment: 'cash', saleId, total: 5100, staffId: 's-mette', locationId: 'loc-1' })
      expect(payload).not.toHaveProperty('cardNumber')
      expect(payload).not.toHaveProperty('accountId')
      expect(db.prepare('SELECT account_id, delta, spend FROM outbox').all()).toEqual([{ account_id: null, delta: 0, spend: 0 }])
      expect(db.prepare('SELECT payment, card_number, account_id FROM sales').all()).toEqual([{ payment: 'cash', card_number: null, account_id: null }])
    } finally {
      db.close()
    }
  })

  it('refuses an unknown product or a basket over the caps, as for a card', async () => {
    const till = await open(freshDir(true))
    expect(await call(till, 'sale.cash', { saleId: randomUUID(), lines: [{ productId: 'p-elsewhere', qty: 1 }] })).toMatchObject({ ok: false, reason: 'product-unknown', productId: 'p-elsewhere' })
    expect(await call(till, 'sale.cash', { saleId: randomUUID(), lines: [{ productId: 'p-lunch', qty: 99 }] })).toMatchObject({ ok: false, reason: expect.stringMatching(/too-large/) })
    expect(await call(till, 'sale.recent')).toEqual([])
  })
})

describe('the sounds', () => {
  it('are on at 70 % by default, and a signed-in staff member turns them down or off; the till keeps it', async () => {
    const dir = freshDir()
    let till = await open(dir)
    expect(await call(till, 'app.settings')).toEqual({ cashAllowed: false, offlineAllowance: 5000, offlineCap: 7500, sound: { on: true, volume: 70 } })
    expect(await call(till, 'app.sound.set', { on: false, volume: 30 })).toMatchObject({ cashAllowed: false, sound: { on: false, volume: 30 } })
    await expect(call(till, 'app.sound.set', { on: true, volume: 101 })).rejects.toThrow(/bad-argument/)
    await till.close()
    tills.splice(tills.indexOf(till), 1)
    till = await open(dir)
    expect(await call(till, 'app.settings')).toMatchObject({ cashAllowed: false, sound: { on: false, volume: 30 } })
  })
})

describe('the offline limits', () => {
  it('are a manager’s to change, within bounds, and the till keeps them; a cashier is refused; cash is not the till’s to set', async () => {
    const dir = freshDir()
    const db = openDb(dir)
    const jonas = { name: 'Jonas Berg', pinHash: hashPin('9999'), roles: ['manager' as const], locationIds: ['loc-1'], active: true }
    applyPullPage(
      db,
      { changes: [{ entity: 'staff', id: 's-jonas', data: jonas }], cursor: '1:2', hasMore: false, ackSeq: null, serverTime: new Date().toISOString() },
      { from: getSetting(db, 'pull_cursor'), localNow: new Date() },
    )
    db.close()
    let till = await open(dir)
    const wanted = { offlineAllowance: 3000, offlineCap: 10000 }
    await expect(call(till, 'app.counter.set', wanted)).rejects.toThrow(/forbidden/)
    expect(await call(till, 'app.settings')).toMatchObject({ cashAllowed: false, offlineAllowance: 5000, offlineCap: 7500 })
    await call(till, 'staff.signOut')
    const manager = await till.dispatch('staff.signIn', { pin: '9999' })
    if (!manager.ok) throw new Error(manager.error.message)
    // Cash is the canteen's setting on the server: a till that tries to set it is refused whole.
    for (const bad of [{ ...wanted, offlineAllowance: 20_100 }, { ...wanted, offlineCap: -100 }, { ...wanted, offlineAllowance: 2550 }, { cashAllowed: true }, { ...wanted, cashAllowed: true }]) {
      await expect(call(till, 'app.counter.set', bad)).rejects.toThrow(/bad-argument/)
    }
    expect(await call(till, 'app.counter.set', wanted)).toMatchObject({ ...wanted, cashAllowed: false })
    await till.close()
    tills.splice(tills.indexOf(till), 1)
    till = await open(dir)
    expect(await call(till, 'app.settings')).toMatchObject({ ...wanted, cashAllowed: false })
  })
})

describe('auto top-up at the till', () => {
  it('shows that the sale triggered it once the server says so, and the new balance after the next pull', async () => {
    const dir = freshDir()
    const till = await open(dir)
    const saleId = randomUUID()
    expect(await call(till, 'sale.record', { saleId, cardNumber: 'DEMO0001', lines: [{ productId: 'p-lunch', qty: 1 }] })).toMatchObject({ ok: true })
    expect(await freja(till)).toMatchObject({ balance: 11500, autoTopupAt: null })

    const db = openDb(dir)
    try {
      const [m] = pendingMutations(db, 10)
      recordPushResults(db, [{ seq: m!.seq, id: m!.id, status: 'applied', reason: null, flags: [AUTO_TOPUP_QUEUED] }])
      expect(await freja(till)).toMatchObject({ balance: 11500, autoTopupAt: '2026-03-02T11:00:00.000Z' })
      // The pull: the server's balance holds the sale and the 200 kr top-up.
      applyPullPage(
        db,
        { changes: [{ entity: 'account', id: 'a-1', data: account({ balance: 11500 + 20000 }) }], cursor: '2:1', hasMore: false, ackSeq: m!.seq, serverTime: clock.now().toISOString() },
        { from: getSetting(db, 'pull_cursor'), localNow: clock.now() },
      )
    } finally {
      db.close()
    }
    expect(await freja(till)).toMatchObject({ balance: 31500, autoTopupAt: '2026-03-02T11:00:00.000Z' })
    // The next purchase is after the top-up: the notice goes.
    await call(till, 'sale.record', { saleId: randomUUID(), cardNumber: 'DEMO0001', lines: [{ productId: 'p-milk', qty: 1 }] })
    expect(await freja(till)).toMatchObject({ balance: 30700, autoTopupAt: null })
  })
})
