/**
 * What every manager route file shares: refusal → HTTP answer, the id parameter, and the shape of
 * an area file (registered by routes.ts inside the scope where `requireManager` has run).
 */
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import type { ServerContext } from '../platform/context'
import { HttpError, answerWith, type Refusals } from '../platform/errors'
import type { LiveHub } from '../sync/live'

export type { Refusals }

export const commonRefusals: Refusals = {
  'canteen-not-yours': () => new HttpError(403, 'canteen-not-yours', 'that canteen is not one of yours'),
  'location-unknown': () => new HttpError(400, 'location-unknown', 'a canteen that is not one of your municipality’s'),
  'staff-unknown': () => new HttpError(404, 'staff-unknown', 'no such staff member in your municipality'),
  'own-account': () => new HttpError(409, 'own-account', 'you cannot retire yourself or take away your own manager role'),
}

/** The value, or the refusal as an HttpError (platform/errors.ts answerWith). */
export const answer = answerWith(commonRefusals)

export const IdParams = z.object({ id: z.string().min(1).max(64) })

export interface ManagerAreaOptions {
  ctx: ServerContext
  live: LiveHub
}

/** One file of manager routes, registered inside the scope where `requireManager` has run. */
export type ManagerArea = (scope: FastifyInstance, opts: ManagerAreaOptions) => Promise<void>
