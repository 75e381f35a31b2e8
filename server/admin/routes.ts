/**
 * Back-office endpoints, behind a named admin token (admin/tokens.ts). Thin: each validates its
 * input, checks that the target belongs to the admin's municipality, calls the service function
 * tests also call, and maps a refusal to a status code. Every request an admin makes, allowed or
 * not, is written to the audit log with the person before the answer leaves.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { accountSummary, blockAccount, depositByAdmin, unblockAccount } from '../money/accounts'
import { offlineExposure } from '../money/exposure'
import { payoutMunicipality, payoutsForAdmin, settlePayout } from '../guardian/money'
import { audit } from '../platform/audit'
import { adminOf, requireAdmin, type AdminAuth } from '../platform/auth'
import type { ServerContext } from '../platform/context'
import { adminActor, adminMayTouch, createAdminToken, municipalityOf } from './tokens'
import { createEnrolmentCode, revokeTerminal } from '../enrolment/enrol'
import { HttpError, badRequest, notFound, parseInput } from '../platform/errors'
import type { LiveHub } from '../sync/live'
import { TerminalKind } from '../../domain/sync'

const EnrolmentCodeRequest = z.object({
  locationId: z.string().min(1).max(64),
  /** Default 24 hours. */
  ttlMinutes: z.number().int().min(1).max(60 * 24 * 30).optional(),
  /** What the code enrols: a till (default) or a parent kiosk. */
  kind: TerminalKind.optional(),
})
const AccountParams = z.object({ id: z.string().min(1).max(64) })
const TerminalParams = z.object({ id: z.string().min(1).max(64) })
const DepositRequest = z.object({ amount: z.number().int().positive(), note: z.string().max(500).optional() })
const ExposureQuery = z.object({
  /** Required for an admin of every municipality; an admin of one may leave it out. */
  municipalityId: z.string().min(1).max(64).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
})
const PayoutsQuery = z.object({
  /** Required for an admin of every municipality, as for exposure. */
  municipalityId: z.string().min(1).max(64).optional(),
  status: z.enum(['pending', 'settled', 'rejected']).optional(),
})
const PayoutParams = z.object({ id: z.string().min(1).max(64) })
const TokenRequest = z.object({ person: z.string().trim().min(1).max(200), municipalityId: z.string().min(1).max(64).nullable() })

const refusals: Record<string, () => HttpError> = {
  'account-unknown': () => notFound('no such account'),
  'account-blocked': () => new HttpError(409, 'account-blocked', 'a blocked account takes no deposits'),
  'amount-invalid': () => badRequest('amount must be positive whole kroner, in øre (a multiple of 100)'),
  'location-unknown': () => notFound('no such location'),
  'terminal-unknown': () => notFound('no such till'),
  'municipality-unknown': () => notFound('no such municipality'),
  'payout-unknown': () => new HttpError(404, 'payout-unknown', 'no such payout'),
  'payout-not-pending': () => new HttpError(409, 'payout-not-pending', 'the payout is settled already'),
  'person-invalid': () => badRequest('a token is named to a person: give their name'),
  forbidden: () => new HttpError(403, 'forbidden', 'an admin of one municipality creates tokens for that municipality only'),
}

function fail(reason: string): never {
  throw refusals[reason]?.() ?? badRequest(reason)
}

interface Target {
  municipalityId: string | null
  entity: string
  entityId: string
}

export async function adminRoutes(app: FastifyInstance, opts: { ctx: ServerContext; auth: AdminAuth; live: LiveHub }): Promise<void> {
  const { ctx } = opts
  const targets = new WeakMap<FastifyRequest, Target>()
  app.decorateRequest('admin', null)
  // A route's own hook, not the scope's: route hooks run after scope hooks, and the rate limit
  // (a route hook, app.ts) must come first, or guessed tokens would be checked without limit.
  const authenticate = requireAdmin(opts.auth)
  app.addHook('onRoute', (route) => {
    const own = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest]
    route.onRequest = [...own, authenticate]
  })
  // onSend, not onResponse: the entry is written before the admin hears the answer.
  app.addHook('onSend', async (request, reply, payload) => {
    const admin = request.admin
    if (!admin) return payload
    const target = targets.get(request)
    await audit(ctx.db, {
      municipalityId: target?.municipalityId ?? admin.municipalityId,
      actor: adminActor(admin),
      // The target goes in details: entity/entity_id are the entity's own history (account.block,
      // terminal.revoked, ...), which this request log must not interleave with.
      action: 'admin.request',
      details: {
        method: request.method,
        route: request.routeOptions.url ?? request.url.split('?')[0],
        status: reply.statusCode,
        tokenId: admin.tokenId,
        ...(target ? { target: { entity: target.entity, id: target.entityId } } : {}),
      },
      at: ctx.clock.now(),
    })
    return payload
  })

  /**
   * The target's municipality, checked against the admin's scope. Another municipality's account
   * answers exactly like a missing one: an admin of A cannot even learn what exists in B.
   */
  async function authorise(request: FastifyRequest, entity: 'location' | 'terminal' | 'account', id: string, unknown: string): Promise<void> {
    const municipalityId = await municipalityOf(ctx.db, entity, id)
    targets.set(request, { municipalityId, entity, entityId: id })
    if (municipalityId === null || !adminMayTouch(adminOf(request), municipalityId)) fail(unknown)
  }

  app.post('/admin/tokens', async (request) => {
    const body = parseInput(TokenRequest, request.body, 'admin token request')
    targets.set(request, { municipalityId: body.municipalityId, entity: 'admin_token', entityId: body.person })
    const result = await createAdminToken(ctx, { person: body.person, municipalityId: body.municipalityId, createdBy: adminOf(request) })
    return result.ok ? result.value : fail(result.reason)
  })

  app.post('/admin/enrolment-codes', async (request) => {
    const body = parseInput(EnrolmentCodeRequest, request.body, 'enrolment code request')
    await authorise(request, 'location', body.locationId, 'location-unknown')
    const result = await createEnrolmentCode(ctx, body.locationId, body.ttlMinutes && body.ttlMinutes * 60_000, body.kind)
    return result.ok ? result.value : fail(result.reason)
  })

  app.post('/admin/terminals/:id/revoke', async (request) => {
    const { id } = parseInput(TerminalParams, request.params, 'till id')
    await authorise(request, 'terminal', id, 'terminal-unknown')
    const result = await revokeTerminal(ctx, id)
    if (!result.ok) return fail(result.reason)
    opts.live.disconnect(id)
    return result.value
  })

  app.get('/admin/accounts/:id', async (request) => {
    const { id } = parseInput(AccountParams, request.params, 'account id')
    await authorise(request, 'account', id, 'account-unknown')
    return (await accountSummary(ctx, id)) ?? fail('account-unknown')
  })

  app.post('/admin/accounts/:id/block', async (request) => {
    const { id } = parseInput(AccountParams, request.params, 'account id')
    await authorise(request, 'account', id, 'account-unknown')
    const result = await blockAccount(ctx, id, adminActor(adminOf(request)))
    return result.ok ? result.value : fail(result.reason)
  })

  app.post('/admin/accounts/:id/unblock', async (request) => {
    const { id } = parseInput(AccountParams, request.params, 'account id')
    await authorise(request, 'account', id, 'account-unknown')
    const result = await unblockAccount(ctx, id, adminActor(adminOf(request)))
    return result.ok ? result.value : fail(result.reason)
  })

  app.post('/admin/accounts/:id/deposit', async (request) => {
    const { id } = parseInput(AccountParams, request.params, 'account id')
    const body = parseInput(DepositRequest, request.body, 'deposit')
    await authorise(request, 'account', id, 'account-unknown')
    const result = await depositByAdmin(ctx, id, body.amount, { note: body.note, actor: adminActor(adminOf(request)) })
    return result.ok ? result.value : fail(result.reason)
  })

  /**
   * What offline sales lent each card below zero, and at how many tills (money/exposure.ts): the
   * back office's view of an outage's cost, bounded by tills x the per-till offline cap.
   */
  app.get('/admin/exposure', async (request) => {
    const query = parseInput(ExposureQuery, request.query, 'exposure query')
    const admin = adminOf(request)
    const municipalityId = query.municipalityId ?? admin.municipalityId
    if (municipalityId === null) throw badRequest('an admin of every municipality names one: ?municipalityId=')
    targets.set(request, { municipalityId, entity: 'municipality', entityId: municipalityId })
    if (!adminMayTouch(admin, municipalityId)) fail('municipality-unknown')
    const since = query.since === undefined ? undefined : new Date(query.since)
    return { municipalityId, cards: await offlineExposure(ctx.db, municipalityId, { since }) }
  })

  /** Payouts guardians asked for (the money has left the accounts): pay them, then settle each. */
  app.get('/admin/payouts', async (request) => {
    const query = parseInput(PayoutsQuery, request.query, 'payouts query')
    const admin = adminOf(request)
    const municipalityId = query.municipalityId ?? admin.municipalityId
    if (municipalityId === null) throw badRequest('an admin of every municipality names one: ?municipalityId=')
    targets.set(request, { municipalityId, entity: 'municipality', entityId: municipalityId })
    if (!adminMayTouch(admin, municipalityId)) fail('municipality-unknown')
    return { municipalityId, payouts: await payoutsForAdmin(ctx.db, municipalityId, query.status ?? null) }
  })

  app.post('/admin/payouts/:id/settle', async (request) => {
    const { id } = parseInput(PayoutParams, request.params, 'payout id')
    const municipalityId = await payoutMunicipality(ctx.db, id)
    targets.set(request, { municipalityId, entity: 'payout', entityId: id })
    if (municipalityId === null || !adminMayTouch(adminOf(request), municipalityId)) fail('payout-unknown')
    const result = await settlePayout(ctx, id, adminActor(adminOf(request)))
    return result.ok ? { payout: result.value } : fail(result.reason)
  })
}
