/**
 * The canteen's settings over HTTP (canteen.ts), behind a manager session:
 *
 *   PUT /manager/canteens/:id/cash    { allowed: boolean } → { locationId, cashAllowed }
 *
 * 400 for a body that is not exactly that, 403 canteen-not-yours for another canteen of the
 * municipality, 404 location-unknown for another municipality's or a missing one.
 */
import { z } from 'zod'
import { HttpError, parseInput } from '../platform/errors'
import { managerOf } from './auth'
import { setCashAllowed } from './canteen'
import { IdParams, answer, type ManagerArea, type Refusals } from './http'

const CashRequest = z.object({ allowed: z.boolean() }).strict()

const refusals: Refusals = {
  // The canteen is named in the path: another municipality's answers like a missing one.
  'location-unknown': () => new HttpError(404, 'location-unknown', 'no such canteen in your municipality'),
}

export const canteenRoutes: ManagerArea = async (scope, { ctx }) => {
  scope.put('/manager/canteens/:id/cash', async (request) => {
    const { id } = parseInput(IdParams, request.params, 'canteen id')
    const body = parseInput(CashRequest, request.body, 'cash setting')
    return answer(await setCashAllowed(ctx, managerOf(request), id, body.allowed), refusals)
  })
}
