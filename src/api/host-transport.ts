import type { Args, EventMessage, Method, Result, RpcResponse, Transport } from './types'
import { RpcCallError } from './errors'
import { backoffMs, eventsUrl } from './secret'

export interface HostTransportOptions {
  /** The page's origin, e.g. `http://127.0.0.1:5199`; the host serves the page and the RPC. */
  origin: string
  /** The events socket opened, or dropped (then it is being retried with backoff). */
  onConnection?: (up: boolean) => void
  fetch?: typeof fetch
  WebSocket?: typeof WebSocket
  setTimeout?: (fn: () => void, ms: number) => unknown
}

function isRpcResponse(value: unknown): value is RpcResponse<unknown> {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false
  const v = value as { ok: unknown; value?: unknown; error?: unknown }
  return v.ok === true ? 'value' in v : v.ok === false && typeof v.error === 'object' && v.error !== null
}

function isEventMessage(value: unknown): value is EventMessage {
  return typeof value === 'object' && value !== null && typeof (value as { event?: unknown }).event === 'string' && 'payload' in value
}

/**
 * The host shell's transport: `POST /rpc/<method>` with the per-launch secret in its cookie,
 * and one WebSocket for events that reconnects with backoff whenever it drops.
 */
export function createHostTransport(options: HostTransportOptions): Transport {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis)
  const Socket = options.WebSocket ?? globalThis.WebSocket
  const later = options.setTimeout ?? ((fn: () => void, ms: number) => globalThis.setTimeout(fn, ms))
  const listeners = new Set<(message: EventMessage) => void>()

  async function call<M extends Method>(method: M, args: Args<M>): Promise<RpcResponse<Result<M>>> {
    let response: Response
    try {
      response = await doFetch(`${options.origin}/rpc/${encodeURIComponent(method)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        // The host's HttpOnly cookie proves this page was opened by whoever launched the host.
        credentials: 'same-origin',
        body: JSON.stringify(args ?? {}),
      })
    } catch (err) {
      throw new RpcCallError('unreachable', method, `The till core did not answer: ${String(err)}`)
    }
    let body: unknown
    try {
      body = await response.json()
    } catch {
      body = undefined
    }
    if (isRpcResponse(body)) return body as RpcResponse<Result<M>>
    // The host refuses a wrong or stale secret (say, the host restarted) before any RPC runs.
    if (response.status === 401 || response.status === 403) throw new RpcCallError('forbidden', method, `HTTP ${response.status}: the host refused the secret`)
    throw new RpcCallError('bad-response', method, `HTTP ${response.status}: not an RPC response`)
  }

  let socket: WebSocket | null = null
  let attempt = 0
  function connect(): void {
    const ws = new Socket(eventsUrl(options.origin))
    socket = ws
    ws.addEventListener('open', () => {
      attempt = 0
      options.onConnection?.(true)
    })
    ws.addEventListener('message', (e: MessageEvent) => {
      let message: unknown
      try {
        message = JSON.parse(String(e.data))
      } catch {
        return
      }
      if (!isEventMessage(message)) return
      for (const listener of listeners) listener(message)
    })
    ws.addEventListener('close', () => {
      if (socket !== ws) return
      socket = null
      options.onConnection?.(false)
      later(connect, backoffMs(attempt++))
    })
  }
  connect()

  return {
    call,
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}
