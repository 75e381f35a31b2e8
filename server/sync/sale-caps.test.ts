import { describe, expect, it } from 'vitest'
import { write } from '../platform/tx'
import { serverSuite } from '../../test/support/server-suite'
import { pullAll, pushAs, sale, snapshotOf } from '../../test/support/server'
import { recordChanges } from './changes'

describe("a municipality's caps on one sale reach its tills with the canteen", () => {
  const s = serverSuite()

  it('sends the defaults, then the caps the municipality set, and the push holds sales to the same caps', async () => {
    const { f, till } = await s.canteen()
    const location = async () => (await snapshotOf(s.server, till)).changes.find((c) => c.entity === 'location' && c.id === f.locationId)
    expect(await location()).toMatchObject({ data: { saleCaps: { maxLineQty: 20, maxSaleTotal: 100_000 } } })

    await write(s.server.ctx, async (tx) => {
      await tx.query(`UPDATE municipalities SET settings = settings || '{"maxLineQty": 2, "maxSaleTotal": 3000}'::jsonb WHERE id = $1`, [f.municipalityId])
      await recordChanges(tx, 'location', [f.locationId])
    })
    const { changes } = await pullAll(s.server, till)
    const pulled = changes.filter((c) => c.entity === 'location' && c.id === f.locationId).at(-1)
    expect(pulled).toMatchObject({ data: { saleCaps: { maxLineQty: 2, maxSaleTotal: 3000 } } })
    expect(await location()).toMatchObject({ data: { saleCaps: { maxLineQty: 2, maxSaleTotal: 3000 } } })

    // What the till now refuses, the server rejects too.
    const three = await pushAs(s.server, till, [sale(f, 1, { lines: [{ ...f.products.cola, qty: 3 }] })])
    expect(three.body.results[0]).toMatchObject({ status: 'rejected', reason: 'quantity-too-large' })
  })
})
