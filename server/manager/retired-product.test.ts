import { describe, expect, it } from 'vitest'
import { lockEntities, lockKey } from '../money/locks'
import { write } from '../platform/tx'
import { setPrice } from '../sync/prices'
import { recordChanges } from '../sync/changes'
import { serverSuite } from '../../test/support/server-suite'
import { pushAs, sale } from '../../test/support/server'

type Result = { status: string; reason: string | null; flags: string[] }

/**
 * The contract (issue 16): a product is never deleted while sales name it, it is retired; and
 * offline sales that name a retired product are still accepted by the sale applier
 * (server/sync/apply-sale.ts), at a price it had when they were made.
 */
describe('offline sales of a product retired since', () => {
  const s = serverSuite({ rateLimits: false })

  it('are applied when the product is inactive (available false), and when its price at the canteen was taken away after the sale', async () => {
    s.clock.set('2026-11-24T13:00:00.000Z')
    const { f, till } = await s.canteen()
    const { bun, cola } = f.products
    await write(s.server.ctx, async (tx) => {
      await lockEntities(tx, [lockKey.entity('product', bun.productId), lockKey.entity('product', cola.productId)])
      await tx.query('UPDATE products SET available = false WHERE id = ANY($1::text[])', [[bun.productId, cola.productId]])
      // The cola is no longer sold at this canteen from 13:00 on.
      await setPrice(tx, cola.productId, f.locationId, null)
      await recordChanges(tx, 'product', [bun.productId, cola.productId])
    })
    const sold = [
      sale(f, 1, { lines: [bun], at: '2026-11-24T12:59:00.000Z', offline: true }),
      sale(f, 2, { lines: [cola], at: '2026-11-24T12:30:00.000Z', offline: true }),
    ]
    const r = await pushAs(s.server, till, sold)
    expect(r.status).toBe(200)
    expect((r.body.results as Result[]).map((x) => [x.status, x.reason, x.flags])).toEqual([
      ['applied', null, []],
      ['applied', null, []],
    ])
    const { rows } = await s.db.query<{ product_id: string; unit_price: number }>(
      'SELECT l.product_id, l.unit_price FROM sale_lines l JOIN sales s ON s.id = l.sale_id WHERE s.terminal_id = $1 ORDER BY s.seq',
      [till.terminalId],
    )
    expect(rows).toEqual([
      { product_id: bun.productId, unit_price: bun.unitPrice },
      { product_id: cola.productId, unit_price: cola.unitPrice },
    ])
  })
})
