import { existsSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type RunningServer } from '../app'
import { DEMO_CPR_KEY, cprDigest, verifyPin } from '../platform/crypto'
import { migrate, type Db } from '../db'
import { DEMO_FILE, loadDemo, readDemoFile, type DemoData } from './demo'
import { enrolTill, fixtureData, openTestDb, pullAll, testClock } from '../../test/support/server'

/** The real demo set when it is there (another engineer generates it), else the tiny fixture. */
async function demoData(): Promise<DemoData> {
  return existsSync(DEMO_FILE) ? readDemoFile() : fixtureData().data
}

describe('loading the demo data', () => {
  let db: Db
  let data: DemoData
  let server: RunningServer
  const clock = testClock()

  beforeAll(async () => {
    db = await openTestDb()
    await migrate(db)
    data = await demoData()
    await loadDemo(db, data, { clock })
    server = await startServer({ db, clock })
  })
  afterAll(async () => {
    await server.close()
    await db.close()
  })

  it("books each holder's balance as a deposit in the ledger, so balance = sum of the ledger", async () => {
    const { rows } = await db.query<{ id: string; balance: number; ledger: number; deposits: number }>(
      `SELECT a.id, a.balance,
              (SELECT coalesce(sum(amount), 0) FROM ledger l WHERE l.account_id = a.id)::bigint AS ledger,
              (SELECT count(*) FROM ledger l WHERE l.account_id = a.id AND kind = 'deposit')::bigint AS deposits
         FROM accounts a`,
    )
    expect(rows).toHaveLength(data.holders.length)
    const byId = new Map(rows.map((r) => [r.id, r]))
    for (const h of data.holders) {
      const row = byId.get(h.accountId)!
      expect(row.balance, h.accountId).toBe(h.balance)
      expect(row.ledger, h.accountId).toBe(h.balance)
      expect(row.deposits, h.accountId).toBe(h.balance > 0 ? 1 : 0)
    }
  })

  it('leaves no CPR number and none of its digits in a copy of the database, and no key to recompute the hashes', async () => {
    const { rows: holders } = await db.query<Record<string, unknown>>('SELECT * FROM holders')
    expect(holders).toHaveLength(data.holders.length)
    const byId = new Map(holders.map((h) => [h.id, h]))
    for (const h of data.holders) {
      const row = byId.get(`holder-${h.accountId}`)!
      const last4 = h.cpr.slice(6)
      for (const [column, value] of Object.entries(row)) {
        if (typeof value !== 'string') continue
        expect(value, `${h.accountId}.${column}`).not.toContain(h.cpr)
        expect(value, `${h.accountId}.${column}`).not.toBe(last4)
        // The hash is hex and the photo base64: four digits occur in them by chance, nowhere else.
        if (column !== 'cpr_hmac' && column !== 'photo' && column !== 'photo_id') expect(value, `${h.accountId}.${column}`).not.toContain(last4)
      }
      expect(row.cpr_hmac).toMatch(/^[0-9a-f]{64}$/)
    }
    // Nothing kept in the database reproduces a hash: the key lives outside it.
    const { rows: secrets } = await db.query<{ value: string }>('SELECT value FROM server_secrets')
    const h = data.holders[0]!
    for (const { value } of secrets) expect(cprDigest(value, h.cpr).hmac).not.toBe(byId.get(`holder-${h.accountId}`)!.cpr_hmac)
    expect(byId.get(`holder-${h.accountId}`)!.cpr_hmac).toBe(cprDigest(DEMO_CPR_KEY, h.cpr).hmac)
  })

  it('loads the categories’ colours and the products’ allergens', async () => {
    const { rows: cats } = await db.query<{ colour: string }>("SELECT colour FROM categories WHERE id = 'c-mejeri'")
    expect(cats[0]!.colour).toMatch(/^#[0-9a-f]{6}$/)
    const { rows: products } = await db.query<{ allergens: string[] }>("SELECT allergens FROM products WHERE id IN ('p-lasagne', 'p-aeble') ORDER BY id DESC")
    expect(products.map((p) => p.allergens)).toEqual([['gluten', 'eggs', 'milk', 'celery'], []])
  })

  it('stores staff PINs as scrypt hashes a till can check offline', async () => {
    const s = data.staff[0]!
    const { rows } = await db.query<{ pin_hash: string }>('SELECT pin_hash FROM staff WHERE id = $1', [s.id])
    expect(rows[0]!.pin_hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/)
    expect(await verifyPin(s.pin, rows[0]!.pin_hash)).toBe(true)
    expect(await verifyPin('0000', rows[0]!.pin_hash)).toBe(s.pin === '0000')
  })

  it('gives the guardian of DEMO0001 the demo’s kiosk PIN 2468, as a hash; nobody else has one', async () => {
    const { rows } = await db.query<{ id: string; pin_hash: string }>('SELECT id, pin_hash FROM guardians WHERE pin_hash IS NOT NULL')
    const withPin = data.guardians.filter((g) => g.kioskPin !== undefined)
    expect(rows.map((r) => r.id).sort()).toEqual(withPin.map((g) => g.id).sort())
    for (const r of rows) expect(await verifyPin(withPin.find((g) => g.id === r.id)!.kioskPin!, r.pin_hash)).toBe(true)
    if (existsSync(DEMO_FILE)) {
      const guardianOfFreja = data.guardians.find((g) => g.accountIds.includes(data.holders.find((h) => h.cards.some((c) => c.number === 'DEMO0001'))!.accountId))
      expect(guardianOfFreja).toMatchObject({ id: 'g-0001', kioskPin: '2468' })
    }
  })

  it('gives every entity its change row: a till enrolled afterwards pulls the whole demo from 0:0', async () => {
    const till = await enrolTill(server, data.locations[0]!.id)
    const { changes } = await pullAll(server, till)
    const count = (entity: string) => changes.filter((c) => c.entity === entity).length
    expect(count('location')).toBe(data.locations.length)
    // The demo's canteens take cash from guests; a location that does not say so is card only.
    if (existsSync(DEMO_FILE)) expect(data.locations.map((l) => l.cashAllowed)).toEqual(data.locations.map(() => true))
    for (const l of data.locations) expect(changes.find((c) => c.entity === 'location' && c.id === l.id), l.id).toMatchObject({ data: { cashAllowed: l.cashAllowed ?? false } })
    expect(count('category')).toBe(data.categories.length)
    expect(count('product')).toBe(data.products.length)
    expect(count('staff')).toBe(data.staff.length)
    expect(count('account')).toBe(data.holders.length)
    expect(count('card')).toBe(data.holders.reduce((n, h) => n + h.cards.length, 0))
    const h = data.holders[0]!
    expect(changes.find((c) => c.entity === 'account' && c.id === h.accountId)).toMatchObject({
      data: { holderName: h.name, balance: h.balance, status: h.status, deniedCategoryIds: h.deniedCategoryIds },
    })
  })

  it('refuses to load into a database that is not empty', async () => {
    await expect(loadDemo(db, data)).rejects.toThrow(/not empty/)
  })
})
