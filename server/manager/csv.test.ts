import { parse } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import { eanCheckDigit } from '../../domain/ean'
import { pullAll } from '../../test/support/server'
import { serverSuite } from '../../test/support/server-suite'
import { kroner, parseKroner } from './csv'
import { managerApi, managerSession, type ManagerSession } from '../../test/support/manager'

const s = serverSuite({ rateLimits: false })
const call = (m: ManagerSession, method: string, path: string, body?: unknown) => managerApi(s.server, m, method, path, body === undefined ? {} : { body })

async function managerOfBoth() {
  const c = await s.canteen()
  return managerSession(s, { canteen: c, locationIds: [c.f.locationId, c.f.otherLocationId] })
}

/** What an import must not touch when it writes nothing: products, prices and their history, the change log, the audit log. */
async function stateOf(m: ManagerSession) {
  const q = async (sql: string) => (await s.db.query<{ n: string }>(sql, [m.municipalityId])).rows[0]!.n
  return {
    products: await q('SELECT count(*) AS n FROM products WHERE municipality_id = $1'),
    prices: await q('SELECT count(*) AS n FROM product_prices pp JOIN products p ON p.id = pp.product_id WHERE p.municipality_id = $1'),
    history: await q('SELECT count(*) AS n FROM product_price_history h JOIN products p ON p.id = h.product_id WHERE p.municipality_id = $1'),
    changes: await q('SELECT count(*) AS n FROM changes WHERE municipality_id = $1'),
    audit: await q('SELECT count(*) AS n FROM audit_log WHERE municipality_id = $1'),
    catalogue: JSON.stringify((await call(m, 'GET', '/manager/catalogue')).body),
  }
}

/** A valid EAN-13 for n (unique per n). */
const ean = (n: number) => {
  const body = `57${String(n).padStart(10, '0')}`
  return `${body}${eanCheckDigit(body)}`
}

const BAD_LINES = { barcode: 101, category: 1001, price: 1999 }

/** 2,000 new products; exactly three bad rows: a wrong check digit, an unknown category, a price that is no amount. */
function generatedFile(m: ManagerSession): string {
  const a = `price:${m.f.locationId}`
  const b = `price:${m.f.otherLocationId}`
  const lines = [`id,name,category,barcode,allergens,active,orderable,${a},${b}`]
  for (let i = 1; i <= 2000; i++) {
    const line = i + 1
    const barcode = line === BAD_LINES.barcode ? `${ean(i).slice(0, 12)}${(Number(ean(i).at(-1)) + 1) % 10}` : i % 2 === 0 ? ean(i) : ''
    const category = line === BAD_LINES.category ? 'Suppe' : i % 3 === 0 ? 'Slik' : 'Mad'
    const allergens = i % 5 === 0 ? 'milk;gluten' : i % 7 === 0 ? 'nuts' : ''
    const priceA = line === BAD_LINES.price ? '12,5x' : kroner(1000 + i)
    const priceB = i % 4 === 0 ? '' : `${10 + (i % 20)}.50`
    lines.push(`,"Vare ${String(i).padStart(4, '0')}, lille",${category},${barcode},"${allergens}",ja,${i % 2 === 0 ? 'ja' : 'nej'},"${priceA}",${priceB}`)
  }
  return lines.join('\r\n') + '\r\n'
}

describe('catalogue CSV', () => {
  it('reads kroner with a comma or a point and writes them with a comma', () => {
    expect(['35,00', '35.5', '35', '0,05', ' 1234,99 '].map(parseKroner)).toEqual([3500, 3550, 3500, 5, 123499])
    expect(['-1', '35,001', 'abc', '', '1.234,00'].map(parseKroner)).toEqual([null, null, null, null, null])
    expect([3500, 5, 0, 123499].map(kroner)).toEqual(['35,00', '0,05', '0,00', '1234,99'])
  })

  it('2,000 rows with three bad ones: the preview names exactly those and writes nothing, the import writes the rest, export then import changes nothing', async () => {
    const m = await managerOfBoth()
    const csv = generatedFile(m)
    const before = await stateOf(m)

    const preview = await call(m, 'POST', '/manager/catalogue/import', { csv, commit: false })
    expect(preview.status).toBe(200)
    expect(preview.body.errors.map((e: { line: number; column: string; code: string }) => [e.line, e.column, e.code])).toEqual([
      [BAD_LINES.barcode, 'barcode', 'barcode-invalid'],
      [BAD_LINES.category, 'category', 'category-unknown'],
      [BAD_LINES.price, `price:${m.f.locationId}`, 'price-invalid'],
    ])
    expect(preview.body).toMatchObject({ rows: 2000, created: 1997, updated: 0, unchanged: 0 })
    expect(await stateOf(m)).toEqual(before)

    const started = performance.now()
    const imported = await call(m, 'POST', '/manager/catalogue/import', { csv, commit: true })
    console.log(`catalogue import of 2,000 rows (1,997 written): ${Math.round(performance.now() - started)} ms`)
    expect(imported.status).toBe(200)
    expect(imported.body).toMatchObject({ rows: 2000, created: 1997, updated: 0, unchanged: 0 })
    expect(imported.body.errors).toEqual(preview.body.errors)

    const catalogue = (await call(m, 'GET', '/manager/catalogue')).body
    expect(catalogue.products).toHaveLength(2000)
    const sample = catalogue.products.find((p: { name: string }) => p.name === 'Vare 0010, lille')
    expect(sample).toMatchObject({
      barcode: ean(10),
      allergens: ['gluten', 'milk'],
      active: true,
      orderable: true,
      prices: { [m.f.locationId]: 1010, [m.f.otherLocationId]: 2050 },
    })
    expect(catalogue.products.find((p: { name: string }) => p.name === 'Vare 0012, lille').prices).toEqual({ [m.f.locationId]: 1012 })
    expect(catalogue.products.some((p: { name: string }) => p.name === `Vare ${String(BAD_LINES.category - 1).padStart(4, '0')}, lille`)).toBe(false)
    // The tills get every new product.
    const { changes } = await pullAll(s.server, m.terminal)
    expect(new Set(changes.filter((c) => c.entity === 'product').map((c) => c.id)).size).toBe(2000)

    const exported = await call(m, 'GET', '/manager/catalogue.csv')
    expect(exported.status).toBe(200)
    expect(exported.headers.get('content-type')).toMatch(/^text\/csv/)
    expect(parse(exported.body as string)).toHaveLength(2001)
    const afterImport = await stateOf(m)
    const again = await call(m, 'POST', '/manager/catalogue/import', { csv: exported.body, commit: true })
    expect(again.body).toEqual({ rows: 2000, created: 0, updated: 0, unchanged: 2000, errors: [] })
    expect(await stateOf(m)).toEqual(afterImport)
  })

  it('changes a product by its id: a new name and a new price now, reported as updated', async () => {
    const m = await managerOfBoth()
    const bun = m.f.products.bun.productId
    const csv = [
      `id,name,category,barcode,allergens,active,orderable,price:${m.f.locationId}`,
      `${bun},Bolle med smør,Mad,,gluten,ja,nej,"16,00"`,
      `${m.f.products.cola.productId},Cola,Mad,,,ja,nej,"20,00"`,
      `,Æble,Mad,${ean(77)},,ja,ja,5`,
    ].join('\n')
    const r = await call(m, 'POST', '/manager/catalogue/import', { csv, commit: true })
    expect(r.body).toEqual({ rows: 3, created: 1, updated: 1, unchanged: 1, errors: [] })
    const products = (await call(m, 'GET', '/manager/catalogue')).body.products
    expect(products.find((p: { id: string }) => p.id === bun)).toMatchObject({
      name: 'Bolle med smør',
      allergens: ['gluten'],
      prices: { [m.f.locationId]: 1600, [m.f.otherLocationId]: 1500 },
    })
    expect(products.find((p: { name: string }) => p.name === 'Æble')).toMatchObject({ barcode: ean(77), orderable: true, prices: { [m.f.locationId]: 500 } })
    const pulled = (await pullAll(s.server, m.terminal)).changes.filter((c) => c.entity === 'product' && c.id === bun).at(-1)
    expect(pulled).toMatchObject({ data: { name: 'Bolle med smør', prices: { [m.f.locationId]: 1600 } } })
  })

  it('reports row errors: another municipality’s id, a product twice, a barcode taken, a bad allergen or yes/no, a short row', async () => {
    const m = await managerOfBoth()
    const other = await managerOfBoth()
    const bun = m.f.products.bun.productId
    await call(m, 'POST', '/manager/products', {
      name: 'Mælk',
      categoryId: m.f.products.bun.categoryId,
      barcode: ean(5),
      allergens: ['milk'],
      active: true,
      orderable: false,
      prices: {},
    })
    const csv = [
      'id,name,category,barcode,allergens,active,orderable',
      `${other.f.products.bun.productId},Stjålet,Mad,,,ja,nej`,
      `${bun},Bolle,Mad,,,ja,nej`,
      `${bun},Bolle igen,Mad,,,ja,nej`,
      `,Kopi af mælk,Mad,${ean(5)},,ja,nej`,
      ',Jordnødder,Mad,,peanut,ja,nej',
      ',Måske,Mad,,,måske,nej',
      ',Kort,Mad',
      ',,Mad,,,ja,nej',
      `,Ny,Mad,${ean(6)},,ja,nej`,
      `,Ny kopi,Mad,${ean(6)},,ja,nej`,
    ].join('\n')
    const before = await stateOf(m)
    const r = await call(m, 'POST', '/manager/catalogue/import', { csv, commit: false })
    expect(r.body.errors.map((e: { line: number; column?: string; code: string }) => [e.line, e.column ?? null, e.code])).toEqual([
      [2, 'id', 'id-unknown'],
      [4, 'id', 'id-repeated'],
      [5, 'barcode', 'barcode-taken'],
      [6, 'allergens', 'allergens-invalid'],
      [7, 'active', 'yes-no'],
      [8, null, 'column-count'],
      [9, 'name', 'name-invalid'],
      [11, 'barcode', 'barcode-taken'],
    ])
    expect(r.body).toMatchObject({ rows: 10, created: 1, updated: 1, unchanged: 0 })
    expect(await stateOf(m)).toEqual(before)
  })

  it('refuses a whole file whose header is wrong (unknown column, a canteen not the manager’s, no name) and one that is no CSV; nothing is written', async () => {
    const m = await managerSession(s)
    const before = await stateOf(m)
    const files = {
      unknown: 'id,name,category,colour\n,Te,Mad,red',
      notYours: `id,name,category,price:${m.f.otherLocationId}\n,Te,Mad,5`,
      noName: 'id,category\n,Mad',
      broken: 'id,name,category\n,"Te,Mad\n',
      empty: '',
    }
    const lines: Record<string, [number, string | null][]> = {}
    for (const [key, csv] of Object.entries(files)) {
      const r = await call(m, 'POST', '/manager/catalogue/import', { csv, commit: true })
      expect(r.status).toBe(200)
      expect(r.body).toMatchObject({ created: 0, updated: 0, unchanged: 0 })
      lines[key] = r.body.errors.map((e: { line: number; column?: string }) => [e.line, e.column ?? null])
    }
    expect(lines).toEqual({
      unknown: [[1, 'colour']],
      notYours: [[1, `price:${m.f.otherLocationId}`]],
      noName: [[1, 'name']],
      broken: [[expect.any(Number), null]],
      empty: [[1, null]],
    })
    expect(await stateOf(m)).toEqual(before)
    expect((await call(m, 'POST', '/manager/catalogue/import', { csv: 'id,name', commit: 'yes' })).status).toBe(400)
  })

  it('lets two products swap their barcodes in one file', async () => {
    const m = await managerOfBoth()
    const { bun, cola } = m.f.products
    await call(m, 'PUT', `/manager/products/${bun.productId}`, { barcode: ean(1) })
    await call(m, 'PUT', `/manager/products/${cola.productId}`, { barcode: ean(2) })
    const csv = ['id,name,category,barcode', `${bun.productId},Bolle med ost,Mad,${ean(2)}`, `${cola.productId},Cola,Mad,${ean(1)}`].join('\n')
    const r = await call(m, 'POST', '/manager/catalogue/import', { csv, commit: true })
    expect(r.body).toEqual({ rows: 2, created: 0, updated: 2, unchanged: 0, errors: [] })
    const products = (await call(m, 'GET', '/manager/catalogue')).body.products
    expect([bun.productId, cola.productId].map((id) => products.find((p: { id: string }) => p.id === id).barcode)).toEqual([ean(2), ean(1)])
  })

  it('reads a file a Danish spreadsheet saved, with ";" between the columns', async () => {
    const m = await managerOfBoth()
    const csv = `\uFEFFid;name;category;barcode;allergens;active;orderable;price:${m.f.locationId}\r\n;Suppe;Mad;;"celery;milk";ja;nej;32,50\r\n`
    const r = await call(m, 'POST', '/manager/catalogue/import', { csv, commit: true })
    expect(r.body).toEqual({ rows: 1, created: 1, updated: 0, unchanged: 0, errors: [] })
    const soup = (await call(m, 'GET', '/manager/catalogue')).body.products.find((p: { name: string }) => p.name === 'Suppe')
    expect(soup).toMatchObject({ allergens: ['milk', 'celery'], prices: { [m.f.locationId]: 3250 } })
  })
})
