import type { z } from 'zod'
import {
  EnrolResponse,
  ErrorBody,
  PROTOCOL_VERSION,
  PullResponse,
  PushResponse,
  SCHEMA_VERSION,
  PhotoResponse,
  SnapshotResponse,
  type Mutation,
} from '../../../domain/sync'

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
  /** A holder's photo by id. */
  photo(id: string): Promise<PhotoResponse>
}

export interface HttpOptions {
  serverUrl: string
  timeoutMs?: number
}

async function request<S extends z.ZodType>(
  url: string,
  init: RequestInit & { timeoutMs?: number },
  schema: S,
): Promise<z.output<S>> {
  let res: Response
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs ?? 15_000) })
  } catch (err) {
    throw new SyncNetworkError(`Server not reachable: ${(err as Error).message}`)
  }
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
        },
        PushResponse,
      ),
    pull: (cursor, limit) =>
      request(
        `${base}/sync/pull?${new URLSearchParams({ cursor, limit: String(limit), protocol: String(PROTOCOL_VERSION), schema: String(SCHEMA_VERSION) })}`,
        { method: 'GET', headers, timeoutMs: opts.timeoutMs },
        PullResponse,
      ),
    snapshot: () =>
      request(
        `${base}/sync/snapshot?${new URLSearchParams({ protocol: String(PROTOCOL_VERSION), schema: String(SCHEMA_VERSION) })}`,
        // A municipality of 50,000 pupils is a few seconds' download on a slow line.
        { method: 'GET', headers, timeoutMs: Math.max(opts.timeoutMs ?? 0, 120_000) },
        SnapshotResponse,
      ),
    photo: (id) =>
      request(
        `${base}/sync/photos/${encodeURIComponent(id)}?${new URLSearchParams({ protocol: String(PROTOCOL_VERSION), schema: String(SCHEMA_VERSION) })}`,
        { method: 'GET', headers, timeoutMs: opts.timeoutMs },
        PhotoResponse,
      ),
  }
}

export function enrol(opts: HttpOptions & { code: string; name: string }): Promise<EnrolResponse> {
  return request(
    `${opts.serverUrl.replace(/\/$/, '')}/enrol`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: opts.code, name: opts.name }),
      timeoutMs: opts.timeoutMs,
    },
    EnrolResponse,
  )
}
