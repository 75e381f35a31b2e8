/**
 * The tills' Z reports as the server received them (issue 14, "End of the day"), for the manager,
 * behind a manager session:
 *
 *   GET /manager/z-reports?from=YYYY-MM-DD&to=YYYY-MM-DD[&locationId=]   → { from, to, locationIds, reports: ZReport[] }
 *
 * Days in Copenhagen, inclusive, at most 366 (the reports' rule); default the last 31 days up to
 * today; default all the manager's canteens. Each report is what the till sent (`totals`,
 * `countedCash`, `expectedCash`, `openingFloat`) beside what the server counted of the same till and day when it
 * arrived (`serverTotals`) and the server's verdict (`mismatch`), all as stored by the day.close
 * applier (sync/appliers/day-close.ts): nothing is recounted here.
 */
import { z } from 'zod'
import type { DayTotals } from '../../domain/sync'
import { parsePeriod } from '../guardian/statement'
import { addDays, todayAndTomorrow } from '../orders/calendar'
import type { ServerContext } from '../platform/context'
import { HttpError, parseInput } from '../platform/errors'
import { ok, type Result } from '../platform/result'
import { managerOf, type ManagerPrincipal } from './auth'
import { answer, type ManagerArea, type Refusals } from './http'
import { yourCanteen, type CanteenRefusal } from './order-routes'

const ZReportQuery = z
  .object({
    from: z.string().min(1).max(20).optional(),
    to: z.string().min(1).max(20).optional(),
    locationId: z.string().min(1).max(64).optional(),
  })
  .strict()

const refusals: Refusals = {
  'period-invalid': () => new HttpError(400, 'period-invalid', 'from and to are dates (YYYY-MM-DD), from not after to, at most 366 days'),
  'location-unknown': () => new HttpError(404, 'location-unknown', 'no such canteen in your municipality'),
}

/** The default period: today and the 30 days before it. */
export const DEFAULT_DAYS = 31

export interface ZReport {
  terminalId: string
  tillName: string
  locationId: string
  number: number
  day: string
  /** The till's totals, as it sent them (øre). */
  totals: DayTotals
  /** The server's own count of that till and day when the report arrived. */
  serverTotals: DayTotals
  /** Øre in the drawer, counted blind by the manager who closed the day. */
  countedCash: number
  /** Øre the till expected in the drawer over its float (its kept cash sales). */
  expectedCash: number
  /** Øre of change the drawer held when the day began: the count should be this plus `expectedCash`. */
  openingFloat: number
  /** The server found the till's totals or expected cash differ from its own count. */
  mismatch: boolean
  closedBy: string
  closedByName: string | null
  closedAt: string
  receivedAt: string
}

export interface ZReportList {
  from: string
  to: string
  locationIds: string[]
  reports: ZReport[]
}

interface Row {
  terminal_id: string
  till_name: string
  location_id: string
  number: number
  day: string
  till_totals: DayTotals
  server_totals: DayTotals
  counted_cash: string | number
  expected_cash: string | number
  opening_float: string | number
  mismatch: boolean
  closed_by: string
  closed_by_name: string | null
  closed_at: Date | string
  received_at: Date | string
}

const iso = (t: Date | string) => new Date(t).toISOString()

export async function zReports(
  ctx: ServerContext,
  manager: ManagerPrincipal,
  q: { from?: string; to?: string; locationId?: string },
): Promise<Result<ZReportList, CanteenRefusal | 'period-invalid'>> {
  const to = q.to ?? todayAndTomorrow(ctx.clock.now()).today
  // A `to` that is not a date leaves `from` to the period check below.
  const from = q.from ?? (/^\d{4}-\d{2}-\d{2}$/.test(to) ? addDays(to, -(DEFAULT_DAYS - 1)) : to)
  const period = parsePeriod(from, to)
  if (!period.ok) return period
  let locationIds = [...manager.locationIds].sort()
  if (q.locationId !== undefined) {
    const canteen = await yourCanteen(ctx, manager, q.locationId)
    if (!canteen.ok) return canteen
    locationIds = [canteen.value]
  }
  const { rows } = await ctx.db.query<Row>(
    `SELECT z.terminal_id, t.name AS till_name, z.location_id, z.number, to_char(z.day, 'YYYY-MM-DD') AS day,
            z.till_totals, z.server_totals, z.counted_cash, z.expected_cash, z.opening_float, z.mismatch,
            z.closed_by, st.name AS closed_by_name, z.closed_at, z.received_at
       FROM z_reports z
       JOIN terminals t ON t.id = z.terminal_id
       LEFT JOIN staff st ON st.id = z.closed_by AND st.municipality_id = z.municipality_id
      WHERE z.municipality_id = $1 AND z.location_id = ANY($2::text[]) AND z.day >= $3::date AND z.day <= $4::date
      ORDER BY z.day DESC, t.name, z.terminal_id, z.number DESC`,
    [manager.municipalityId, locationIds, from, to],
  )
  const totals = (v: DayTotals | string): DayTotals => (typeof v === 'string' ? (JSON.parse(v) as DayTotals) : v)
  return ok({
    from,
    to,
    locationIds,
    reports: rows.map((r) => ({
      terminalId: r.terminal_id,
      tillName: r.till_name,
      locationId: r.location_id,
      number: Number(r.number),
      day: r.day,
      totals: totals(r.till_totals),
      serverTotals: totals(r.server_totals),
      countedCash: Number(r.counted_cash),
      expectedCash: Number(r.expected_cash),
      openingFloat: Number(r.opening_float),
      mismatch: r.mismatch,
      closedBy: r.closed_by,
      closedByName: r.closed_by_name,
      closedAt: iso(r.closed_at),
      receivedAt: iso(r.received_at),
    })),
  })
}

export const zReportRoutes: ManagerArea = async (scope, { ctx }) => {
  scope.get('/manager/z-reports', async (request) => {
    const query = parseInput(ZReportQuery, request.query, 'Z report period')
    return answer(await zReports(ctx, managerOf(request), query), refusals)
  })
}
