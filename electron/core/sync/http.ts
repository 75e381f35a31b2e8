import { Agent, fetch } from 'undici'
import type { z } from 'zod'
import {
  EnrolResponse,
  type EnrolRequest,
  ErrorBody,
  PROTOCOL_VERSION,
  PullResponse,
  PushResponse,
  SCHEMA_VERSION,
  PhotoResponse,
  SnapshotLine,
  SnapshotResponse,
  type Mutation,
  type TerminalKind,
} from '../../../domain/sync'
import { PROTOCOL_HEADER, PROTOCOL_VERSION as TILL_PROTOCOL } from '../../../domain/protocol'

/** The server answered with an error status: the request arrived, so the till is online. */
export class SyncHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/** The server could not be reached (refused, reset, timed out): the till is offline. */
export class SyncNetworkError extends Error {}

export interface SyncClient {
  push(mutations: Mutation[]): Promise<PushResponse>
  pull(cursor: string, limit: number): Promise<PullResponse>
  /** Everything the till holds as of one moment (a till that has never pulled). */
  snapshot(): Promise<SnapshotResponse>
  /**
   * The same snapshot as it arrives, line by line, each line checked (domain/sync.ts
   * SnapshotLine): the till stores it chunk by chunk instead of holding it whole. A server that
   * answers with the whole JSON instead (one before lines) is read whole and given as lines.
   */
  snapshotLines?(): AsyncIterable<SnapshotLine>
  /** A holder's photo by id. */
  photo(id: string): Promise<PhotoResponse>
}

export interface HttpOptions {
  serverUrl: string
  timeoutMs?: number
  /** How long opening a connection may take (default CONNECT_TIMEOUT_MS). */
  connectTimeoutMs?: number
}

/**
 * A connection that is not up within this time is given up and the request fails at once (and
 * is retried by the engine's backoff), instead of waiting out the whole request timeout: after a
 * reset at connect time a till must drain within a second or two of the link coming back, not
 * in 15 s. Well below the request timeout, well above a connect on a slow LAN.
 */
export const CONNECT_TIMEOUT_MS = 2500

const agents = new Map<number, Agent>()
function agentFor(connectTimeoutMs = CONNECT_TIMEOUT_MS): Agent {
  let agent = agents.get(connectTimeoutMs)
  if (!agent) {
    agent = new Agent({ connect: { timeout: connectTimeoutMs } })
    agents.set(connectTimeoutMs, agent)
  }
  return agent
}

type RequestInit = { method: string; headers: Record<string, string>; body?: string; timeoutMs?: number; connectTimeoutMs?: number }
type Response = Awaited<ReturnType<typeof fetch>>

/**
 * Said on every request to the server (domain/protocol.ts): a server that no longer speaks this
 * till's protocol answers 426 with a message the sync status shows as it is.
 */
export const PROTOCOL_HEADERS: Readonly<Record<string, string>> = { [PROTOCOL_HEADER]: String(TILL_PROTOCOL) }

async function send(url: string, init: RequestInit): Promise<{ res: Response; signal: AbortSignal }> {
  const { timeoutMs, connectTimeoutMs, ...rest } = init
  rest.headers = { ...rest.headers, ...PROTOCOL_HEADERS }
  const signal = AbortSignal.timeout(timeoutMs ?? 15_000)
  for (let attempt = 1; ; attempt++) {
    try {
      return { res: await fetch(url, { ...rest, dispatcher: agentFor(connectTimeoutMs), signal }), signal }
    } catch (err) {
      // One more try at once, on a new connection, when the connection failed (reset at connect,
      // a pooled socket the other side had closed, a connect timeout): a link that is back must
      // not wait for the engine's backoff. Every sync request is safe to repeat: a push is
      // answered from the stored results, an enrolment by its request id, the rest are reads.
      if (attempt >= 2 || signal.aborted) throw new SyncNetworkError(`Server not reachable: ${describe(err)}`, { cause: err })
    }
  }
}

async function request<S extends z.ZodType>(url: string, init: RequestInit, schema: S): Promise<z.output<S>> {
  const { res } = await send(url, init)
  return checked(res, schema)
}

/** The answer's body, read whole and checked against `schema`; an error status as SyncHttpError. */
async function checked<S extends z.ZodType>(res: Response, schema: S): Promise<z.output<S>> {
  let body: unknown
  try {
    body = await res.json()
  } catch (err) {
    if (!res.ok) throw new SyncHttpError(res.status, 'http-error', `Server answered ${res.status}`)
    throw new SyncNetworkError(`Answer cut off: ${(err as Error).message}`)
  }
  if (!res.ok) {
    const e = ErrorBody.safeParse(body)
    throw new SyncHttpError(res.status, e.success ? e.data.error : 'http-error', e.success ? e.data.message : `Server answered ${res.status}`)
  }
  // The till trusts nothing it did not check: a page that does not match the wire format is refused whole.
  const parsed = schema.safeParse(body)
  if (!parsed.success) throw new SyncHttpError(res.status, 'bad-answer', `The server's answer does not match protocol ${PROTOCOL_VERSION}`)
  return parsed.data
}

/**
 * GET /sync/snapshot as NDJSON (domain/sync.ts SnapshotLine), line by line as the bytes arrive:
 * at most one line (one chunk of accounts or cards) and the bytes after it are held at a time.
 * Each line is checked before it is given out; a line that does not match, or a body that ends
 * before its `end` line, fails the whole snapshot (the caller applies nothing). A server that
 * answers with the whole JSON (it predates the lines) is read whole and given out as lines.
 */
async function* snapshotLines(url: string, init: RequestInit): AsyncGenerator<SnapshotLine> {
  const { res } = await send(url, init)
  if (!res.ok || !/^application\/x-ndjson\b/.test(res.headers.get('content-type') ?? '')) {
    const whole = await checked(res, SnapshotResponse)
    const { accounts, cards, ...head } = whole
    yield { head }
    yield { accounts }
    yield { cards }
    yield { end: { accounts: accounts.id.length, cards: cards.number.length } }
    return
  }
  if (!res.body) throw new SyncNetworkError('Answer cut off: no body')
  const decoder = new TextDecoder()
  let rest = ''
  let ended = false
  const line = (text: string): SnapshotLine => {
    if (ended) throw new SyncHttpError(res.status, 'bad-answer', 'The snapshot goes on after its end')
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      throw new SyncHttpError(res.status, 'bad-answer', `The server's answer does not match protocol ${PROTOCOL_VERSION}`)
    }
    const parsed = SnapshotLine.safeParse(json)
    if (!parsed.success) throw new SyncHttpError(res.status, 'bad-answer', `The server's answer does not match protocol ${PROTOCOL_VERSION}`)
    if ('end' in parsed.data) ended = true
    return parsed.data
  }
  try {
    for await (const bytes of res.body) {
      rest += decoder.decode(bytes, { stream: true })
      for (let nl = rest.indexOf('\n'); nl >= 0; nl = rest.indexOf('\n')) {
        const text = rest.slice(0, nl)
        rest = rest.slice(nl + 1)
        if (text.trim()) yield line(text)
      }
    }
  } catch (err) {
    if (err instanceof SyncHttpError) throw err
    throw new SyncNetworkError(`Answer cut off: ${(err as Error).message}`)
  }
  rest += decoder.decode()
  if (rest.trim()) yield line(rest)
  if (!ended) throw new SyncNetworkError('Answer cut off: the snapshot has no end')
}

/** undici's message ("fetch failed") says little; its cause says what happened (ECONNRESET, UND_ERR_CONNECT_TIMEOUT). */
function describe(err: unknown): string {
  const e = err as Error & { cause?: Error & { code?: string } }
  return e.cause ? `${e.message} (${e.cause.code ?? e.cause.message})` : e.message
}

export function createSyncClient(opts: HttpOptions & { token: string }): SyncClient {
  const base = opts.serverUrl.replace(/\/$/, '')
  const headers = { authorization: `Bearer ${opts.token}` }
  return {
    push: (mutations) =>
      request(
        `${base}/sync/push`,
        {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify({ protocol: PROTOCOL_VERSION, schema: SCHEMA_VERSION, mutations }),
          timeoutMs: opts.timeoutMs,
          connectTimeoutMs: opts.connectTimeoutMs,
        },
        PushResponse,
      ),
    pull: (cursor, limit) =>
      request(
        `${base}/sync/pull?${new URLSearchParams({ cursor, limit: String(limit), protocol: String(PROTOCOL_VERSION), schema: String(SCHEMA_VERSION) })}`,
        { method: 'GET', headers, timeoutMs: opts.timeoutMs, connectTimeoutMs: opts.connectTimeoutMs },
        PullResponse,
      ),
    snapshot: () =>
      request(
        `${base}/sync/snapshot?${new URLSearchParams({ protocol: String(PROTOCOL_VERSION), schema: String(SCHEMA_VERSION) })}`,
        // A municipality of 50,000 pupils is a few seconds' download on a slow line.
        { method: 'GET', headers, timeoutMs: Math.max(opts.timeoutMs ?? 0, 120_000), connectTimeoutMs: opts.connectTimeoutMs },
        SnapshotResponse,
      ),
    snapshotLines: () =>
      snapshotLines(
        `${base}/sync/snapshot?${new URLSearchParams({ protocol: String(PROTOCOL_VERSION), schema: String(SCHEMA_VERSION), format: 'ndjson' })}`,
        { method: 'GET', headers, timeoutMs: Math.max(opts.timeoutMs ?? 0, 120_000), connectTimeoutMs: opts.connectTimeoutMs },
      ),
    photo: (id) =>
      request(
        `${base}/sync/photos/${encodeURIComponent(id)}?${new URLSearchParams({ protocol: String(PROTOCOL_VERSION), schema: String(SCHEMA_VERSION) })}`,
        { method: 'GET', headers, timeoutMs: opts.timeoutMs, connectTimeoutMs: opts.connectTimeoutMs },
        PhotoResponse,
      ),
  }
}

export interface EnrolOptions extends HttpOptions {
  code: string
  name: string
  /** Made once per enrolment and kept by the till before it is first sent: a retry is the same request. */
  requestId: string
  /** The first outbox seq the till will push under the new terminal. */
  nextSeq: number
  /** What this terminal was started as; the server refuses a code of the other kind. */
  kind?: TerminalKind
}

export function enrol(opts: EnrolOptions): Promise<EnrolResponse> {
  const body: EnrolRequest = { code: opts.code, name: opts.name, requestId: opts.requestId, nextSeq: opts.nextSeq, ...(opts.kind ? { kind: opts.kind } : {}) }
  return request(
    `${opts.serverUrl.replace(/\/$/, '')}/enrol`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      timeoutMs: opts.timeoutMs,
      connectTimeoutMs: opts.connectTimeoutMs,
    },
    EnrolResponse,
  )
}
