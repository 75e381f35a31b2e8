/**
 * What every guardian route file shares: refusal → HTTP answer, the account id parameter, rate
 * limit options, and the registry of route areas (one file per area, registered inside the
 * guardian-session scope by routes.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { ServerContext } from '../platform/context'
import { HttpError, badRequest } from '../platform/errors'
import type { Result } from '../platform/result'

/** A refusal reason → its answer. Areas pass their own next to the common ones. */
export type Refusals = Record<string, () => HttpError>

export const commonRefusals: Refusals = {
  'account-unknown': () => new HttpError(404, 'account-unknown', 'no such account among yours'),
  'cpr-invalid': () => new HttpError(400, 'cpr-invalid', 'a CPR number is 10 digits and starts with a date of birth (DDMMYY)'),
  'card-number-invalid': () => new HttpError(400, 'card-number-invalid', 'a card number is 4 to 24 letters and digits'),
  'category-unknown': () => new HttpError(400, 'category-unknown', 'a category that is not one of your municipality’s'),
  'location-unknown': () => new HttpError(400, 'location-unknown', 'a canteen that is not one of your municipality’s'),
  'code-unknown': () => new HttpError(404, 'code-unknown', 'unknown or expired code: start again at the kiosk'),
}

/** The value, or the refusal as an HttpError (the area's own map first, then the common one, else 400 with the reason). */
export function answer<T>(result: Result<T, string>, refusals: Refusals = {}): T {
  if (result.ok) return result.value
  throw (refusals[result.reason] ?? commonRefusals[result.reason])?.() ?? badRequest(result.reason)
}

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
