import { beforeAll, describe, expect, it } from 'vitest'
import { insertMunicipality } from '../demo/demo'
import { write } from '../platform/tx'
import { serverSuite } from '../../test/support/server-suite'
import { enrolTill, fixtureData, pullAll, snapshotOf, type Fixture, type Till } from '../../test/support/server'
import { recordChange } from './changes'

describe('a till holds the PIN hashes of its own canteen staff only', () => {
  const s = serverSuite()
  let f: Fixture
  let till: Till
  const ids = { karen: '', lis: '', bo: '' }

  beforeAll(async () => {
    f = fixtureData()
    const suffix = f.staffId.replace('staff-', '')
    ids.karen = f.staffId
    ids.lis = `staff-lis-${suffix}`
    ids.bo = `staff-bo-${suffix}`
    // Karen works in both canteens, Lis in A only, Bo in B only.
    f.data.staff.push(
      { id: ids.lis, name: 'Lis Lund', pin: '2222', roles: ['cashier'], locationIds: [f.locationId] },
      { id: ids.bo, name: 'Bo Bech', pin: '3333', roles: ['cashier'], locationIds: [f.otherLocationId] },
    )
    await insertMunicipality(s.db, f.data, { clock: s.clock })
    till = await enrolTill(s.server, f.locationId, 'Kasse A')
  })

  it('sends a new till of canteen A, by snapshot, the staff of canteen A and nobody from canteen B', async () => {
    const snap = await snapshotOf(s.server, till)
    const staff = snap.changes.filter((c) => c.entity === 'staff').map((c) => c.id)
    expect(staff.sort()).toEqual([ids.karen, ids.lis].sort())
  })

  it('sends no PIN hash of canteen B by pull either: Bo reaches the till only as a deletion', async () => {
    const { changes } = await pullAll(s.server, till)
    const staff = changes.filter((c) => c.entity === 'staff')
    expect(staff.filter((c) => 'data' in c).map((c) => c.id).sort()).toEqual([ids.karen, ids.lis].sort())
    expect(staff.find((c) => c.id === ids.bo)).toEqual({ entity: 'staff', id: ids.bo, deleted: true })
    for (const c of staff) if (c.entity === 'staff' && 'data' in c) expect(c.data.locationIds).toContain(f.locationId)
  })

  it('takes the PIN hash away from the till when a cashier is moved to the other canteen', async () => {
    const { cursor } = await pullAll(s.server, till)
    await write(s.server.ctx, async (tx) => {
      await tx.query('UPDATE staff SET location_ids = $2 WHERE id = $1', [ids.lis, [f.otherLocationId]])
      await recordChange(tx, 'staff', ids.lis)
    })
    const { changes } = await pullAll(s.server, till, cursor)
    expect(changes).toEqual([{ entity: 'staff', id: ids.lis, deleted: true }])
    const snap = await snapshotOf(s.server, till)
    expect(snap.changes.filter((c) => c.entity === 'staff').map((c) => c.id)).toEqual([ids.karen])
  })
})
