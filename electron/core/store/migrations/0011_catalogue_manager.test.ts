import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { readCatalog } from '../catalog'
import { openDb } from '../db'
import { getSetting, setSetting } from '../settings'
import { MIGRATIONS } from '.'

const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))

describe('till migration 0011: allergens, scheduled prices, category colours', () => {
  it('upgrades a till that pulled products without them: none yet, and the next sync starts from a snapshot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kantine-cat-'))
    dirs.push(dir)
    const old = openDb(dir, MIGRATIONS.slice(0, 10))
    old.prepare(`INSERT INTO categories (id, name, sort) VALUES ('cat-hot', 'Varm mad', 1)`).run()
    old
      .prepare(`INSERT INTO products (id, name, category_id, prices, barcode, available, image, sort) VALUES ('p-1', 'Frikadeller', 'cat-hot', '{"loc-1":3500}', NULL, 1, NULL, 1)`)
      .run()
    setSetting(old, 'pull_cursor', '1:1')
    old.close()

    const db = openDb(dir)
    try {
      expect(getSetting(db, 'pull_cursor')).toBeNull()
      // What the till held still sells until the snapshot replaces it.
      expect(readCatalog(db, 'loc-1', Date.now())).toEqual({
        categories: [{ id: 'cat-hot', name: 'Varm mad', colour: null }],
        products: [{ id: 'p-1', name: 'Frikadeller', categoryId: 'cat-hot', price: 3500, barcode: null, image: null, allergens: [] }],
      })
    } finally {
      db.close()
    }
  })
})
