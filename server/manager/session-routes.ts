/**
 * Unlocking and locking manager mode (auth.ts):
 *
 *   POST   /manager/session   the till's device token; { staffId, pin } → { token, expiresAt, staff,
 *                             municipalityId, locationIds }; 401 sign-in-refused, 403 not-a-manager,
 *                             403 kiosk-terminal, 429 locked (retryAfterSeconds)
 *   DELETE /manager/session   the till's device token and Kantine-Manager: ends that session → 204
 *
 * Rate limited per address in app.ts (like the other sign-ins); the per-staff lock is the real brake.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { Terminal } from '../enrolment/enrol'
import type { ServerContext } from '../platform/context'
import { HttpError, parseInput, unauthorized } from '../platform/errors'
import { endManagerSession, managerToken, startManagerSession, terminalOfRequest } from './auth'

// Loose on purpose: a malformed PIN is refused like a wrong one (and counted).
const SessionRequest = z.object({ staffId: z.string().min(1).max(64), pin: z.string().max(20) }).strict()

export const SIGN_IN_REFUSED = 'the staff member and PIN did not match an active staff member of this municipality'

/** The till behind the device token: 401 without one, 403 for a kiosk (it has no manager mode). */
async function requireTill(ctx: ServerContext, request: FastifyRequest): Promise<Terminal> {
  const till = await terminalOfRequest(ctx, request)
  if (!till) throw unauthorized('a till’s device token is required (Authorization: Bearer <token>); unknown or revoked')
  if (till.kind !== 'till') throw new HttpError(403, 'kiosk-terminal', 'a parent kiosk has no manager mode')
  return till
}

export function managerSessionRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const tills = new WeakMap<FastifyRequest, Terminal>()
  // After the rate limit (onRequest), before the body is read: only a till may try a PIN.
  const tillFirst = async (request: FastifyRequest) => void tills.set(request, await requireTill(ctx, request))
  const tillOf = (request: FastifyRequest): Terminal => {
    const till = tills.get(request)
    if (!till) throw new Error('the till check did not run')
    return till
  }

  app.post('/manager/session', { preParsing: async (request, _reply, payload) => (await tillFirst(request), payload) }, async (request, reply) => {
    const till = tillOf(request)
    const body = parseInput(SessionRequest, request.body, 'manager sign-in')
    const result = await startManagerSession(ctx, till, body)
    if (result.ok) return result.value
    if (result.reason === 'locked') {
      return reply
        .code(429)
        .header('retry-after', String(result.retryAfterSeconds))
        .send({ error: 'locked', message: `too many wrong PINs for this staff member: wait ${result.retryAfterSeconds} seconds`, retryAfterSeconds: result.retryAfterSeconds })
    }
    if (result.reason === 'not-a-manager') {
      return reply.code(403).send({ error: 'not-a-manager', message: 'only a manager of this till’s canteen may open manager mode' })
    }
    return reply.code(401).send({ error: 'sign-in-refused', message: SIGN_IN_REFUSED })
  })

  app.delete('/manager/session', { onRequest: tillFirst }, async (request, reply) => {
    const token = managerToken(request)
    if (token) await endManagerSession(ctx, tillOf(request), token)
    return reply.code(204).send()
  })
}
