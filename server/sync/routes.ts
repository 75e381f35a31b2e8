import type { FastifyInstance } from 'fastify'
import { Readable } from 'node:stream'
import { z } from 'zod'
import { PhotoId, PushEnvelope, SCHEMA_VERSION } from '../../domain/sync'
import { refuseKiosk, requireTerminal, terminalOf } from '../platform/auth'
import type { ServerContext } from '../platform/context'
import { HttpError, notFound, parseInput } from '../platform/errors'
import type { LiveHub } from './live'
import { START_CURSOR, parseLimit, pull } from './pull'
import { push } from './push'
import { snapshot, snapshotLines } from './snapshot'
import { checkVersions } from './versions'

/** Read first, loosely: an old till's body may not match today's schema, and it should hear 426, not 400. */
const Versions = z.object({ protocol: z.number().int(), schema: z.number().int() })

const VersionQuery = z.object({
  protocol: z.coerce.number().int().optional(),
  schema: z.coerce.number().int().optional(),
})

/** Every sync request states its protocol and schema (DESIGN.md); a GET does it in the query. */
function checkQueryVersions(query: z.infer<typeof VersionQuery>, what: string): number {
  if (query.protocol === undefined || query.schema === undefined) {
    throw new HttpError(426, 'protocol-unsupported', `a ${what} must state its protocol and schema: ?protocol=N&schema=N`)
  }
  checkVersions({ protocol: query.protocol, schema: query.schema })
  return query.schema
}

const PhotoParams = z.object({ id: PhotoId })

const PullQuery = z.object({
  cursor: z.string().max(100).optional(),
  limit: z.string().max(10).optional(),
  protocol: z.coerce.number().int().optional(),
  schema: z.coerce.number().int().optional(),
})

/**
 * Registered in a plugin scope of its own. /sync/*: every route needs a till's device token (a
 * parent kiosk is refused: it pushes no sales and pulls no pupil data); the terminal's
 * municipality and location scope everything.
 */
export async function syncRoutes(app: FastifyInstance, opts: { ctx: ServerContext; live: LiveHub }): Promise<void> {
  const { ctx, live } = opts
  app.decorateRequest('terminal', null)
  app.addHook('onRequest', requireTerminal(ctx.db))
  app.addHook('onRequest', refuseKiosk)

  app.post('/sync/push', async (request) => {
    const versions = parseInput(Versions, request.body, 'push request')
    checkVersions(versions)
    // The envelope only: each mutation's payload is checked on its own (push.ts), so one bad
    // mutation is rejected alone instead of failing the push and stalling the till behind it.
    const body = parseInput(PushEnvelope, request.body, 'push request')
    return push(ctx, terminalOf(request), body)
  })

  app.get('/sync/pull', async (request, reply) => {
    const query = parseInput(PullQuery, request.query, 'pull query')
    const schema = checkQueryVersions(query, 'pull')
    const page = await pull(ctx, terminalOf(request), { cursor: query.cursor ?? START_CURSOR, limit: parseLimit(query.limit), schema })
    // Already JSON text: Fastify sends a string with a JSON content type as it is.
    return reply.type('application/json; charset=utf-8').send(page)
  })

  app.get('/sync/snapshot', async (request, reply) => {
    const schema = checkQueryVersions(parseInput(VersionQuery, request.query, 'snapshot query'), 'snapshot')
    // Snapshots came with schema 2: no till of schema 1 asks for one.
    if (schema < SCHEMA_VERSION) throw new HttpError(426, 'protocol-unsupported', `a snapshot needs schema ${SCHEMA_VERSION}; update the till`)
    // A till that stores the snapshot as it arrives asks for lines (domain/sync.ts SnapshotLine).
    if ((request.query as { format?: unknown }).format === 'ndjson') {
      const lines = await snapshotLines(ctx, terminalOf(request))
      return reply.type('application/x-ndjson; charset=utf-8').send(Readable.from(lines.map((l) => `${l}\n`)))
    }
    return reply.type('application/json; charset=utf-8').send(await snapshot(ctx, terminalOf(request)))
  })

  // A photo never changes under its id (the sha256 of its data): the till may keep it for good.
  app.get('/sync/photos/:id', async (request, reply) => {
    checkQueryVersions(parseInput(VersionQuery, request.query, 'photo query'), 'photo request')
    const { id } = parseInput(PhotoParams, request.params, 'photo id')
    const { rows } = await ctx.db.query<{ photo: string }>('SELECT photo FROM holders WHERE municipality_id = $1 AND photo_id = $2 LIMIT 1', [
      terminalOf(request).municipalityId,
      id,
    ])
    if (!rows[0]) throw notFound('no such photo in this municipality')
    return reply.header('cache-control', 'private, max-age=31536000, immutable').send({ id, data: rows[0].photo })
  })

  app.get('/sync/live', { websocket: true }, (socket, request) => {
    live.add(terminalOf(request), socket)
  })
}
