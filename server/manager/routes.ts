/**
 * The manager API (issue 16): what a canteen manager does from manager mode at a till, relayed by
 * the till's core. Every route but the unlock needs the till's device token AND a manager session
 * bound to that till (auth.ts); everything is scoped to the session's municipality and canteens.
 *
 *   POST/DELETE /manager/session                      unlock / lock (session-routes.ts)
 *   /manager/staff…                                   staff-routes.ts
 *   /manager/reports, /manager/reports.csv            report-routes.ts
 *   /manager/catalogue…, categories, products…        catalogue-routes.ts
 *   /manager/uncollected                              order-routes.ts (webshop lines not picked up)
 *   /manager/z-reports                                z-report-routes.ts (the tills' Z reports)
 *   /manager/canteens/:id/cash                        canteen-routes.ts (the canteen's own settings)
 */
import type { FastifyInstance } from 'fastify'
import { requireManager } from './auth'
import { canteenRoutes } from './canteen-routes'
import { catalogueRoutes } from './catalogue-routes'
import type { ManagerAreaOptions } from './http'
import { orderRoutes } from './order-routes'
import { reportRoutes } from './report-routes'
import { managerSessionRoutes } from './session-routes'
import { staffRoutes } from './staff-routes'
import { zReportRoutes } from './z-report-routes'

export async function managerRoutes(app: FastifyInstance, opts: ManagerAreaOptions): Promise<void> {
  const { ctx } = opts
  app.decorateRequest('manager', null)
  managerSessionRoutes(app, ctx)

  await app.register(async (scope) => {
    scope.addHook('onRequest', requireManager(ctx))
    await scope.register(staffRoutes, opts)
    await scope.register(reportRoutes, opts)
    await scope.register(catalogueRoutes, opts)
    await scope.register(orderRoutes, opts)
    await scope.register(zReportRoutes, opts)
    await scope.register(canteenRoutes, opts)
  })
}
