import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, describe, expect, it } from 'vitest'
import type { Change } from '../../domain/sync'
import { readCatalog } from '../../electron/core/store/catalog'
import { openDb } from '../../electron/core/store/db'
import { applyPullPage } from '../../electron/core/store/pull'
import { setSetting } from '../../electron/core/store/settings'
import { connectLive, enrolTill, pullAll, pushAs, sale, type Till } from '../../test/support/server'
import { serverSuite, type ServerSuite } from '../../test/support/server-suite'
import { checkPrice, priceHistoryOf, PRICE_HISTORY_ROWS } from '../sync/prices'
import { IMAGE_SIDE, promoteDuePrices } from './catalogue'
import { managerApi, managerSession, type ManagerSession } from '../../test/support/manager'

const s = serverSuite({ rateLimits: false })

const call = (m: ManagerSession, method: string, path: string, body?: unknown) => managerApi(s.server, m, method, path, body === undefined ? {} : { body })

/** A manager of both canteens of a fresh municipality. */
async function managerOfBoth(suite: ServerSuite = s) {
  const c = await suite.canteen()
  return managerSession(suite, { canteen: c, locationIds: [c.f.locationId, c.f.otherLocationId] })
}

/** Everything a refused request must leave as it was: the manager's view, the change log, the price history. */
async function stateOf(m: ManagerSession) {
  const view = await call(m, 'GET', '/manager/catalogue')
  const changes = await s.db.query<{ n: string }>('SELECT count(*) AS n FROM changes WHERE municipality_id = $1', [m.municipalityId])
  const history = await s.db.query<{ n: string }>(
    'SELECT count(*) AS n FROM product_price_history h JOIN products p ON p.id = h.product_id WHERE p.municipality_id = $1',
    [m.municipalityId],
  )
  const audit = await s.db.query<{ n: string }>('SELECT count(*) AS n FROM audit_log WHERE municipality_id = $1', [m.municipalityId])
  return { view: view.body, changes: changes.rows[0]!.n, history: history.rows[0]!.n, audit: audit.rows[0]!.n }
}

/** Expects the request refused with this status and code, and nothing changed. */
async function refused(m: ManagerSession, status: number, error: string, method: string, path: string, body?: unknown) {
  const before = await stateOf(m)
  const r = await call(m, method, path, body)
  expect({ status: r.status, error: r.body?.error }, `${method} ${path} ${JSON.stringify(body)?.slice(0, 200)}`).toEqual({ status, error })
  expect(await stateOf(m)).toEqual(before)
}

const newProduct = (m: ManagerSession, over: Record<string, unknown> = {}) => ({
  name: 'Rugbrød med æg',
  categoryId: m.f.products.bun.categoryId,
  barcode: null,
  allergens: ['eggs', 'gluten'],
  active: true,
  orderable: false,
  prices: { [m.f.locationId]: 2200 },
  ...over,
})

async function pngOf(width: number, height: number): Promise<string> {
  const png = await sharp({ create: { width, height, channels: 3, background: '#3366cc' } })
    .png()
    .toBuffer()
  return png.toString('base64')
}

/** The product's change rows as a till of the municipality pulls them, newest last. */
async function pulledProduct(till: Till, id: string) {
  const { changes } = await pullAll(s.server, till)
  return changes.filter((c): c is Extract<Change, { entity: 'product' }> => c.entity === 'product' && c.id === id)
}

const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

/** A till's store (electron/core) at a canteen with everything pulled into it, as a real till applies it. */
async function tillStore(till: Till) {
  const dir = mkdtempSync(join(tmpdir(), 'kantine-catalogue-'))
  dirs.push(dir)
  const db = openDb(dir)
  setSetting(db, 'location_id', till.locationId)
  const { changes, cursor } = await pullAll(s.server, till)
  applyPullPage(db, { changes, cursor, hasMore: false, ackSeq: null, serverTime: s.clock.now().toISOString() }, { from: null, localNow: s.clock.now() })
  return db
}

describe('the catalogue a manager reads (GET /manager/catalogue)', () => {
  it('lists the manager’s canteens, the municipality’s categories and its products with their prices now', async () => {
    const m = await managerOfBoth()
    const r = await call(m, 'GET', '/manager/catalogue')
    expect(r.status).toBe(200)
    expect(r.body.locations.map((l: { id: string }) => l.id).sort()).toEqual([m.f.locationId, m.f.otherLocationId].sort())
    expect(r.body.categories.map((c: { name: string; colour: string | null }) => [c.name, c.colour])).toEqual([
      ['Mad', null],
      ['Slik', null],
    ])
    const bun = r.body.products.find((p: { id: string }) => p.id === m.f.products.bun.productId)
    expect(bun).toEqual({
      id: m.f.products.bun.productId,
      name: 'Bolle med ost',
      categoryId: m.f.products.bun.categoryId,
      barcode: null,
      image: null,
      allergens: [],
      active: true,
      orderable: false,
      prices: { [m.f.locationId]: 1500, [m.f.otherLocationId]: 1500 },
      upcoming: {},
      hasSales: false,
    })
  })

  it('shows a manager of one canteen only that canteen’s prices', async () => {
    const m = await managerSession(s)
    const r = await call(m, 'GET', '/manager/catalogue')
    expect(r.body.locations.map((l: { id: string }) => l.id)).toEqual([m.f.locationId])
    expect(r.body.products.find((p: { id: string }) => p.id === m.f.products.cola.productId).prices).toEqual({ [m.f.locationId]: 2000 })
  })
})

describe('categories', () => {
  it('creates, renames, colours, orders and deletes; each write reaches the tills with its colour and is audited', async () => {
    const m = await managerOfBoth()
    const created = await call(m, 'POST', '/manager/categories', { name: '  Frugt ', colour: '#2E8B57' })
    expect(created.status).toBe(201)
    expect(created.body.category).toEqual({ id: expect.any(String), name: 'Frugt', sort: 3, colour: '#2e8b57' })
    const id = created.body.category.id as string
    const changed = await call(m, 'PUT', `/manager/categories/${id}`, { colour: null, name: 'Frugt og grønt' })
    expect(changed.body.category).toMatchObject({ name: 'Frugt og grønt', colour: null })
    await call(m, 'PUT', `/manager/categories/${id}`, { colour: '#aabbcc' })

    const all = (await call(m, 'GET', '/manager/catalogue')).body.categories.map((c: { id: string }) => c.id) as string[]
    const order = [id, ...all.filter((c) => c !== id)]
    const ordered = await call(m, 'PUT', '/manager/categories/order', { ids: order })
    expect(ordered.status).toBe(200)
    expect(ordered.body.categories.map((c: { id: string }) => c.id)).toEqual(order)

    const { changes } = await pullAll(s.server, m.terminal)
    const mine = changes.filter((c) => c.entity === 'category' && c.id === id).at(-1)
    expect(mine).toEqual({ entity: 'category', id, data: { name: 'Frugt og grønt', sort: 1, colour: '#aabbcc' } })

    expect((await call(m, 'DELETE', `/manager/categories/${id}`)).status).toBe(204)
    const after = await pullAll(s.server, m.terminal)
    expect(after.changes.filter((c) => c.entity === 'category' && c.id === id).at(-1)).toEqual({ entity: 'category', id, deleted: true })
    const audit = await s.db.query<{ actor: string; action: string }>(`SELECT actor, action FROM audit_log WHERE entity = 'category' AND entity_id = $1 ORDER BY id`, [id])
    expect(audit.rows.map((a) => a.action)).toEqual([
      'catalogue.category-created',
      'catalogue.category-changed',
      'catalogue.category-changed',
      'catalogue.category-deleted',
    ])
    expect(new Set(audit.rows.map((a) => a.actor))).toEqual(new Set([`staff:${m.staffId}`]))
  })

  it('refuses a bad colour, an empty name, an incomplete order, deleting a category in use, and another municipality’s category; nothing changes', async () => {
    const m = await managerOfBoth()
    const other = await managerOfBoth()
    const food = m.f.products.bun.categoryId
    await refused(m, 400, 'colour-invalid', 'POST', '/manager/categories', { name: 'Frugt', colour: 'green' })
    await refused(m, 400, 'colour-invalid', 'PUT', `/manager/categories/${food}`, { colour: '#abc' })
    await refused(m, 400, 'name-invalid', 'POST', '/manager/categories', { name: '   ', colour: null })
    await refused(m, 400, 'order-invalid', 'PUT', '/manager/categories/order', { ids: [food] })
    await refused(m, 400, 'order-invalid', 'PUT', '/manager/categories/order', { ids: [food, food, m.f.products.candy.categoryId] })
    await refused(m, 400, 'order-invalid', 'PUT', '/manager/categories/order', { ids: [food, m.f.products.candy.categoryId, other.f.products.bun.categoryId] })
    await refused(m, 409, 'category-in-use', 'DELETE', `/manager/categories/${food}`)
    await refused(m, 404, 'category-unknown', 'PUT', `/manager/categories/${other.f.products.bun.categoryId}`, { name: 'Mit' })
    await refused(m, 404, 'category-unknown', 'DELETE', `/manager/categories/${other.f.products.candy.categoryId}`)
    await refused(m, 404, 'category-unknown', 'DELETE', '/manager/categories/no-such-category')
    await refused(m, 400, 'bad-request', 'POST', '/manager/categories', { name: 'Frugt', colour: null, sort: 1 })
  })
})

describe('a create repeated after a lost answer (the id the screen chose)', () => {
  it('makes one category and one product, answers the retry with them, and refuses another municipality’s id or a malformed one', async () => {
    const m = await managerOfBoth()
    const other = await managerOfBoth()
    const categoryId = `cat-${randomUUID()}`
    const category = await call(m, 'POST', '/manager/categories', { id: categoryId, name: 'Frugt', colour: null })
    expect([category.status, category.body.category.id]).toEqual([201, categoryId])
    const productId = `p-${randomUUID()}`
    const product = await call(m, 'POST', '/manager/products', newProduct(m, { id: productId }))
    expect([product.status, product.body.product.id]).toEqual([201, productId])

    // The answers were lost; the screen sends the same creates again: nothing new, the same rows.
    const before = await stateOf(m)
    expect(await call(m, 'POST', '/manager/categories', { id: categoryId, name: 'Frugt', colour: null })).toMatchObject({ status: 201, body: category.body })
    expect(await call(m, 'POST', '/manager/products', newProduct(m, { id: productId }))).toMatchObject({ status: 201, body: product.body })
    expect(await stateOf(m)).toEqual(before)

    // Ids are global: another municipality's manager is told the id is taken, never shown the row.
    await refused(other, 409, 'id-taken', 'POST', '/manager/categories', { id: categoryId, name: 'Frugt', colour: null })
    await refused(other, 409, 'id-taken', 'POST', '/manager/products', newProduct(other, { id: productId }))
    // Only the server's own id shapes.
    await refused(m, 400, 'bad-request', 'POST', '/manager/categories', { id: 'cat-1', name: 'Frugt', colour: null })
    await refused(m, 400, 'bad-request', 'POST', '/manager/categories', { id: m.f.products.bun.categoryId, name: 'Frugt', colour: null })
    await refused(m, 400, 'bad-request', 'POST', '/manager/products', newProduct(m, { id: categoryId }))
  })
})

describe('products', () => {
  it('creates a product with a price at one canteen: the till there sells it, the other canteen’s till gets it without a price and does not', async () => {
    const m = await managerOfBoth()
    const tillB = await enrolTill(s.server, m.f.otherLocationId, 'Kasse B')
    const live = await connectLive(s.server, m.terminal.token)
    const r = await call(m, 'POST', '/manager/products', newProduct(m, { barcode: '5701234567899', allergens: ['gluten', 'eggs', 'gluten'], orderable: true }))
    expect(r.status).toBe(201)
    // The online till is poked at once, so it pulls within the second.
    await live.next(2000)
    live.close()
    const product = r.body.product
    expect(product).toEqual({
      id: expect.stringMatching(/^p-/),
      name: 'Rugbrød med æg',
      categoryId: m.f.products.bun.categoryId,
      barcode: '5701234567899',
      image: null,
      allergens: ['gluten', 'eggs'],
      active: true,
      orderable: true,
      prices: { [m.f.locationId]: 2200 },
      upcoming: {},
      hasSales: false,
    })
    const [change] = await pulledProduct(m.terminal, product.id)
    expect(change!.data).toMatchObject({ prices: { [m.f.locationId]: 2200 }, allergens: ['gluten', 'eggs'], schedule: {}, barcode: '5701234567899' })

    const storeA = await tillStore(m.terminal)
    const storeB = await tillStore(tillB)
    try {
      expect(readCatalog(storeA, m.f.locationId, s.clock.now().getTime()).products.find((p) => p.id === product.id)).toMatchObject({ price: 2200, allergens: ['gluten', 'eggs'] })
      expect((await pulledProduct(tillB, product.id)).length).toBe(1)
      expect(readCatalog(storeB, m.f.otherLocationId, s.clock.now().getTime()).products.find((p) => p.id === product.id)).toBeUndefined()
    } finally {
      storeA.close()
      storeB.close()
    }
    // Orderable in the webshop at the manager's canteens.
    const orderable = await s.db.query<{ location_id: string }>('SELECT location_id FROM orderable_products WHERE product_id = $1 ORDER BY location_id', [product.id])
    expect(orderable.rows.map((o) => o.location_id)).toEqual([m.f.locationId, m.f.otherLocationId].sort())
  })

  it('normalises a UPC-A barcode to its EAN-13 and changes the fields it is given only', async () => {
    const m = await managerOfBoth()
    const r = await call(m, 'POST', '/manager/products', newProduct(m, { barcode: '036000291452' }))
    expect(r.body.product.barcode).toBe('0036000291452')
    const id = r.body.product.id
    const u = await call(m, 'PUT', `/manager/products/${id}`, { name: 'Rugbrød', active: false, allergens: [] })
    expect(u.status).toBe(200)
    expect(u.body.product).toMatchObject({ name: 'Rugbrød', active: false, allergens: [], barcode: '0036000291452', prices: { [m.f.locationId]: 2200 } })
    const cleared = await call(m, 'PUT', `/manager/products/${id}`, { barcode: null })
    expect(cleared.body.product.barcode).toBeNull()
    // A retired product is hidden from the tills.
    const store = await tillStore(m.terminal)
    try {
      expect(readCatalog(store, m.f.locationId, s.clock.now().getTime()).products.some((p) => p.id === id)).toBe(false)
    } finally {
      store.close()
    }
  })

  it('refuses a bad barcode, a taken one, an unknown or foreign category, a foreign or not-own canteen, a bad price; nothing changes', async () => {
    const m = await managerOfBoth()
    const other = await managerOfBoth()
    const onlyA = await managerSession(s, { canteen: { f: m.f, till: m.terminal } })
    await call(m, 'POST', '/manager/products', newProduct(m, { barcode: '5701234567899' }))
    await refused(m, 400, 'barcode-invalid', 'POST', '/manager/products', newProduct(m, { barcode: '5701234567893' }))
    await refused(m, 400, 'barcode-invalid', 'POST', '/manager/products', newProduct(m, { barcode: 'ABC' }))
    await refused(m, 409, 'barcode-taken', 'POST', '/manager/products', newProduct(m, { barcode: '5701234567899' }))
    await refused(m, 404, 'category-unknown', 'POST', '/manager/products', newProduct(m, { categoryId: 'no-such-category' }))
    await refused(m, 404, 'category-unknown', 'POST', '/manager/products', newProduct(m, { categoryId: other.f.products.bun.categoryId }))
    await refused(m, 400, 'location-unknown', 'POST', '/manager/products', newProduct(m, { prices: { [other.f.locationId]: 1000 } }))
    await refused(onlyA, 403, 'canteen-not-yours', 'POST', '/manager/products', newProduct(m, { prices: { [m.f.otherLocationId]: 1000 } }))
    await refused(m, 400, 'bad-request', 'POST', '/manager/products', newProduct(m, { prices: { [m.f.locationId]: -100 } }))
    await refused(m, 400, 'bad-request', 'POST', '/manager/products', newProduct(m, { prices: { [m.f.locationId]: 12.5 } }))
    await refused(m, 400, 'bad-request', 'POST', '/manager/products', newProduct(m, { allergens: ['peanut'] }))
    await refused(m, 400, 'name-invalid', 'POST', '/manager/products', newProduct(m, { name: 'x'.repeat(121) }))
    const bun = m.f.products.bun.productId
    await refused(m, 409, 'barcode-taken', 'PUT', `/manager/products/${bun}`, { barcode: '5701234567899' })
    await refused(m, 400, 'barcode-invalid', 'PUT', `/manager/products/${bun}`, { barcode: '5701234567890' })
    await refused(m, 404, 'category-unknown', 'PUT', `/manager/products/${bun}`, { categoryId: other.f.products.bun.categoryId })
    // Another municipality's product answers like a missing one, on every route.
    const foreign = other.f.products.bun.productId
    await refused(m, 404, 'product-unknown', 'PUT', `/manager/products/${foreign}`, { name: 'Mit' })
    await refused(m, 404, 'product-unknown', 'PUT', `/manager/products/${foreign}/prices`, { locationId: m.f.locationId, price: 1 })
    await refused(m, 404, 'product-unknown', 'PUT', `/manager/products/${foreign}/image`, { data: await pngOf(10, 10) })
    await refused(m, 404, 'product-unknown', 'DELETE', `/manager/products/${foreign}/image`)
    await refused(m, 404, 'product-unknown', 'DELETE', `/manager/products/${foreign}`)
    await refused(m, 404, 'product-unknown', 'DELETE', '/manager/products/no-such-product')
    // The other municipality's catalogue is as it was too.
    expect((await call(other, 'GET', '/manager/catalogue')).body.products.find((p: { id: string }) => p.id === foreign).name).toBe('Bolle med ost')
  })

  it('stores a picture as a 320×320 JPEG data URL, refuses what is not an image, and removes it', async () => {
    const m = await managerOfBoth()
    const bun = m.f.products.bun.productId
    await refused(m, 400, 'image-invalid', 'PUT', `/manager/products/${bun}/image`, { data: Buffer.from('not an image at all').toString('base64') })
    await refused(m, 400, 'image-invalid', 'PUT', `/manager/products/${bun}/image`, { data: 'this is not base64!' })
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>').toString('base64')
    await refused(m, 400, 'image-invalid', 'PUT', `/manager/products/${bun}/image`, { data: svg })
    const r = await call(m, 'PUT', `/manager/products/${bun}/image`, { data: await pngOf(800, 500) })
    expect(r.status).toBe(200)
    const image = r.body.product.image as string
    expect(image).toMatch(/^data:image\/jpeg;base64,/)
    const meta = await sharp(Buffer.from(image.split(',')[1]!, 'base64')).metadata()
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', IMAGE_SIDE, IMAGE_SIDE])
    const [change] = (await pulledProduct(m.terminal, bun)).slice(-1)
    expect(change!.data.image).toBe(image)
    const removed = await call(m, 'DELETE', `/manager/products/${bun}/image`)
    expect(removed.body.product.image).toBeNull()
  })

  it('deletes a product never on sale; a sold product is 409 product-has-sales and is retired instead', async () => {
    const m = await managerOfBoth()
    const draft = await call(m, 'POST', '/manager/products', newProduct(m, { prices: {} }))
    expect((await call(m, 'DELETE', `/manager/products/${draft.body.product.id}`)).status).toBe(204)
    expect((await pulledProduct(m.terminal, draft.body.product.id)).at(-1)).toEqual({ entity: 'product', id: draft.body.product.id, deleted: true })

    const pushed = await pushAs(s.server, m.terminal, [sale(m.f, 1)])
    expect(pushed.body.results.map((x: { status: string }) => x.status)).toEqual(['applied'])
    const bun = m.f.products.bun.productId
    expect((await call(m, 'GET', '/manager/catalogue')).body.products.find((p: { id: string }) => p.id === bun).hasSales).toBe(true)
    await refused(m, 409, 'product-has-sales', 'DELETE', `/manager/products/${bun}`)
    // Priced now, so a till may have sold it offline already: also kept.
    const priced = await call(m, 'POST', '/manager/products', newProduct(m))
    await refused(m, 409, 'product-has-sales', 'DELETE', `/manager/products/${priced.body.product.id}`)
    const retired = await call(m, 'PUT', `/manager/products/${bun}`, { active: false })
    expect(retired.body.product.active).toBe(false)
    // A sale a till made offline before it heard of the retirement is still accepted.
    const late = await pushAs(s.server, m.terminal, [sale(m.f, 2, { offline: true })])
    expect(late.body.results.map((x: { status: string }) => x.status)).toEqual(['applied'])
  })
})

describe('prices over time', () => {
  it('a change from a future time: today’s price stays, the tills get it in the schedule, and from its time it is the price', async () => {
    const m = await managerOfBoth()
    const bun = m.f.products.bun.productId
    const start = s.clock.now()
    // Within the manager session's idle time (30 minutes), so the same session reads it afterwards.
    const at = new Date(start.getTime() + 20 * 60_000)
    const r = await call(m, 'PUT', `/manager/products/${bun}/prices`, { locationId: m.f.locationId, price: 1800, from: at.toISOString() })
    expect(r.status).toBe(200)
    expect(r.body.product.prices).toEqual({ [m.f.locationId]: 1500, [m.f.otherLocationId]: 1500 })
    expect(r.body.product.upcoming).toEqual({ [m.f.locationId]: [{ from: at.toISOString(), price: 1800 }] })
    // Not sold at B from the same time.
    await call(m, 'PUT', `/manager/products/${bun}/prices`, { locationId: m.f.otherLocationId, price: null, from: at.toISOString() })

    const [change] = (await pulledProduct(m.terminal, bun)).slice(-1)
    expect(change!.data.prices).toEqual({ [m.f.locationId]: 1500, [m.f.otherLocationId]: 1500 })
    expect(change!.data.schedule).toEqual({ [m.f.locationId]: [[at.getTime(), 1800]], [m.f.otherLocationId]: [[at.getTime(), null]] })
    const store = await tillStore(m.terminal)
    try {
      expect(readCatalog(store, m.f.locationId, at.getTime() - 1).products.find((p) => p.id === bun)?.price).toBe(1500)
      expect(readCatalog(store, m.f.locationId, at.getTime()).products.find((p) => p.id === bun)?.price).toBe(1800)
    } finally {
      store.close()
    }

    // The server checks sales against the history: the old price before the change, the new one after.
    // The query the sale applier reads the history with ($1, $2 are the rest of its batch's parameters).
    const rows = await s.db.query<{ id: string; detail: unknown }>(
      `SELECT id, detail FROM (${PRICE_HISTORY_ROWS}) AS h(kind, id, detail) WHERE $1::text IS NULL AND $2::text IS NULL`,
      [null, null, [bun], m.f.locationId],
    )
    const spans = priceHistoryOf(rows.rows).get(bun)
    expect(checkPrice(spans, 1500, at.getTime() - 60_000)).toBe('current')
    expect(checkPrice(spans, 1800, at.getTime() - 15 * 60_000)).toBe('impossible')
    expect(checkPrice(spans, 1800, at.getTime() + 1000)).toBe('current')
    expect(checkPrice(spans, 1500, at.getTime() + 1000)).toBe('stale')

    // From its time on, the server's clock says so, before the timer has run and after.
    s.clock.set(new Date(at.getTime() + 1000))
    try {
      const now = (await call(m, 'GET', '/manager/catalogue')).body.products.find((p: { id: string }) => p.id === bun)
      expect(now.prices).toEqual({ [m.f.locationId]: 1800 })
      expect(now.upcoming).toEqual({})
      // (The server's own timer may have run it first: either way it is in today's prices now.)
      await promoteDuePrices(s.server.ctx)
      const current = await s.db.query<{ location_id: string; price: string }>('SELECT location_id, price FROM product_prices WHERE product_id = $1', [bun])
      expect(current.rows.map((p) => [p.location_id, Number(p.price)])).toEqual([[m.f.locationId, 1800]])
      const [promoted] = (await pulledProduct(m.terminal, bun)).slice(-1)
      expect(promoted!.data).toMatchObject({ prices: { [m.f.locationId]: 1800 }, schedule: {} })
      // A second round finds nothing more for it.
      const changesBefore = await s.db.query('SELECT count(*) FROM changes WHERE entity_id = $1', [bun])
      await promoteDuePrices(s.server.ctx)
      expect((await s.db.query('SELECT count(*) FROM changes WHERE entity_id = $1', [bun])).rows).toEqual(changesBefore.rows)
    } finally {
      s.clock.set(start)
    }
  })

  it('sets a price now, cancels a future change, and refuses a past time, a cancelled-too-late change, and another canteen', async () => {
    const m = await managerOfBoth()
    const onlyA = await managerSession(s, { canteen: { f: m.f, till: m.terminal } })
    const cola = m.f.products.cola.productId
    const now = await call(m, 'PUT', `/manager/products/${cola}/prices`, { locationId: m.f.locationId, price: 2100 })
    expect(now.body.product.prices[m.f.locationId]).toBe(2100)
    const gone = await call(m, 'PUT', `/manager/products/${cola}/prices`, { locationId: m.f.otherLocationId, price: null })
    expect(gone.body.product.prices).toEqual({ [m.f.locationId]: 2100 })

    const start = s.clock.now()
    const at = new Date(start.getTime() + 86_400_000).toISOString()
    await call(m, 'PUT', `/manager/products/${cola}/prices`, { locationId: m.f.locationId, price: 2500, from: at })
    const cancelled = await call(m, 'DELETE', `/manager/products/${cola}/prices/${m.f.locationId}/${encodeURIComponent(at)}`)
    expect(cancelled.status).toBe(200)
    expect(cancelled.body.product.upcoming).toEqual({})
    expect((await pulledProduct(m.terminal, cola)).at(-1)!.data.schedule).toEqual({})

    const past = new Date(start.getTime() - 5 * 60_000).toISOString()
    await refused(m, 400, 'from-in-past', 'PUT', `/manager/products/${cola}/prices`, { locationId: m.f.locationId, price: 100, from: past })
    await refused(m, 400, 'bad-request', 'PUT', `/manager/products/${cola}/prices`, { locationId: m.f.locationId, price: -1 })
    await refused(m, 400, 'bad-request', 'PUT', `/manager/products/${cola}/prices`, { locationId: m.f.locationId, price: 1.5 })
    await refused(m, 400, 'bad-request', 'PUT', `/manager/products/${cola}/prices`, { locationId: m.f.locationId, price: 100, from: 'tomorrow' })
    await refused(onlyA, 403, 'canteen-not-yours', 'PUT', `/manager/products/${cola}/prices`, { locationId: m.f.otherLocationId, price: 100 })
    await refused(m, 404, 'change-unknown', 'DELETE', `/manager/products/${cola}/prices/${m.f.locationId}/${encodeURIComponent(at)}`)

    const soon = new Date(start.getTime() + 60_000).toISOString()
    await call(m, 'PUT', `/manager/products/${cola}/prices`, { locationId: m.f.locationId, price: 2600, from: soon })
    s.clock.set(new Date(start.getTime() + 120_000))
    try {
      await refused(m, 409, 'already-in-effect', 'DELETE', `/manager/products/${cola}/prices/${m.f.locationId}/${encodeURIComponent(soon)}`)
    } finally {
      s.clock.set(start)
    }
  })
})
