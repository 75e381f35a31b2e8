/**
 * The central server, assembled: migrations, services, HTTP routes, live channel.
 *
 *   POST /enrol                               one-time code -> device token
 *   POST /sync/push   GET /sync/pull          device token; the till's outbox and change log
 *   GET  /sync/live   (WebSocket)             device token; pokes
 *   POST /admin/...                           admin token; back office
 */
import websocket from '@fastify/websocket'
import Fastify, { type FastifyInstance } from 'fastify'
import { MAX_PUSH_BYTES } from '../domain/sync'
import { adminRoutes } from './admin/routes'
import type { Clock } from './platform/clock'
import { createContext, type RunningContext } from './platform/context-factory'
import { randomToken } from './platform/crypto'
import { migrate, type Db } from './db'
import { enrolRoutes } from './enrolment/routes'
import { installErrorHandling } from './platform/errors'
import type { PaymentProvider } from './payments/provider'
import { LiveHub } from './sync/live'
import { DEFAULT_CHANGE_RETENTION_MS, startPruning } from './sync/retention'
import { syncRoutes } from './sync/routes'

export interface ServerOptions {
  db: Db
  host?: string
  /** 0 (default): a free port. */
  port?: number
  /** Default: a random token for this launch (printed by the CLI). */
  adminToken?: string
  clock?: Clock
  /** false (default): silent. true: pino at info to stderr. An object: pino options (stderr unless it says otherwise). */
  logger?: boolean | object
  /** Default: the simulated provider. */
  payments?: PaymentProvider
  /** How long change rows are kept (default 30 days, sync/retention.ts); null: never pruned. */
  changeRetentionMs?: number | null
}

export interface RunningServer {
  url: string
  app: FastifyInstance
  db: Db
  adminToken: string
  /** The services the routes use; tests call back-office functions with it. */
  ctx: RunningContext
  /** Stops listening and background work. The database stays open: whoever opened it closes it. */
  close(): Promise<void>
}

function loggerOption(logger: ServerOptions['logger']): false | object {
  if (!logger) return false
  return { level: 'info', stream: process.stderr, ...(logger === true ? {} : logger) }
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  await migrate(opts.db)
  // PGlite has no autovacuum; give the planner statistics for the data it opened with.
  if (opts.db.kind === 'pglite') await opts.db.exec('ANALYZE')
  const adminToken = opts.adminToken ?? randomToken()
  // bodyLimit: a larger push is refused (413) before it is parsed.
  const app: FastifyInstance = Fastify({ logger: loggerOption(opts.logger), bodyLimit: MAX_PUSH_BYTES })
  const ctx = createContext({ db: opts.db, clock: opts.clock, payments: opts.payments, log: app.log })
  const live = new LiveHub(ctx.feed, ctx.clock)

  installErrorHandling(app)
  await app.register(websocket)
  app.get('/health', async () => ({ ok: true, time: ctx.clock.now().toISOString() }))
  await app.register(enrolRoutes, { ctx })
  await app.register(adminRoutes, { ctx, adminToken, live })
  await app.register(syncRoutes, { ctx, live })

  await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('server is not listening on TCP')
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  // Top-ups queued before a crash or restart.
  ctx.kickTopups()
  const retentionMs = opts.changeRetentionMs === undefined ? DEFAULT_CHANGE_RETENTION_MS : opts.changeRetentionMs
  const pruning = retentionMs === null ? null : startPruning(ctx, { retentionMs })

  return {
    url: `http://${host}:${address.port}`,
    app,
    db: opts.db,
    adminToken,
    ctx,
    async close() {
      live.close()
      await pruning?.stop()
      await app.close()
      await ctx.close()
    },
  }
}
