/**
 * The canteen's own settings a manager keeps (issue 14): whether guests may pay cash. It is the
 * canteen's, not a till's: held in locations.cash_allowed, sent to every till of the canteen with
 * the location's change row (LocationData.cashAllowed, written in the same transaction, poked
 * after the commit), and the push rejects a cash sale where it is off (sync/apply-sale.ts).
 *
 * Scope: the manager's own canteens; another canteen of the municipality is 'canteen-not-yours',
 * one of another municipality answers like a missing one ('location-unknown').
 */
import { lockEntities, lockKey } from '../money/locks'
import { audit } from '../platform/audit'
import type { ServerContext } from '../platform/context'
import { ok, refuse, type Result } from '../platform/result'
import { write, type Tx } from '../platform/tx'
import { recordChanges } from '../sync/changes'
import type { ManagerPrincipal } from './auth'

export type CanteenRefusal = 'location-unknown' | 'canteen-not-yours'

export interface CanteenCash {
  locationId: string
  cashAllowed: boolean
}

/**
 * Sets the canteen's cash setting and writes its change row, so the canteen's tills get it on
 * their next pull. Shared with tests and the demo, which set it without a manager.
 */
export async function writeCashAllowed(tx: Tx, locationId: string, allowed: boolean): Promise<void> {
  await tx.query('UPDATE locations SET cash_allowed = $2 WHERE id = $1', [locationId, allowed])
  await recordChanges(tx, 'location', [locationId])
}

export async function setCashAllowed(ctx: ServerContext, m: ManagerPrincipal, locationId: string, allowed: boolean): Promise<Result<CanteenCash, CanteenRefusal>> {
  return write(ctx, async (tx) => {
    // Before the first write: two managers switching at once leave change rows in commit order.
    await lockEntities(tx, [lockKey.entity('location', locationId)])
    const { rows } = await tx.query<{ cash_allowed: boolean }>('SELECT cash_allowed FROM locations WHERE id = $1 AND municipality_id = $2', [locationId, m.municipalityId])
    if (!rows[0]) return refuse('location-unknown')
    if (!m.locationIds.includes(locationId)) return refuse('canteen-not-yours')
    // The same answer again changes nothing the tills hold: no change row, no poke.
    if (rows[0].cash_allowed !== allowed) await writeCashAllowed(tx, locationId, allowed)
    await audit(tx, {
      municipalityId: m.municipalityId,
      actor: `staff:${m.staffId}`,
      action: 'canteen.cash',
      entity: 'location',
      entityId: locationId,
      details: { allowed, was: rows[0].cash_allowed },
      at: tx.now,
    })
    return ok({ locationId, cashAllowed: allowed })
  })
}
