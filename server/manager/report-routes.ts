/**
 * Reports over HTTP (reports.ts), behind a manager session:
 *
 *   GET /manager/reports?from=YYYY-MM-DD&to=YYYY-MM-DD[&locationId=]       → Report (JSON)
 *   GET /manager/reports.csv?from=…&to=…[&locationId=]                     → the same lines as CSV
 *
 * Days in Copenhagen, inclusive, at most 366; default all the manager's canteens.
 */
import { z } from 'zod'
import { HttpError, parseInput } from '../platform/errors'
import { managerOf } from './auth'
import { answer, type ManagerArea, type Refusals } from './http'
import { reportCsv, salesReport } from './reports'

const ReportQuery = z
  .object({
    from: z.string().min(1).max(20),
    to: z.string().min(1).max(20),
    locationId: z.string().min(1).max(64).optional(),
  })
  .strict()

const refusals: Refusals = {
  'period-invalid': () => new HttpError(400, 'period-invalid', 'from and to are dates (YYYY-MM-DD), from not after to, at most 366 days'),
  // A canteen id in the query names what to read: another municipality's answers like a missing one.
  'location-unknown': () => new HttpError(404, 'location-unknown', 'no such canteen in your municipality'),
}

export const reportRoutes: ManagerArea = async (scope, { ctx }) => {
  scope.get('/manager/reports', async (request) => {
    const query = parseInput(ReportQuery, request.query, 'report period')
    return answer(await salesReport(ctx, managerOf(request), query), refusals)
  })

  scope.get('/manager/reports.csv', async (request, reply) => {
    const query = parseInput(ReportQuery, request.query, 'report period')
    const report = answer(await salesReport(ctx, managerOf(request), query), refusals)
    const where = query.locationId ? `-${query.locationId}` : ''
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="kantine-salg-${report.from}-${report.to}${where.replace(/[^A-Za-z0-9_-]/g, '')}.csv"`)
      .send(reportCsv(report))
  })
}
