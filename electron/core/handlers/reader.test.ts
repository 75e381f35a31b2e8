import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { hashPin, seedCanteen } from '../../../test/support/core'
import type { EventMessage } from '../api/contract'
import { openDb } from '../store/db'
import { applyPullPage } from '../store/pull'
import { getSetting } from '../store/settings'
import { openTill, type Till } from '../till'

const dirs: string[] = []
const tills: Till[] = []
afterEach(async () => {
  for (const t of tills.splice(0)) await t.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

async function till(): Promise<{ till: Till; dir: string; events: EventMessage[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'kantine-reader-rpc-'))
  dirs.push(dir)
  const db = openDb(dir)
  seedCanteen(db)
  const now = new Date().toISOString()
  applyPullPage(
    db,
    { changes: [
      { entity: 'product', id: 'p-juice', data: { name: 'Æblejuice', categoryId: 'cat-drink', prices: { 'loc-1': 1000 }, barcode: '5701234567899', available: true, image: null, sort: 4 } },
      { entity: 'staff', id: 's-jonas', data: { name: 'Jonas Berg', pinHash: hashPin('9999'), roles: ['manager', 'cashier'], locationIds: ['loc-1'], active: true } },
    ], cursor: '1:2', hasMore: false, ackSeq: null, serverTime: now },
    { from: getSetting(db, 'pull_cursor'), localNow: new Date(now) },
  )
  db.close()
  // No USB here: the core runs without node-hid's devices (a fake is tested in reader/service.test.ts).
  const t = await openTill({ dataDir: dir, simulatedReader: true })
  tills.push(t)
  const events: EventMessage[] = []
  t.subscribe((m) => events.push(m))
  return { till: t, dir, events }
}

const CONFIG = {
  device: { vendorId: 0x0c27, productId: 0x3bfa, path: null, interface: null, product: 'pcProx' },
  terminator: 'enter',
  gapMs: 100,
  normalisation: { prints: 'hex', reverseBytes: true, uidBytes: 4, output: 'hex' },
}

describe('the reader area of the RPC contract', () => {
  it('refuses a cashier the device list and the settings, and changes nothing', async () => {
    const { till: t, dir } = await till()
    await t.dispatch('staff.signIn', { pin: '1234' })
    expect(await t.dispatch('reader.devices', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(await t.dispatch('reader.configure', CONFIG)).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    await t.close()
    tills.length = 0
    const db = openDb(dir)
    expect(getSetting(db, 'reader_config')).toBeNull()
    db.close()
  })

  it('lets a manager choose a reader by vendor and product id, kept in the settings', async () => {
    const { till: t, dir } = await till()
    await t.dispatch('staff.signIn', { pin: '9999' })
    const res = await t.dispatch('reader.configure', CONFIG)
    expect(res).toMatchObject({ ok: true, value: { config: CONFIG } })
    expect(await t.dispatch('reader.status', {})).toMatchObject({ ok: true, value: { config: CONFIG } })
    await t.close()
    tills.length = 0
    const db = openDb(dir)
    expect(JSON.parse(getSetting(db, 'reader_config') ?? '{}')).toMatchObject({ device: CONFIG.device })
    db.close()
  })

  it('rejects settings outside the schema (USB ids, gap, normalisation) before they reach the core', async () => {
    const { till: t } = await till()
    await t.dispatch('staff.signIn', { pin: '9999' })
    for (const bad of [
      { ...CONFIG, device: { ...CONFIG.device, vendorId: 0x10000 } },
      { ...CONFIG, gapMs: 5 },
      { ...CONFIG, normalisation: { ...CONFIG.normalisation, uidBytes: 5 } },
      { ...CONFIG, extra: true },
    ]) {
      expect(await t.dispatch('reader.configure', bad)).toMatchObject({ ok: false, error: { code: 'bad-argument' } })
    }
    expect(await t.dispatch('reader.status', {})).toMatchObject({ ok: true, value: { config: { device: null } } })
  })

  it('reads a wedge burst without sign-in: a barcode is the product, a card number a card event', async () => {
    const { till: t, events } = await till()
    expect(await t.dispatch('reader.wedge', { text: '5701234567899' })).toMatchObject({ ok: true, value: { source: 'wedge', outcome: { kind: 'product', productId: 'p-juice', productName: 'Æblejuice' } } })
    // The catalogue holds 5701234567892, but its check digit is wrong: no product is added for it.
    expect(await t.dispatch('reader.wedge', { text: '5701234567892' })).toMatchObject({ ok: true, value: { outcome: { kind: 'card', cardNumber: '5701234567892' } } })
    expect(await t.dispatch('reader.wedge', { text: 'demo0001' })).toMatchObject({ ok: true, value: { outcome: { kind: 'card', cardNumber: 'DEMO0001' } } })
    expect(events.filter((e) => e.event === 'reader.card').map((e) => e.payload)).toEqual([{ cardNumber: '5701234567892' }, { cardNumber: 'DEMO0001' }])
    expect(await t.dispatch('reader.wedge', { text: '' })).toMatchObject({ ok: false, error: { code: 'bad-argument' } })
  })

  it('reports the simulated reader while no USB reader is chosen', async () => {
    const { till: t } = await till()
    expect(await t.dispatch('reader.state', {})).toEqual({ ok: true, value: 'simulated' })
  })
})
