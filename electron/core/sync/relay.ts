/**
 * The core's relays of a server API: one request as the page asked for it, answered as it came
 * (status and JSON), nothing of it kept here. Two users, each with its own path prefix and
 * credentials: the parent kiosk relays /guardian/* (its device token in `Kantine-Kiosk`, the
 * guardian's session as a bearer; handlers/guardian.ts), and a till in manager mode relays
 * /manager/* (its device token as the bearer, the manager's session in `Kantine-Manager`;
 * handlers/manager.ts). The path check is on the parsed address, so no prefix can be escaped.
 */
import { Agent, fetch } from 'undici'
import type { GuardianRelayAnswer } from '../api/contract'
import { CONNECT_TIMEOUT_MS, PROTOCOL_HEADERS } from './http'

export const KIOSK_HEADER = 'Kantine-Kiosk'
export const MANAGER_HEADER = 'Kantine-Manager'

export type RelayMethod = 'GET' | 'POST' | 'PUT' | 'DELETE'
/** What a relay answers: the server's status and JSON body, or status 0 when it could not be reached. */
export type RelayAnswer = GuardianRelayAnswer

export interface RelayRequest {
  method: RelayMethod
  path: string
  query?: Record<string, string>
  body?: unknown
  session?: string
}

export interface RelayOptions {
  serverUrl: string
  deviceToken: string
  /** Whole request (default 30 s: a photo upload on a slow line). */
  timeoutMs?: number
}

const agent = new Agent({ connect: { timeout: CONNECT_TIMEOUT_MS } })

/**
 * The server address for a relayed path, or null when it would leave `prefix` (default
 * '/guardian/'): the URL parser turns `%2e%2e` into `..`, so the check is on the parsed
 * address, not on the text.
 */
export function relayUrl(serverUrl: string, path: string, query?: Record<string, string>, prefix = '/guardian/'): URL | null {
  const base = new URL(serverUrl)
  const root = base.pathname.replace(/\/$/, '')
  const url = new URL(root + path, base)
  if (url.origin !== base.origin || !url.pathname.startsWith(`${root}${prefix}`)) return null
  for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v)
  return url
}

const unreachable = (message: string): RelayAnswer => ({ status: 0, body: { error: 'server-unreachable', message } })

export interface SendOptions {
  method: RelayMethod
  /** Built by `relayUrl` (so it stays under its prefix). */
  url: URL
  headers: Record<string, string>
  body?: unknown
  timeoutMs?: number
  /** A text/csv answer comes back as its text (the manager's CSV export); otherwise only JSON is taken. */
  acceptCsv?: boolean
}

/** One request to the server, answered as it came; a network failure or a cut-off answer is status 0. */
export async function relaySend(opts: SendOptions): Promise<RelayAnswer> {
  const headers: Record<string, string> = { ...opts.headers, ...PROTOCOL_HEADERS, accept: 'application/json' }
  const hasBody = opts.body !== undefined && opts.method !== 'GET'
  if (hasBody) headers['content-type'] = 'application/json'
  let res: Awaited<ReturnType<typeof fetch>>
  try {
    res = await fetch(opts.url, {
      method: opts.method,
      headers,
      body: hasBody ? JSON.stringify(opts.body) : undefined,
      dispatcher: agent,
      redirect: 'manual',
      signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
    })
  } catch (err) {
    return unreachable(`Server not reachable: ${(err as Error).message}`)
  }
  const text = await res.text().catch(() => null)
  if (text === null) return unreachable('The answer was cut off')
  if (text === '') return { status: res.status, body: null }
  if (opts.acceptCsv && /^text\/csv\b/i.test(res.headers.get('content-type') ?? '')) return { status: res.status, body: text }
  try {
    return { status: res.status, body: JSON.parse(text) as unknown }
  } catch {
    return { status: res.status, body: { error: 'bad-answer', message: `The server answered ${res.status} without JSON` } }
  }
}

/** The kiosk's relay of /guardian/*; null when the path would leave it. */
export async function relayGuardianRequest(req: RelayRequest, opts: RelayOptions): Promise<RelayAnswer | null> {
  const url = relayUrl(opts.serverUrl, req.path, req.query)
  if (!url) return null
  const headers: Record<string, string> = { [KIOSK_HEADER]: opts.deviceToken }
  if (req.session) headers.authorization = `Bearer ${req.session}`
  return relaySend({ method: req.method, url, headers, body: req.body, timeoutMs: opts.timeoutMs })
}

/**
 * A till's relay of /manager/*: the till's device token as the bearer and, once unlocked, the
 * manager's session in `Kantine-Manager`. Null when the path would leave /manager/.
 */
export async function relayManagerRequest(req: RelayRequest, opts: RelayOptions): Promise<RelayAnswer | null> {
  const url = relayUrl(opts.serverUrl, req.path, req.query, '/manager/')
  if (!url) return null
  const headers: Record<string, string> = { authorization: `Bearer ${opts.deviceToken}` }
  if (req.session) headers[MANAGER_HEADER] = req.session
  return relaySend({ method: req.method, url, headers, body: req.body, timeoutMs: opts.timeoutMs, acceptCsv: true })
}
