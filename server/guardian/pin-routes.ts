/**
 * The kiosk PIN over HTTP (pin.ts):
 *
 *   GET  /guardian/me             guardian session: { id, name, hasPin }
 *   PUT  /guardian/pin { pin }    guardian session: choose or change the kiosk PIN → 204
 *   POST /guardian/pin-session    a kiosk only (Kantine-Kiosk): { cardNumber, pin } → the body of
 *                                 POST /guardian/token; 401 sign-in-refused, 429 locked
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Terminal } from '../enrolment/enrol'
import { z } from 'zod'
import { requireKiosk } from '../platform/auth'
import type { ServerContext } from '../platform/context'
import { HttpError, parseInput } from '../platform/errors'
import { answer, perGuardian, rateLimit, type GuardianArea } from './http'
import { guardianMe, pinSession, setPin } from './pin'
import { guardianOf, tokenAnswer } from './session'

const PinRequest = z.object({ pin: z.string().max(20) }).strict()
// Loose on purpose: a malformed card number or PIN is refused like a wrong one (and counted).
const PinSessionRequest = z.object({ cardNumber: z.string().min(1).max(40), pin: z.string().max(20) }).strict()

/** Choosing a PIN: a few tries a minute are plenty. */
const SET_PIN_PER_MINUTE = 10

const refusals = {
  'pin-invalid': () => new HttpError(400, 'pin-invalid', 'a kiosk PIN is 4 to 8 digits'),
}

export const SIGN_IN_REFUSED = 'the card and PIN did not match a guardian who chose a kiosk PIN; try again, or sign in with MitID'

/** GET /guardian/me and PUT /guardian/pin: registered in the guardian-session scope (areas.ts). */
export const pinArea: GuardianArea = async (own, { ctx }) => {
  own.get('/guardian/me', async (request) => guardianMe(ctx, guardianOf(request)))

  own.put('/guardian/pin', { config: perGuardian(SET_PIN_PER_MINUTE) }, async (request, reply) => {
    const body = parseInput(PinRequest, request.body, 'PIN')
    answer(await setPin(ctx, guardianOf(request), body.pin), refusals)
    return reply.code(204).send()
  })
}

/** POST /guardian/pin-session: outside the session scope (it starts one); `max` requests a minute per address. */
export function pinSessionRoutes(app: FastifyInstance, ctx: ServerContext, max: number): void {
  const kiosks = new WeakMap<FastifyRequest, Terminal>()
  app.post(
    '/guardian/pin-session',
    {
      config: rateLimit(max),
      // After the rate limit (onRequest), before the body is read: only a kiosk may try a card and a PIN.
      preParsing: async (request, _reply, payload) => {
        kiosks.set(request, await requireKiosk(ctx.db, request))
        return payload
      },
    },
    async (request, reply) => {
      const kiosk = kiosks.get(request)
      if (!kiosk) throw new Error('the kiosk check did not run')
      const body = parseInput(PinSessionRequest, request.body, 'PIN sign-in')
      const result = await pinSession(ctx, kiosk, body)
      if (result.ok) return tokenAnswer(result.value)
      if (result.reason === 'locked') {
        return reply
          .code(429)
          .header('retry-after', String(result.retryAfterSeconds))
          .send({ error: 'locked', message: `too many wrong tries for this card: wait ${result.retryAfterSeconds} seconds`, retryAfterSeconds: result.retryAfterSeconds })
      }
      return reply.code(401).send({ error: 'sign-in-refused', message: SIGN_IN_REFUSED })
    },
  )
}
