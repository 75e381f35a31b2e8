import websocket from '@fastify/websocket'
import Fastify, { type FastifyInstance } from 'fastify'
import { randomBytes } from 'node:crypto'
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

export interface RunningHost {
  url: string
  /** The address to open: the URL with the secret the page needs. */
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
}

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

/**
 * The host shell: the same core and RPC contract as Electron, over HTTP (calls) and WebSocket
 * (events), on 127.0.0.1 only. It is how Kantine runs in a plain Chromium.
 */
export async function startHost(opts: HostOptions): Promise<RunningHost> {
  const secret = opts.secret ?? randomBytes(24).toString('base64url')
  const app = Fastify({ logger: false, bodyLimit: 256 * 1024 })
  await app.register(websocket)
  const rendererRoot = resolve(opts.rendererDir)
  let guard = createGuard(opts.port ?? 0, secret)

  app.addHook('onRequest', async (req, reply) => {
    if (!guard.hostAllowed(req.headers.host)) return reply.code(403).send({ error: 'forbidden', message: 'Wrong Host header' })
    if (!guard.originAllowed(req.headers.origin)) return reply.code(403).send({ error: 'forbidden', message: 'Wrong Origin' })
  })

  app.post<{ Params: { method: string } }>('/rpc/:method', async (req, reply) => {
    if (!guard.secretMatches(bearer(req.headers.authorization))) {
      return reply.code(401).send({ error: 'unauthorized', message: 'Missing or wrong host secret' })
    }
    return opts.till.dispatch(req.params.method, req.body ?? {})
  })

  app.get('/events', { websocket: true }, (socket, req) => {
    const presented = new URL(req.url, 'http://x').searchParams.get('secret')
    if (!guard.secretMatches(presented)) {
      socket.close(4401, 'unauthorized')
      return
    }
    const unsubscribe = opts.till.subscribe((message) => socket.send(JSON.stringify(message)))
    socket.on('close', unsubscribe)
  })

  app.get('/*', async (req, reply) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname)
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
    openUrl: `${url}/?secret=${encodeURIComponent(secret)}`,
    port,
    secret,
    app,
    close: () => app.close(),
  }
}
