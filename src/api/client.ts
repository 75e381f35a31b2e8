import type { Args, EventName, Events, Method, Result, Transport } from './types'
import { RpcCallError } from './errors'

/** Methods whose argument is an empty object (or all optional) may be called without one. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- `{}` is exactly "no required keys" here
type ArgsParam<M extends Method> = {} extends Args<M> ? [args?: Args<M>] : [args: Args<M>]

export interface ApiClient {
  /** 'electron': the preload's bridge; 'host': HTTP + WebSocket (the host's cookie proves the page). */
  readonly kind: 'electron' | 'host'
  /** The method's result, or a thrown RpcCallError for a fault. Refusals are results, not faults. */
  call<M extends Method>(method: M, ...args: ArgsParam<M>): Promise<Result<M>>
  on<E extends EventName>(event: E, handler: (payload: Events[E]) => void): () => void
  /** The event stream came back (after a drop) or went away: views re-read what they show. */
  onConnection(listener: (up: boolean) => void): () => void
  /** Every fault, wherever it was caught: a lost session or an unreachable core is app-wide news. */
  onFault(listener: (error: RpcCallError) => void): () => void
  /** The core answered a call (with a value or a fault of its own): it is reachable again. */
  onAnswer(listener: () => void): () => void
}

export interface ConnectionFeed {
  emit(up: boolean): void
  subscribe(listener: (up: boolean) => void): () => void
}

export function createConnectionFeed(): ConnectionFeed {
  const listeners = new Set<(up: boolean) => void>()
  return {
    emit: (up) => listeners.forEach((l) => l(up)),
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}

export function createApiClient(kind: ApiClient['kind'], transport: Transport, connection: ConnectionFeed = createConnectionFeed()): ApiClient {
  const faultListeners = new Set<(error: RpcCallError) => void>()
  const answerListeners = new Set<() => void>()
  const fault = (error: RpcCallError): RpcCallError => {
    faultListeners.forEach((l) => l(error))
    return error
  }

  return {
    kind,
    async call<M extends Method>(method: M, ...rest: ArgsParam<M>): Promise<Result<M>> {
      const args = (rest[0] ?? {}) as Args<M>
      let response
      try {
        response = await transport.call(method, args)
      } catch (err) {
        throw fault(err instanceof RpcCallError ? err : new RpcCallError('unreachable', method, String(err)))
      }
      answerListeners.forEach((l) => l())
      if (response.ok) return response.value
      throw fault(new RpcCallError(response.error.code, method, response.error.message))
    },
    on(event, handler) {
      return transport.subscribe((message) => {
        if (message.event === event) handler(message.payload as Events[typeof event])
      })
    },
    onConnection: (listener) => connection.subscribe(listener),
    onFault(listener) {
      faultListeners.add(listener)
      return () => faultListeners.delete(listener)
    },
    onAnswer(listener) {
      answerListeners.add(listener)
      return () => answerListeners.delete(listener)
    },
  }
}
