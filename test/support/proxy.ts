/**
 * A fault-injecting HTTP proxy between a till and the server, on loopback. It can cut the
 * network (every connection refused, live sockets dropped), reset connections as they are
 * opened, and drop the answer of a push or an enrolment after the server committed it — the
 * moment that tests "exactly once".
 */
import http from 'node:http'
import net from 'node:net'
import type { AddressInfo } from 'node:net'

export interface FaultProxy {
  url: string
  /** Cut or restore the network between till and server. */
  setOffline(offline: boolean): void
  /** The next N push answers are swallowed after the server has answered (committed). */
  dropPushAnswers(n: number): void
  /** The next N enrolment answers are swallowed after the server has answered (committed). */
  dropEnrolAnswers(n: number): void
  /** The next N connections are reset (RST) as soon as they are accepted, before any request. */
  resetConnects(n: number): void
  /** Connections accepted so far (each new TCP connection the till opened). */
  readonly connects: number
  /** How many pushes reached the server. */
  readonly pushes: number
  /** The URL of every request forwarded, in order. */
  readonly requests: string[]
  /** Called with each request's URL before it is forwarded (the till has applied every earlier answer). */
  beforeRequest: ((url: string) => void) | null
  close(): Promise<void>
}

export async function startFaultProxy(targetUrl: string): Promise<FaultProxy> {
  const target = new URL(targetUrl)
  let offline = false
  let dropAnswers = 0
  let dropEnrol = 0
  let resets = 0
  let connects = 0
  let pushes = 0
  const sockets = new Set<net.Socket>()
  const proxy = { beforeRequest: null, requests: [] as string[] } as unknown as FaultProxy

  const server = http.createServer((req, res) => {
    if (offline) return req.socket.destroy()
    proxy.beforeRequest?.(req.url ?? '')
    proxy.requests.push(req.url ?? '')
    const isPush = req.url?.startsWith('/sync/push') ?? false
    if (isPush) pushes++
    const isEnrol = req.url === '/enrol'
    const upstream = http.request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (up) => {
        if ((isPush && dropAnswers > 0) || (isEnrol && dropEnrol > 0)) {
          if (isPush) dropAnswers--
          else dropEnrol--
          // Read the whole answer (the server has committed), then cut the till off without it.
          up.resume()
          up.on('end', () => req.socket.destroy())
          return
        }
        res.writeHead(up.statusCode ?? 502, up.headers)
        up.pipe(res)
      },
    )
    upstream.on('error', () => req.socket.destroy())
    req.pipe(upstream)
  })
  server.on('connection', (s) => {
    connects++
    if (resets > 0) {
      resets--
      return s.resetAndDestroy()
    }
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  // WebSocket (live channel): pass the upgrade through as raw TCP.
  server.on('upgrade', (req, socket, head) => {
    if (offline) return socket.destroy()
    const up = net.connect(Number(target.port), target.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`, ...Object.entries(req.headers).map(([k, v]) => `${k}: ${String(v)}`), '', '']
      up.write(lines.join('\r\n'))
      up.write(head)
      up.pipe(socket)
      socket.pipe(up)
    })
    const kill = () => {
      up.destroy()
      socket.destroy()
    }
    up.on('error', kill)
    socket.on('error', kill)
    sockets.add(up)
    up.on('close', () => sockets.delete(up))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  Object.defineProperties(proxy, Object.getOwnPropertyDescriptors({
    url: `http://127.0.0.1:${port}`,
    setOffline(value: boolean) {
      offline = value
      if (value) for (const s of sockets) s.destroy()
    },
    dropPushAnswers(n: number) {
      dropAnswers = n
    },
    dropEnrolAnswers(n: number) {
      dropEnrol = n
    },
    resetConnects(n: number) {
      resets = n
    },
    get connects() {
      return connects
    },
    get pushes() {
      return pushes
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy()
        server.close(() => r())
      }),
  }))
  return proxy
}
