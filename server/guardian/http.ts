/**
 * What every guardian route file shares: refusal → HTTP answer, the account id parameter, rate
 * limit options, and the registry of route areas (one file per area, registered inside the
 * guardian-session scope by routes.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { ServerContext } from '../platform/context'
import { HttpError, answerWith, type Refusals } from '../platform/errors'

export type { Refusals }

export const commonRefusals: Refusals = {
  'account-unknown': () => new HttpError(404, 'account-unknown', 'no such account among yours'),
  'cpr-invalid': () => new HttpError(400, 'cpr-invalid', 'a CPR number is 10 digits and starts with a date of birth (DDMMYY)'),
  'card-number-invalid': () => new HttpError(400, 'card-number-invalid', 'a card number is 4 to 24 letters and digits'),
  'category-unknown': () => new HttpError(400, 'category-unknown', 'a category that is not one of your municipality’s'),
  'location-unknown': () => new HttpError(400, 'location-unknown', 'a canteen that is not one of your municipality’s'),
  'code-unknown': () => new HttpError(404, 'code-unknown', 'unknown or expired code: start again at the kiosk'),
}

/** The value, or the refusal as an HttpError (platform/errors.ts answerWith). */
export const answer = answerWith(commonRefusals)

export const AccountParams = z.object({ id: z.string().min(1).max(64) })

export const rateLimit = (max: number) => ({ rateLimit: { max, timeWindow: 60_000 } })

/**
 * Limited per guardian, not per address: the kiosks of a school share one address, and a guesser
 * needs a session (a MitID sign-in) anyway. The session hook has run by then.
 */
export const perGuardian = (max: number) => ({
  rateLimit: { max, timeWindow: 60_000, keyGenerator: (request: FastifyRequest) => (request.guardian ? `guardian:${request.guardian.id}` : request.ip) },
})

export interface GuardianAreaOptions {
  ctx: ServerContext
}

/** One file of guardian routes. Registered inside the scope where `requireGuardian` has run. */
export type GuardianArea = (own: FastifyInstance, opts: GuardianAreaOptions) => Promise<void>
