/**
 * The central server, assembled: migrations, services, HTTP routes, live channel.
 *
 *   POST /enrol                               one-time code -> device token
 *   POST /sync/push   GET /sync/pull          device token; the till's outbox and change log
 *   GET  /sync/live   (WebSocket)             device token; pokes
 *   POST /admin/...                           named admin token; back office
 */
import rateLimit from '@fastify/rate-limit'
import websocket from '@fastify/websocket'
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify'
import { MAX_PUSH_BYTES } from '../domain/sync'
import { adminRoutes } from './admin/routes'
import type { Clock, Timers } from './platform/clock'
import { createContext, paymentsMode, type PaymentsOption, type RunningContext } from './platform/context-factory'
import type { MailerOption } from './platform/mailer'
import { randomToken } from './platform/crypto'
import { migrate, type Db } from './db'
import { enrolRoutes } from './enrolment/routes'
import { guardianRoutes, type GuardianOptions } from './guardian/routes'
import { managerRoutes } from './manager/routes'
import { orderAdminRoutes } from './orders/admin-routes'
import { startOrderWorker } from './orders/worker'
import { HttpError, installErrorHandling } from './platform/errors'
import { LiveHub } from './sync/live'
import { checkTillProtocol } from './sync/protocol'
import { DEFAULT_CHANGE_RETENTION_MS, startPruning } from './sync/retention'
import { startHousekeeping } from './platform/housekeeping'
import { syncRoutes } from './sync/routes'

export interface ServerOptions {
  db: Db
  host?: string
  /** 0 (default): a free port. */
  port?: number
  /**
   * A token for every municipality, held in memory for this launch only (demo and tests).
   * Default: a random one; null: none (a real deployment uses named tokens, admin/tokens.ts).
   */
  adminToken?: string | null
  /** A token that can only create named admin tokens (POST /admin/tokens). */
  adminBootstrapToken?: string | null
  clock?: Clock
  /** Timers for retries (auto top-up) and throttles; tests inject their own. */
  timers?: Timers
  /** false (default): silent. true: pino at info to stderr. An object: pino options (stderr unless it says otherwise). */
  logger?: boolean | object
  /** A provider, 'simulated' (state kept in the database) or 'off' (default): top-ups refused. */
  payments?: PaymentsOption
  /** Where mail (a top-up's receipt) goes: a Mailer, 'outbox' (the mail_outbox table: demo, tests) or 'off' (default). */
  mailer?: MailerOption
  /** The CPR key (default: the demo key; cli.ts insists on a real one outside the demo). */
  cprKey?: string
  /** Requests per minute and client address (default RATE_LIMITS); false: no limits. */
  rateLimits?: Partial<RateLimits> | false
  /** How long change rows are kept (default 30 days, sync/retention.ts); null: never pruned. */
  changeRetentionMs?: number | null
  /** The guardian API: its identity provider ('off' by default: no sign-in) and rate limits. */
  guardian?: GuardianOptions
}

export interface RateLimits {
  /** POST /enrol: guessing enrolment codes. */
  enrol: number
  /** Each /admin route: guessing tokens, scraping accounts. */
  admin: number
  /** POST /manager/session: guessing managers' PINs (the per-staff lock is the real brake: manager/auth.ts). */
  managerSession: number
}

export const RATE_LIMITS: RateLimits = { enrol: 60, admin: 600, managerSession: 30 }

export interface RunningServer {
  url: string
  app: FastifyInstance
  db: Db
  /** The launch token (see ServerOptions.adminToken); '' when there is none. */
  adminToken: string
  /** 'off', 'simulated' or 'provider': also in GET /health. */
  payments: 'off' | 'simulated' | 'provider'
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
  const adminToken = opts.adminToken === undefined ? randomToken() : opts.adminToken
  // bodyLimit: a larger push is refused (413) before it is parsed.
  const app: FastifyInstance = Fastify({ logger: loggerOption(opts.logger), bodyLimit: MAX_PUSH_BYTES })
  const payments = paymentsMode(opts.payments)
  const ctx = createContext({ db: opts.db, clock: opts.clock, payments: opts.payments, mailer: opts.mailer, log: app.log, cprKey: opts.cprKey, timers: opts.timers })
  const live = new LiveHub(ctx.feed, ctx.clock, opts.timers)
  if (payments === 'off') app.log.warn('payments are OFF: no payment provider is configured; top-ups are refused and auto top-ups wait')
  else app.log.info({ payments }, payments === 'simulated' ? 'payments: the SIMULATED provider (no real money moves)' : 'payments: provider configured')

  installErrorHandling(app)
  await installRateLimits(app, opts.rateLimits)
  await app.register(websocket)
  app.get('/health', async () => ({ ok: true, time: ctx.clock.now().toISOString(), payments }))
  app.addHook('onRequest', checkTillProtocol) // a till older than the previous protocol: 426 (sync/protocol.ts)
  await app.register(enrolRoutes, { ctx })
  await app.register(adminRoutes, { ctx, auth: { db: opts.db, launchToken: adminToken, bootstrapToken: opts.adminBootstrapToken ?? null }, live })
  await app.register(syncRoutes, { ctx, live })
  await app.register(guardianRoutes, { ctx, ...opts.guardian })
  await app.register(orderAdminRoutes, { ctx, auth: { db: opts.db, launchToken: adminToken, bootstrapToken: opts.adminBootstrapToken ?? null } })
  await app.register(managerRoutes, { ctx, live })

  await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('server is not listening on TCP')
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  // Top-ups queued before a crash or restart.
  ctx.kickTopups()
  const retentionMs = opts.changeRetentionMs === undefined ? DEFAULT_CHANGE_RETENTION_MS : opts.changeRetentionMs
  const pruning = retentionMs === null ? null : startPruning(ctx, { retentionMs })
  // Wrong-PIN counts and old manager sessions (platform/housekeeping.ts).
  const housekeeping = startHousekeeping(ctx)
  // Webshop orders: release to the tills, capture at the stated time, close pickup windows.
  const orders = startOrderWorker(ctx)

  return {
    url: `http://${host}:${address.port}`,
    app,
    db: opts.db,
    adminToken: adminToken ?? '',
    payments,
    ctx,
    async close() {
      live.close()
      await pruning?.stop()
      await housekeeping.stop()
      await orders.stop()
      await app.close()
      await ctx.close()
    },
  }
}

/**
 * @fastify/rate-limit on the routes a stranger can hammer: POST /enrol and /admin/*. Per client
 * address, per route. Attached by URL here (before the plugin reads route configs), so the
 * routes' own files stay about their routes.
 */
async function installRateLimits(app: FastifyInstance, option: ServerOptions['rateLimits']): Promise<void> {
  if (option === false) return
  const limits = { ...RATE_LIMITS, ...option }
  const limitOf = (route: RouteOptions): number | null =>
    route.url === '/enrol' && route.method === 'POST'
      ? limits.enrol
      : route.url === '/manager/session' && route.method === 'POST'
        ? limits.managerSession
        : route.url.startsWith('/admin/')
          ? limits.admin
          : null
  app.addHook('onRoute', (route) => {
    const max = limitOf(route)
    const config = (route.config ?? {}) as { rateLimit?: unknown }
    if (max !== null && config.rateLimit === undefined) route.config = { ...config, rateLimit: { max, timeWindow: 60_000 } }
  })
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => new HttpError(429, 'rate-limited', `too many requests; try again in ${context.after}`),
  })
}
