/**
 * The kiosk's relay of the guardian API to the server (handlers/guardian.ts): one request as the
 * page asked for it, with the kiosk's own device token in `Kantine-Kiosk` beside the guardian's
 * session. The answer comes back as it came, status and JSON, and nothing of it is kept here.
 */
import { Agent, fetch } from 'undici'
import type { GuardianRelayAnswer } from '../api/contract'
import { CONNECT_TIMEOUT_MS } from './http'

export const KIOSK_HEADER = 'Kantine-Kiosk'

export interface RelayRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
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
 * The server address for a relayed path, or null when it would leave /guardian/: the URL parser
 * turns `%2e%2e` into `..`, so the check is on the parsed address, not on the text.
 */
export function relayUrl(serverUrl: string, path: string, query?: Record<string, string>): URL | null {
  const base = new URL(serverUrl)
  const url = new URL(base.pathname.replace(/\/$/, '') + path, base)
  if (url.origin !== base.origin || !url.pathname.startsWith(`${base.pathname.replace(/\/$/, '')}/guardian/`)) return null
  for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v)
  return url
}

const unreachable = (message: string): GuardianRelayAnswer => ({ status: 0, body: { error: 'server-unreachable', message } })

export async function relayGuardianRequest(req: RelayRequest, opts: RelayOptions): Promise<GuardianRelayAnswer | null> {
  const url = relayUrl(opts.serverUrl, req.path, req.query)
  if (!url) return null
  const headers: Record<string, string> = { [KIOSK_HEADER]: opts.deviceToken, accept: 'application/json' }
  if (req.session) headers.authorization = `Bearer ${req.session}`
  const hasBody = req.body !== undefined && req.method !== 'GET'
  if (hasBody) headers['content-type'] = 'application/json'
  let res: Awaited<ReturnType<typeof fetch>>
  try {
    res = await fetch(url, {
      method: req.method,
      headers,
      body: hasBody ? JSON.stringify(req.body) : undefined,
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
  try {
    return { status: res.status, body: JSON.parse(text) as unknown }
  } catch {
    return { status: res.status, body: { error: 'bad-answer', message: `The server answered ${res.status} without JSON` } }
  }
}
