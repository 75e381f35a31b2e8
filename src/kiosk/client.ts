/**
 * The kiosk's (and later the parent portal's) one door to the guardian API. The views call
 * `request` with the server's own paths (`/guardian/accounts`, …); where the call goes is the
 * transport's business:
 * - `relayTransport`: through the till core (`guardian.request`), which adds the kiosk's
 *   credential. The kiosk page talks to no other origin.
 * - `fetchTransport`: straight to the server, for a web portal served by the server itself.
 *
 * The guardian's session token lives in this object's memory only: never in storage, so a
 * reload (the idle wipe) forgets it.
 */
import type { z } from 'zod'
import type { ApiClient } from '../api'

export type GuardianMethod = 'GET' | 'POST' | 'PUT' | 'DELETE'

export interface GuardianRequest {
  method: GuardianMethod
  path: string
  query?: Record<string, string>
  body?: unknown
  session?: string
}

/** The server's answer: status and JSON body; status 0 when it could not be reached. */
export interface GuardianAnswer {
  status: number
  body: unknown
}

export type GuardianTransport = (req: GuardianRequest) => Promise<GuardianAnswer>

/** A refusal or fault from the server: `code` is its `error` field (`account-blocked`, …), or `server-unreachable`. */
export class GuardianError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The whole body, for refusals that carry more (e.g. `retryAfterSeconds`). */
    readonly body: unknown = null,
  ) {
    super(message)
    this.name = 'GuardianError'
  }
}

export function relayTransport(api: ApiClient): GuardianTransport {
  return async (req) => {
    try {
      return await api.call('guardian.request', req)
    } catch (err) {
      return { status: 0, body: { error: 'server-unreachable', message: String(err) } }
    }
  }
}

export function fetchTransport(baseUrl: string): GuardianTransport {
  return async (req) => {
    const url = new URL(req.path, baseUrl)
    for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v)
    const headers: Record<string, string> = { accept: 'application/json' }
    if (req.body !== undefined) headers['content-type'] = 'application/json'
    if (req.session) headers.authorization = `Bearer ${req.session}`
    try {
      const res = await fetch(url, { method: req.method, headers, body: req.body === undefined ? undefined : JSON.stringify(req.body) })
      const text = await res.text()
      return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null }
    } catch (err) {
      return { status: 0, body: { error: 'server-unreachable', message: String(err) } }
    }
  }
}

export interface GuardianClient {
  /** The JSON body of a 2xx answer, else a thrown GuardianError. */
  request<T>(method: GuardianMethod, path: string, opts?: { query?: Record<string, string>; body?: unknown }): Promise<T>
  setSession(token: string | null): void
  readonly signedIn: boolean
}

function errorOf(answer: GuardianAnswer): GuardianError {
  const body = (answer.body ?? {}) as { error?: unknown; message?: unknown }
  const code = typeof body.error === 'string' ? body.error : answer.status === 0 ? 'server-unreachable' : `http-${answer.status}`
  const message = typeof body.message === 'string' ? body.message : code
  return new GuardianError(answer.status, code, message, answer.body)
}

export function createGuardianClient(transport: GuardianTransport): GuardianClient {
  let session: string | null = null
  return {
    async request<T>(method: GuardianMethod, path: string, opts: { query?: Record<string, string>; body?: unknown } = {}): Promise<T> {
      const answer = await transport({ method, path, ...opts, ...(session ? { session } : {}) })
      if (answer.status >= 200 && answer.status < 300) return answer.body as T
      throw errorOf(answer)
    },
    setSession(token) {
      session = token
    },
    get signedIn() {
      return session !== null
    },
  }
}

/**
 * A call whose 2xx answer is parsed with `schema` at the edge: an answer that does not match is
 * a GuardianError `answer-malformed`, never a screen showing `NaN kr.`.
 */
export async function parsedCall<S extends z.ZodType>(
  client: GuardianClient,
  schema: S,
  method: GuardianMethod,
  path: string,
  opts: { query?: Record<string, string>; body?: unknown } = {},
): Promise<z.infer<S>> {
  const body = await client.request<unknown>(method, path, opts)
  const parsed = schema.safeParse(body)
  if (!parsed.success) throw new GuardianError(200, 'answer-malformed', `The server's answer to ${method} ${path} was not understood`, body)
  return parsed.data
}

/** The path of one of the guardian's accounts. */
export const accountPath = (id: string) => `/guardian/accounts/${encodeURIComponent(id)}`
