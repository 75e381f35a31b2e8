/**
 * The message protocol between Electron main and the till core's utility process, both ends,
 * with no Electron at run time (so both ends are tested in plain Node).
 *
 *   main → core   { id, method, args }      one RPC call, relayed untouched from the renderer
 *                 { close: true }           close the till (SQLite, reader, sync) and exit
 *   core → main   { id, response }          the RpcResponse for call `id`
 *                 { event }                 an EventMessage from till.subscribe
 *
 * Main relays and never interprets: the core's `dispatch` is the single door that validates the
 * method and its argument (zod), exactly as it is for the host shell.
 */
import type { EventMessage, RpcResponse } from '../core/api/contract'
import type { Till } from '../core/till'

export interface CoreCall {
  id: number
  method: string
  args: unknown
}
export interface CoreClose {
  close: true
}
export type ToCore = CoreCall | CoreClose

export interface CoreAnswer {
  id: number
  response: RpcResponse<unknown>
}
export interface CoreEvent {
  event: EventMessage
}
export type FromCore = CoreAnswer | CoreEvent

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

function isRpcResponse(value: unknown): value is RpcResponse<unknown> {
  if (!isObject(value)) return false
  if (value.ok === true) return 'value' in value
  return value.ok === false && isObject(value.error) && typeof value.error.code === 'string' && typeof value.error.message === 'string'
}

export function isCoreAnswer(message: unknown): message is CoreAnswer {
  return isObject(message) && Number.isSafeInteger(message.id) && isRpcResponse(message.response)
}

export function isCoreEvent(message: unknown): message is CoreEvent {
  return isObject(message) && isObject(message.event) && typeof message.event.event === 'string' && 'payload' in message.event
}

export function isCoreCall(message: unknown): message is CoreCall {
  return isObject(message) && Number.isSafeInteger(message.id) && typeof message.method === 'string'
}

export function isCoreClose(message: unknown): message is CoreClose {
  return isObject(message) && message.close === true
}

// ---- main's end -------------------------------------------------------------------------------

export interface Relay {
  /** Sends one call to the core; resolves with its answer, or with an `internal` error if the core stops first. */
  call(method: string, args: unknown): Promise<RpcResponse<unknown>>
  /** Feeds a message from the core; returns the event it carried, if any. */
  receive(message: unknown): EventMessage | null
  /** The core went away: every call still waiting gets `message` as an `internal` error. */
  failAll(message: string): void
  readonly pending: number
}

/**
 * Request ids are main's own counter, never the renderer's: an answer can only reach the call
 * that asked for it. No timeout on purpose: a sale that takes long must not be reported as
 * failed while the core still commits it; a core that dies fails its calls through failAll.
 */
export function createRelay(post: (message: ToCore) => void): Relay {
  let nextId = 1
  const waiting = new Map<number, (response: RpcResponse<unknown>) => void>()
  return {
    call(method, args) {
      const id = nextId++
      return new Promise((resolve) => {
        waiting.set(id, resolve)
        try {
          post({ id, method, args })
        } catch (err) {
          waiting.delete(id)
          resolve({ ok: false, error: { code: 'internal', message: `The till engine is not running (${String(err).slice(0, 120)})` } })
        }
      })
    },
    receive(message) {
      if (isCoreAnswer(message)) {
        const resolve = waiting.get(message.id)
        waiting.delete(message.id)
        resolve?.(message.response)
        return null
      }
      if (isCoreEvent(message)) return message.event
      return null
    },
    failAll(message) {
      const all = [...waiting.values()]
      waiting.clear()
      for (const resolve of all) resolve({ ok: false, error: { code: 'internal', message } })
    },
    get pending() {
      return waiting.size
    },
  }
}

// ---- the core's end ---------------------------------------------------------------------------

/** What the utility process's `process.parentPort` offers (Electron's ParentPort), reduced to what we use. */
export interface ParentPortLike {
  on(event: 'message', listener: (messageEvent: { data: unknown }) => void): unknown
  postMessage(message: FromCore): void
}

/**
 * Serves a till over the parent port. The listener is attached at once (messages sent before
 * the till has opened wait on the promise, in order), so main may call before the core is ready.
 * `exit` is called after `{ close: true }` has closed the till, or when the till failed to open.
 */
export function serveTill(
  port: ParentPortLike,
  opening: Promise<Till>,
  exit: (code: number) => void,
  log: (msg: string, err?: unknown) => void = () => {},
): void {
  let closing = false
  opening.then(
    (till) => {
      till.subscribe((event) => port.postMessage({ event }))
    },
    (err: unknown) => {
      // Main sees the exit and restarts the core with a backoff; calls in flight fail there.
      log('the till failed to open', err)
      exit(1)
    },
  )
  port.on('message', ({ data }) => {
    if (isCoreClose(data)) {
      if (closing) return
      closing = true
      opening
        .then((till) => till.close())
        .then(
          () => exit(0),
          (err: unknown) => {
            log('closing the till failed', err)
            exit(1)
          },
        )
      return
    }
    if (!isCoreCall(data)) {
      log('ignored a message that is not a call')
      return
    }
    const { id, method, args } = data
    if (closing) {
      port.postMessage({ id, response: { ok: false, error: { code: 'internal', message: 'The till is closing' } } })
      return
    }
    const answer = (response: RpcResponse<unknown>) => port.postMessage({ id, response })
    opening.then(
      (till) =>
        till.dispatch(method, args).then(answer, (err: unknown) => {
          // dispatch turns handler faults into values; reaching here is a bug in the core.
          log(`${method} threw past dispatch`, err)
          answer({ ok: false, error: { code: 'internal', message: `${method} failed; the till logged the details` } })
        }),
      () => answer({ ok: false, error: { code: 'internal', message: 'The till could not open its data; it is restarting' } }),
    )
  })
}
