/**
 * The webshop's "Ikke afhentet" list for the manager (issue 15: "At the end of the pickup window,
 * lines not picked up are listed; whether they are credited back is a canteen setting"), behind
 * a manager session. The back office has the same list per canteen (orders/admin-routes.ts); a
 * manager sees it for their own canteens only, at the till:
 *
 *   GET /manager/uncollected?locationId=&day=YYYY-MM-DD     → { day, locationId, credited, pickupEnd, lines: UncollectedLine[] }
 *
 * `day` is a Copenhagen day, default today. `credited` is the canteen's setting
 * (order_settings.credit_uncollected, off when the canteen has none): whether the window's end
 * credits these lines back to the accounts. Read only: the window is closed by the order worker.
 */
import { z } from 'zod'
import { DayKey } from '../../domain/sync'
import { todayAndTomorrow } from '../orders/calendar'
import { uncollectedLines, type UncollectedLine } from '../orders/window'
import type { ServerContext } from '../platform/context'
import { HttpError, parseInput } from '../platform/errors'
import { ok, refuse, type Result } from '../platform/result'
import { managerOf, type ManagerPrincipal } from './auth'
import { answer, type ManagerArea, type Refusals } from './http'

const UncollectedQuery = z
  .object({
    locationId: z.string().min(1).max(64),
    day: z.string().min(1).max(20).optional(),
  })
  .strict()

const refusals: Refusals = {
  'day-invalid': () => new HttpError(400, 'day-invalid', 'a day is a date, YYYY-MM-DD'),
  // A canteen id in the query names what to read: another municipality's answers like a missing one.
  'location-unknown': () => new HttpError(404, 'location-unknown', 'no such canteen in your municipality'),
}

export type CanteenRefusal = 'location-unknown' | 'canteen-not-yours'

/** The canteen if it is one of the manager's: another municipality's or a missing one is unknown; another of the municipality's is not theirs. */
export async function yourCanteen(ctx: ServerContext, manager: ManagerPrincipal, locationId: string): Promise<Result<string, CanteenRefusal>> {
  const { rows } = await ctx.db.query('SELECT 1 FROM locations WHERE id = $1 AND municipality_id = $2', [locationId, manager.municipalityId])
  if (rows.length === 0) return refuse('location-unknown')
  if (!manager.locationIds.includes(locationId)) return refuse('canteen-not-yours')
  return ok(locationId)
}

export interface UncollectedList {
  day: string
  locationId: string
  /** The canteen's setting: the lines are credited back at the window's end. */
  credited: boolean
  /** When the day's pickup window ends (HH:MM, Copenhagen). */
  pickupEnd: string
  lines: UncollectedLine[]
}

export async function uncollectedList(
  ctx: ServerContext,
  manager: ManagerPrincipal,
  q: { locationId: string; day?: string },
): Promise<Result<UncollectedList, CanteenRefusal | 'day-invalid'>> {
  const day = q.day ?? todayAndTomorrow(ctx.clock.now()).today
  if (!DayKey.safeParse(day).success) return refuse('day-invalid')
  const canteen = await yourCanteen(ctx, manager, q.locationId)
  if (!canteen.ok) return canteen
  const setting = await ctx.db.query<{ credit_uncollected: boolean; pickup_end: string }>(
    `SELECT credit_uncollected, to_char(pickup_end, 'HH24:MI') AS pickup_end FROM order_settings WHERE location_id = $1`,
    [q.locationId],
  )
  const s = setting.rows[0]
  return ok({ day, locationId: q.locationId, credited: s?.credit_uncollected ?? false, pickupEnd: s?.pickup_end ?? '14:00', lines: await uncollectedLines(ctx.db, q.locationId, day) })
}

export const orderRoutes: ManagerArea = async (scope, { ctx }) => {
  scope.get('/manager/uncollected', async (request) => {
    const query = parseInput(UncollectedQuery, request.query, 'uncollected query')
    return answer(await uncollectedList(ctx, managerOf(request), query), refusals)
  })
}
