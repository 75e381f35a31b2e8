import websocket from '@fastify/websocket'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { extname, join, normalize, resolve, sep } from 'node:path'
import type { Till } from '../core/till'
import { bearer, createGuard } from './guard'

export interface HostOptions {
  till: Till
  /** The built renderer (out/renderer). */
  rendererDir: string
  /** 0: any free port. */
  port?: number
  /** Per-launch secret; generated when not given. */
  secret?: string
}

/** The cookie that carries the per-launch secret to the page: HttpOnly, so no script reads it. */
export const SECRET_COOKIE = 'kantine-host'
/** The kiosk's relay of the guardian API, and what one call of it may carry (a photo as base64 in JSON). */
export const RELAY_METHOD = 'guardian.request'
/** The relays to the server: the kiosk's guardian API and the manager's /manager API. */
export const RELAY_METHODS = [RELAY_METHOD, 'manager.request'] as const
export const RELAY_BODY_LIMIT = 12 * 1024 * 1024
export const CODE_PARAM = 'code'

export interface RunningHost {
  url: string
  /**
   * The address to open once: the URL with a one-time code (never the secret) that the host
   * trades for the secret's cookie on first use. It may sit on a command line: once Chromium
   * has used it, it is worth nothing.
   */
  openUrl: string
  port: number
  secret: string
  app: FastifyInstance
  close(): Promise<void>
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
  '.wav': 'audio/wav',
}

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; media-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

const USED_CODE_PAGE = `<!doctype html><html lang="da"><meta charset="utf-8"><title>Kantine</title>
<h1>Åbn kassen fra Kantine-programmet</h1><p>Linket virker kun én gang. Genstart kassen for at åbne den igen.</p>
<h1 lang="en">Open the till from the Kantine program</h1><p lang="en">The link works only once. Restart the till to open it again.</p></html>`

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** One cookie's value from a Cookie header; undefined when it is not there. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

/**
 * The host shell: the same core and RPC contract as Electron, over HTTP (calls) and WebSocket
 * (events), on 127.0.0.1 only. It is how Kantine runs in a plain Chromium.
 */
export async function startHost(opts: HostOptions): Promise<RunningHost> {
  const secret = opts.secret ?? randomBytes(24).toString('base64url')
  const app = Fastify({ logger: false, bodyLimit: 256 * 1024, forceCloseConnections: true })
  await app.register(websocket)
  const rendererRoot = resolve(opts.rendererDir)
  let guard = createGuard(opts.port ?? 0, secret)
  const firstCode = randomBytes(24).toString('base64url')
  let oneTimeCode: string | null = firstCode
  const cookie = `${SECRET_COOKIE}=${secret}; HttpOnly; SameSite=Strict; Path=/`
  const authorised = (req: FastifyRequest) => guard.secretMatches(bearer(req.headers.authorization) ?? cookieValue(req.headers.cookie, SECRET_COOKIE))

  app.addHook('onRequest', async (req, reply) => {
    if (!guard.hostAllowed(req.headers.host)) return reply.code(403).send({ error: 'forbidden', message: 'Wrong Host header' })
    if (!guard.originAllowed(req.headers.origin)) return reply.code(403).send({ error: 'forbidden', message: 'Wrong Origin' })
  })

  const rpc = async (method: string, req: FastifyRequest, reply: FastifyReply) => {
    if (!authorised(req)) {
      return reply.code(401).send({ error: 'unauthorized', message: 'Missing or wrong host secret' })
    }
    return opts.till.dispatch(method, req.body ?? {})
  }
  app.post<{ Params: { method: string } }>('/rpc/:method', (req, reply) => rpc(req.params.method, req, reply))
  // The calls that may carry a picture or a file (a parent's photo, a product picture, a CSV
  // catalogue: base64 or text in JSON, 8 MB decoded): their own, larger limit. The secret is
  // checked before the body is read (onRequest), so only the page can send one.
  for (const method of RELAY_METHODS) {
    app.post(
      `/rpc/${method}`,
      {
        bodyLimit: RELAY_BODY_LIMIT,
        onRequest: async (req, reply) => {
          if (!authorised(req)) return reply.code(401).send({ error: 'unauthorized', message: 'Missing or wrong host secret' })
        },
      },
      (req, reply) => rpc(method, req, reply),
    )
  }

  app.get('/events', { websocket: true }, (socket, req) => {
    if (!authorised(req)) {
      socket.close(4401, 'unauthorized')
      return
    }
    const unsubscribe = opts.till.subscribe((message) => socket.send(JSON.stringify(message)))
    socket.on('close', unsubscribe)
  })

  app.get('/*', async (req, reply) => {
    const address = new URL(req.url, 'http://x')
    const path = decodeURIComponent(address.pathname)
    const code = address.searchParams.get(CODE_PARAM)
    if (code !== null) {
      // The code works once: whoever comes second (another local user who read it off the
      // command line, or a stale tab) is refused, and the window that came first is in.
      if (oneTimeCode === null || !sameText(code, oneTimeCode)) return reply.code(403).type('text/html; charset=utf-8').header('content-security-policy', CSP).send(USED_CODE_PAGE)
      oneTimeCode = null
      address.searchParams.delete(CODE_PARAM)
      // Off the address bar at once: the page loads from the same address without the code.
      return reply.header('set-cookie', cookie).header('cache-control', 'no-store').redirect(`${address.pathname}${address.search}`, 303)
    }
    // The page itself only for the window that holds the secret; its scripts and styles hold none.
    if ((path === '/' || path === '/index.html') && !authorised(req)) {
      return reply.code(403).type('text/html; charset=utf-8').header('content-security-policy', CSP).send(USED_CODE_PAGE)
    }
    const rel = path === '/' ? 'index.html' : normalize(path).replace(/^[/\\]+/, '')
    const file = join(rendererRoot, rel)
    if (!file.startsWith(rendererRoot + sep)) return reply.code(404).send()
    try {
      const body = await readFile(file)
      reply.header('content-type', TYPES[extname(file)] ?? 'application/octet-stream')
      reply.header('x-content-type-options', 'nosniff')
      if (file.endsWith('.html')) reply.header('content-security-policy', CSP).header('cache-control', 'no-store')
      return reply.send(body)
    } catch {
      return reply.code(404).send({ error: 'not-found', message: path })
    }
  })

  await app.listen({ host: '127.0.0.1', port: opts.port ?? 0 })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? 0)
  guard = createGuard(port, secret)
  const url = `http://127.0.0.1:${port}`
  return {
    url,
    openUrl: `${url}/?${CODE_PARAM}=${firstCode}`,
    port,
    secret,
    app,
    // Shutting down is not a conversation: the events sockets are cut, not asked to close (a
    // graceful close waits up to 30 s per socket for the page's answer).
    close: async () => {
      for (const client of app.websocketServer.clients) client.terminate()
      await app.close()
    },
  }
}
