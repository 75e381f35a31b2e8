import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Mutation } from '../../../domain/sync'
import { hashPin, seedCanteen } from '../../../test/support/core'
import { openDb } from '../store/db'
import { pendingMutations, recordPushResults } from '../store/outbox'
import { applyPullPage } from '../store/pull'
import { getSetting } from '../store/settings'
import { openTill, type Till } from '../till'

const dirs: string[] = []
const tills: Till[] = []
afterEach(async () => {
  for (const t of tills.splice(0)) await t.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** Lunch on a Monday in Copenhagen. */
function testClock(start = '2026-03-02T11:00:00Z') {
  let t = Date.parse(start)
  return { now: () => new Date(t), advance: (ms: number) => void (t += ms) }
}

/** The demo canteen with Mette (cashier, PIN 1234) and Jonas (manager, PIN 9999). */
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kantine-void-'))
  dirs.push(dir)
  const db = openDb(dir)
  seedCanteen(db)
  const jonas = { name: 'Jonas Berg', pinHash: hashPin('9999'), roles: ['manager', 'cashier'] as const, locationIds: ['loc-1'], active: true }
  applyPullPage(
    db,
    { changes: [{ entity: 'staff', id: 's-jonas', data: { ...jonas, roles: [...jonas.roles] } }], cursor: '1:2', hasMore: false, ackSeq: null, serverTime: new Date().toISOString() },
    { from: getSetting(db, 'pull_cursor'), localNow: new Date() },
  )
  db.close()
  return dir
}

async function open(dir: string, clock = testClock()): Promise<Till> {
  const till = await openTill({ dataDir: dir, clock })
  tills.push(till)
  return till
}

async function call(till: Till, method: string, args: unknown) {
  const res = await till.dispatch(method, args)
  if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`)
  return res.value as never
}

/** Mette signs in and sells Freja lunch (35 kr); her balance is 150 kr before. */
async function metteSells(till: Till): Promise<string> {
  await call(till, 'staff.signIn', { pin: '1234' })
  const saleId = randomUUID()
  expect(await call(till, 'sale.record', { saleId, cardNumber: 'DEMO0001', lines: [{ productId: 'p-lunch', qty: 1 }] })).toMatchObject({ ok: true, balanceAfter: 11500 })
  return saleId
}

const balance = async (till: Till) => ((await call(till, 'card.lookup', { cardNumber: 'DEMO0001' })) as { card: { balance: number } }).card.balance
const recent = async (till: Till) => (await call(till, 'sale.recent', {})) as { saleId: string; voided: { reason: string } | null; voidable: boolean }[]

describe('a manager’s PIN voids a sale of today at a cashier’s till', () => {
  it('gives the money back at once, keeps the cashier signed in and queues one sale.void for the server', async () => {
    const dir = freshDir()
    const till = await open(dir)
    const saleId = await metteSells(till)
    expect((await recent(till))[0]).toMatchObject({ saleId, voided: null, voidable: true })

    const outcome = await call(till, 'sale.void', { saleId, reason: '  Forkert vare  ', managerPin: '9999' })
    expect(outcome).toEqual({ ok: true, saleId, refunded: 3500, authorisedBy: { staffId: 's-jonas', name: 'Jonas Berg' } })
    // Mette is still the one signed in: Jonas only authorised the void.
    expect(await call(till, 'staff.current', {})).toMatchObject({ staffId: 's-mette', name: 'Mette Hansen' })
    expect(await balance(till)).toBe(15000)
    expect((await recent(till))[0]).toMatchObject({ saleId, voided: { reason: 'Forkert vare' }, voidable: false })

    const db = openDb(dir)
    try {
      const rows = db.prepare('SELECT seq, kind, account_id, delta, spend, day_key FROM outbox ORDER BY seq').all()
      expect(rows).toEqual([
        { seq: 1, kind: 'sale.record', account_id: 'a-1', delta: -3500, spend: 3500, day_key: '2026-03-02' },
        { seq: 2, kind: 'sale.void', account_id: 'a-1', delta: 3500, spend: -3500, day_key: '2026-03-02' },
      ])
      // What the uploader sends is a mutation the server's schema accepts.
      const [, voided] = pendingMutations(db, 10)
      expect(Mutation.parse(voided)).toMatchObject({
        kind: 'sale.void',
        payload: { saleId, accountId: 'a-1', reason: 'Forkert vare', authorisedBy: 's-jonas', voidedAt: '2026-03-02T11:00:00.000Z' },
      })
    } finally {
      db.close()
    }

    // Voided once: a second tap is refused and queues nothing.
    expect(await call(till, 'sale.void', { saleId, reason: 'Igen', managerPin: '9999' })).toEqual({ ok: false, reason: 'already-voided' })
    expect(await balance(till)).toBe(15000)
  })

  it('takes the money back off the card when the server rejects the void, and shows why', async () => {
    const dir = freshDir()
    const till = await open(dir)
    const saleId = await metteSells(till)
    await call(till, 'sale.void', { saleId, reason: 'Forkert vare', managerPin: '9999' })
    expect(await balance(till)).toBe(15000)
    const db = openDb(dir)
    try {
      const [sold, voided] = pendingMutations(db, 10)
      recordPushResults(db, [
        { seq: sold!.seq, id: sold!.id, status: 'applied', reason: null, flags: [] },
        { seq: voided!.seq, id: voided!.id, status: 'rejected', reason: 'not-a-manager', flags: [] },
      ])
    } finally {
      db.close()
    }
    expect(await balance(till)).toBe(11500)
    expect((await recent(till))[0]).toMatchObject({ saleId, voided: { sync: 'rejected', rejectReason: 'not-a-manager' }, voidable: false })
  })

  it('refuses a wrong PIN, then locks as at sign-in, and the cashier stays signed in throughout', async () => {
    const clock = testClock()
    const till = await open(freshDir(), clock)
    const saleId = await metteSells(till)
    for (let i = 0; i < 3; i++) expect(await call(till, 'sale.void', { saleId, reason: 'Fortrudt', managerPin: '0000' })).toEqual({ ok: false, reason: 'pin-wrong' })
    expect(await call(till, 'sale.void', { saleId, reason: 'Fortrudt', managerPin: '0000' })).toEqual({ ok: false, reason: 'locked', retryAfterSeconds: 30 })
    // Even the manager's right PIN waits out the lockout, and the sign-in shares it.
    clock.advance(10_000)
    expect(await call(till, 'sale.void', { saleId, reason: 'Fortrudt', managerPin: '9999' })).toEqual({ ok: false, reason: 'locked', retryAfterSeconds: 20 })
    expect(await call(till, 'staff.current', {})).toMatchObject({ staffId: 's-mette' })
    expect(await balance(till)).toBe(11500)
    expect((await recent(till))[0]).toMatchObject({ voided: null, voidable: true })

    clock.advance(20_000)
    expect(await call(till, 'sale.void', { saleId, reason: 'Fortrudt', managerPin: '9999' })).toMatchObject({ ok: true })
    expect(await call(till, 'staff.current', {})).toMatchObject({ staffId: 's-mette' })
  })

  it('counts a wrong manager PIN against the sign-in too: the void dialog is no way round the lockout', async () => {
    const till = await open(freshDir())
    const saleId = await metteSells(till)
    for (let i = 0; i < 3; i++) await call(till, 'sale.void', { saleId, reason: 'Fortrudt', managerPin: '0000' })
    await call(till, 'staff.signOut', {})
    expect(await call(till, 'staff.signIn', { pin: '0000' })).toEqual({ ok: false, reason: 'locked', retryAfterSeconds: 30 })
  })

  it('does not take a cashier’s own PIN as a manager’s', async () => {
    const till = await open(freshDir())
    const saleId = await metteSells(till)
    expect(await call(till, 'sale.void', { saleId, reason: 'Fortrudt', managerPin: '1234' })).toEqual({ ok: false, reason: 'not-a-manager' })
    expect(await balance(till)).toBe(11500)
  })

  it('refuses a manager PIN that a colleague of the canteen has too: nobody can tell who authorised it', async () => {
    const dir = freshDir()
    const db = openDb(dir)
    // Astrid (a manager too, her name first) has Jonas's PIN: moved here, the server could not see it.
    db.prepare('INSERT INTO staff (id, name, pin_hash, roles, location_ids, active) VALUES (?, ?, ?, ?, ?, 1)').run('s-astrid', 'Astrid Alm', hashPin('9999'), '["manager"]', '["loc-1"]')
    db.close()
    const till = await open(dir)
    const saleId = await metteSells(till)
    expect(await call(till, 'sale.void', { saleId, reason: 'Fortrudt', managerPin: '9999' })).toEqual({ ok: false, reason: 'pin-ambiguous' })
    expect(await balance(till)).toBe(11500)
    expect(await call(till, 'staff.current', {})).toMatchObject({ name: 'Mette Hansen' })
  })

  it('refuses yesterday’s sale, a sale it does not know, and anyone not signed in as a cashier', async () => {
    const clock = testClock('2026-03-02T22:30:00Z') // 23:30 in Copenhagen
    const till = await open(freshDir(), clock)
    const saleId = await metteSells(till)
    clock.advance(60 * 60_000) // 00:30: a new day
    await call(till, 'staff.signIn', { pin: '1234' })
    expect(await call(till, 'sale.void', { saleId, reason: 'Fortrudt', managerPin: '9999' })).toEqual({ ok: false, reason: 'not-today' })
    expect((await recent(till))[0]).toMatchObject({ voidable: false })
    expect(await call(till, 'sale.void', { saleId: randomUUID(), reason: 'Fortrudt', managerPin: '9999' })).toEqual({ ok: false, reason: 'sale-unknown' })
    await call(till, 'staff.signOut', {})
    expect(await till.dispatch('sale.void', { saleId, reason: 'Fortrudt', managerPin: '9999' })).toMatchObject({ ok: false, error: { code: 'not-signed-in' } })
  })

  it('refuses a reason that is empty or holds a control character before it checks a PIN', async () => {
    const till = await open(freshDir())
    const saleId = await metteSells(till)
    for (const reason of ['   ', 'a\u0007b', 'x'.repeat(201)]) {
      expect(await till.dispatch('sale.void', { saleId, reason, managerPin: '0000' })).toMatchObject({ ok: false, error: { code: 'bad-argument' } })
    }
    // None of those counted as a wrong PIN.
    for (let i = 0; i < 3; i++) expect(await call(till, 'sale.void', { saleId, reason: 'Fortrudt', managerPin: '0000' })).toEqual({ ok: false, reason: 'pin-wrong' })
  })
})
