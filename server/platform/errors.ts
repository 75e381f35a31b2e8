import type { FastifyError, FastifyInstance } from 'fastify'
import type { z } from 'zod'

/** A refusal that becomes an HTTP answer `{ error, message }` (ErrorBody in domain/sync.ts). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'HttpError'
  }
}

export const badRequest = (message: string) => new HttpError(400, 'bad-request', message)
export const unauthorized = (message: string) => new HttpError(401, 'unauthorized', message)
export const forbidden = (message: string) => new HttpError(403, 'forbidden', message)
export const notFound = (message: string) => new HttpError(404, 'not-found', message)

/** A refusal reason → its answer. */
export type Refusals = Record<string, () => HttpError>

/**
 * An API area's `answer`: a service's value, or its refusal as an HttpError (the route's own map
 * first, then the area's common one, else 400 with the reason).
 */
export function answerWith(common: Refusals): <T>(result: { ok: true; value: T } | { ok: false; reason: string }, refusals?: Refusals) => T {
  return (result, refusals = {}) => {
    if (result.ok) return result.value
    throw (refusals[result.reason] ?? common[result.reason])?.() ?? badRequest(result.reason)
  }
}

const MAX_MESSAGE = 2000

/** Parses an input that crossed a trust boundary; a mismatch is the client's fault (400). */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(input)
  if (parsed.success) return parsed.data
  const detail = parsed.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ')
  throw badRequest(`invalid ${what}: ${detail}`.slice(0, MAX_MESSAGE))
}

function codeFor(status: number): string {
  if (status === 413) return 'too-large'
  if (status === 415) return 'unsupported-media-type'
  if (status === 404) return 'not-found'
  if (status === 401) return 'unauthorized'
  if (status === 403) return 'forbidden'
  return 'bad-request'
}

/** Every non-2xx answer has the ErrorBody shape, including Fastify's own (body too large, bad JSON). */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    if (error instanceof HttpError) {
      return reply.code(error.status).send({ error: error.code, message: error.message })
    }
    const status = error.statusCode ?? 500
    if (status >= 400 && status < 500) {
      return reply.code(status).send({ error: codeFor(status), message: error.message })
    }
    request.log.error({ err: error }, 'request failed')
    return reply.code(500).send({ error: 'internal', message: 'internal server error' })
  })
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: 'not-found', message: `no route ${request.method} ${request.url.split('?')[0]}` }),
  )
}
