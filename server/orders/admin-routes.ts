/**
 * The back office's webshop routes, per canteen, municipality-scoped like admin/routes.ts: a
 * canteen of another municipality answers 404 `location-unknown`, exactly like a missing one, and
 * every request, allowed or refused, is written to the audit log (`admin.request`) before the
 * answer leaves.
 *
 *   GET  /admin/locations/:id/order-settings                 OrderSettings
 *   PUT  /admin/locations/:id/order-settings                 { productIds?, cutoffs?, pickupEnd?, pickupTimes?, creditUncollected? }
 *   PUT  /admin/locations/:id/closed-days/:day               { reason }     (DELETE: open again)
 *   GET  /admin/locations/:id/orders?day=                    { orders: OrderView[] }
 *   GET  /admin/locations/:id/preparation?day=               { day, products: PreparationRow[], times: PreparationTime[] }
 *   GET  /admin/locations/:id/uncollected?day=               { day, lines: UncollectedLine[] }
 *   POST /admin/locations/:id/uncollected/close              { day } -> WindowClosed (credits once, if the canteen says so)
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { DayKey } from '../../domain/sync'
import { adminActor, adminMayTouch, municipalityOf } from '../admin/tokens'
import { audit } from '../platform/audit'
import { adminOf, requireAdmin, type AdminAuth } from '../platform/auth'
import type { ServerContext } from '../platform/context'
import { HttpError, badRequest, parseInput } from '../platform/errors'
import { MAX_PICKUP_TIMES, orderSettings, preparationByTime, preparationList, setClosedDay, setOrderSettings } from './admin'
import { ordersOfDay } from './view'
import { closePickupWindow, uncollectedLines } from './window'

const LocationParams = z.object({ id: z.string().min(1).max(64) })
const DayParams = z.object({ id: z.string().min(1).max(64), day: DayKey })
const DayQuery = z.object({ day: DayKey })
const SettingsRequest = z
  .object({
    productIds: z.array(z.string().min(1).max(64)).max(500).optional(),
    cutoffs: z.array(z.object({ weekday: z.number().int(), daysBefore: z.number().int(), time: z.string().max(5) }).strict()).max(7).optional(),
    pickupEnd: z.string().max(5).optional(),
    pickupTimes: z.array(z.string().max(5)).max(50).optional(),
    creditUncollected: z.boolean().optional(),
  })
  .strict()
const ClosedDayRequest = z.object({ reason: z.string().max(200) }).strict()

const refusals: Record<string, () => HttpError> = {
  'location-unknown': () => new HttpError(404, 'location-unknown', 'no such canteen'),
  'product-unknown': () => new HttpError(400, 'product-unknown', 'a product that is not the municipality’s or has no price at this canteen'),
  'cutoff-invalid': () => new HttpError(400, 'cutoff-invalid', 'a cut-off is { weekday 1–7 (once each), daysBefore 0–14, time HH:MM }'),
  'time-invalid': () => new HttpError(400, 'time-invalid', 'a time is HH:MM'),
  'pickup-times-invalid': () =>
    new HttpError(400, 'pickup-times-invalid', `pickup times are HH:MM, each once, at most ${MAX_PICKUP_TIMES}, each before the pickup window's end (pickupEnd)`),
  'day-invalid': () => new HttpError(400, 'day-invalid', 'a day is YYYY-MM-DD'),
}
const fail = (reason: string): never => {
  throw refusals[reason]?.() ?? badRequest(reason)
}

export async function orderAdminRoutes(app: FastifyInstance, opts: { ctx: ServerContext; auth: AdminAuth }): Promise<void> {
  const { ctx } = opts
  const targets = new WeakMap<FastifyRequest, string | null>()
  app.decorateRequest('admin', null)
  const authenticate = requireAdmin(opts.auth)
  // As in admin/routes.ts: a route hook, after the rate limit's.
  app.addHook('onRoute', (route) => {
    const own = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest]
    route.onRequest = [...own, authenticate]
  })
  app.addHook('onSend', async (request, reply, payload) => {
    const admin = request.admin
    if (!admin) return payload
    const params = request.params as { id?: string } | undefined
    await audit(ctx.db, {
      municipalityId: targets.get(request) ?? admin.municipalityId,
      actor: adminActor(admin),
      action: 'admin.request',
      details: {
        method: request.method,
        route: request.routeOptions.url ?? request.url.split('?')[0],
        status: reply.statusCode,
        tokenId: admin.tokenId,
        ...(params?.id ? { target: { entity: 'location', id: params.id } } : {}),
      },
      at: ctx.clock.now(),
    })
    return payload
  })

  /** The canteen's municipality if the admin may touch it; else 404, like a missing one. */
  async function canteen(request: FastifyRequest): Promise<{ locationId: string; municipalityId: string }> {
    const { id } = parseInput(LocationParams, request.params, 'canteen id')
    const municipalityId = await municipalityOf(ctx.db, 'location', id)
    targets.set(request, municipalityId)
    if (municipalityId === null || !adminMayTouch(adminOf(request), municipalityId)) fail('location-unknown')
    return { locationId: id, municipalityId: municipalityId! }
  }

  app.get('/admin/locations/:id/order-settings', async (request) => orderSettings(ctx.db, (await canteen(request)).locationId))

  app.put('/admin/locations/:id/order-settings', async (request) => {
    const c = await canteen(request)
    const body = parseInput(SettingsRequest, request.body, 'order settings')
    const r = await setOrderSettings(ctx, c.municipalityId, c.locationId, body, adminActor(adminOf(request)))
    return r.ok ? r.value : fail(r.reason)
  })

  app.put('/admin/locations/:id/closed-days/:day', async (request) => {
    const c = await canteen(request)
    const { day } = parseInput(DayParams, request.params, 'closed day')
    const body = parseInput(ClosedDayRequest, request.body, 'closed day')
    const r = await setClosedDay(ctx, c.municipalityId, c.locationId, day, body, adminActor(adminOf(request)))
    return r.ok ? r.value : fail(r.reason)
  })

  app.delete('/admin/locations/:id/closed-days/:day', async (request) => {
    const c = await canteen(request)
    const { day } = parseInput(DayParams, request.params, 'closed day')
    const r = await setClosedDay(ctx, c.municipalityId, c.locationId, day, null, adminActor(adminOf(request)))
    return r.ok ? r.value : fail(r.reason)
  })

  app.get('/admin/locations/:id/orders', async (request) => {
    const c = await canteen(request)
    const { day } = parseInput(DayQuery, request.query, 'day')
    return { day, orders: await ordersOfDay(ctx.db, c.locationId, day, ctx.clock.now()) }
  })

  app.get('/admin/locations/:id/preparation', async (request) => {
    const c = await canteen(request)
    const { day } = parseInput(DayQuery, request.query, 'day')
    return { day, products: await preparationList(ctx.db, c.locationId, day), times: await preparationByTime(ctx.db, c.locationId, day) }
  })

  app.get('/admin/locations/:id/uncollected', async (request) => {
    const c = await canteen(request)
    const { day } = parseInput(DayQuery, request.query, 'day')
    return { day, lines: await uncollectedLines(ctx.db, c.locationId, day) }
  })

  app.post('/admin/locations/:id/uncollected/close', async (request) => {
    const c = await canteen(request)
    const { day } = parseInput(DayQuery, request.body, 'day')
    return closePickupWindow(ctx, c.locationId, day, adminActor(adminOf(request)))
  })
}
