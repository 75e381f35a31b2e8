import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openDb } from './store/db'
import { seedCanteen } from '../../test/support/core'
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

async function open(dir: string): Promise<Till> {
  const till = await openTill({ dataDir: dir, simulatedReader: true })
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
    const outcome = await call(till, 'sale.record', { cardNumber: 'demo0001', lines: [{ productId: 'p-lunch', qty: 1 }, { productId: 'p-milk', qty: 2 }] })
    expect(outcome).toMatchObject({ ok: true, total: 5100, balanceAfter: 9900, card: { holderName: 'Freja Nielsen', balance: 9900 } })
    await till.close()
    tills.splice(tills.indexOf(till), 1)

    till = await open(dir)
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
    expect(await call(till, 'sale.record', { cardNumber: 'DEMO0003', lines: [{ productId: 'p-milk', qty: 1 }] })).toMatchObject({ ok: false, reason: 'blocked', card: { holderName: 'Ida Hansen' } })
    expect(await call(till, 'sale.recent', {})).toEqual([])
  })

  it('refuses a sale when nobody is signed in', async () => {
    const till = await open(freshDir())
    const res = await till.dispatch('sale.record', { cardNumber: 'DEMO0001', lines: [{ productId: 'p-milk', qty: 1 }] })
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
