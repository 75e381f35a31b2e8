/**
 * Back-office endpoints, behind the admin token. Thin: each validates its input, calls the
 * service function tests also call, and maps a refusal to a status code.
 */
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { accountSummary, blockAccount, depositByAdmin, unblockAccount } from '../money/accounts'
import { requireAdmin } from '../platform/auth'
import type { ServerContext } from '../platform/context'
import { createEnrolmentCode, revokeTerminal } from '../enrolment/enrol'
import { HttpError, badRequest, notFound, parseInput } from '../platform/errors'
import type { LiveHub } from '../sync/live'

const EnrolmentCodeRequest = z.object({
  locationId: z.string().min(1).max(64),
  /** Default 24 hours. */
  ttlMinutes: z.number().int().min(1).max(60 * 24 * 30).optional(),
})
const AccountParams = z.object({ id: z.string().min(1).max(64) })
const TerminalParams = z.object({ id: z.string().min(1).max(64) })
const DepositRequest = z.object({ amount: z.number().int().positive(), note: z.string().max(500).optional() })

const refusals: Record<string, () => HttpError> = {
  'account-unknown': () => notFound('no such account'),
  'account-blocked': () => new HttpError(409, 'account-blocked', 'a blocked account takes no deposits'),
  'amount-invalid': () => badRequest('amount must be positive whole kroner, in øre (a multiple of 100)'),
  'location-unknown': () => notFound('no such location'),
  'terminal-unknown': () => notFound('no such till'),
}

function fail(reason: string): never {
  throw refusals[reason]?.() ?? badRequest(reason)
}

export async function adminRoutes(app: FastifyInstance, opts: { ctx: ServerContext; adminToken: string; live: LiveHub }): Promise<void> {
  const { ctx } = opts
  app.addHook('onRequest', requireAdmin(opts.adminToken))

  app.post('/admin/enrolment-codes', async (request) => {
    const body = parseInput(EnrolmentCodeRequest, request.body, 'enrolment code request')
    const result = await createEnrolmentCode(ctx, body.locationId, body.ttlMinutes && body.ttlMinutes * 60_000)
    return result.ok ? result.value : fail(result.reason)
  })

  app.post('/admin/terminals/:id/revoke', async (request) => {
    const { id } = parseInput(TerminalParams, request.params, 'till id')
    const result = await revokeTerminal(ctx, id)
    if (!result.ok) return fail(result.reason)
    opts.live.disconnect(id)
    return result.value
  })

  app.get('/admin/accounts/:id', async (request) => {
    const { id } = parseInput(AccountParams, request.params, 'account id')
    return (await accountSummary(ctx, id)) ?? fail('account-unknown')
  })

  app.post('/admin/accounts/:id/block', async (request) => {
    const { id } = parseInput(AccountParams, request.params, 'account id')
    const result = await blockAccount(ctx, id)
    return result.ok ? result.value : fail(result.reason)
  })

  app.post('/admin/accounts/:id/unblock', async (request) => {
    const { id } = parseInput(AccountParams, request.params, 'account id')
    const result = await unblockAccount(ctx, id)
    return result.ok ? result.value : fail(result.reason)
  })

  app.post('/admin/accounts/:id/deposit', async (request) => {
    const { id } = parseInput(AccountParams, request.params, 'account id')
    const body = parseInput(DepositRequest, request.body, 'deposit')
    const result = await depositByAdmin(ctx, id, body.amount, { note: body.note })
    return result.ok ? result.value : fail(result.reason)
  })
}
