import type { RpcError } from './types'

/**
 * A call that did not produce a result: the core's own faults (`RpcError` codes) plus the ones
 * only a client can see: the host could not be reached, or answered something that is not an
 * RPC envelope. Business refusals are never errors; they come back as values.
 */
export type RpcCallErrorCode = RpcError['code'] | 'unreachable' | 'bad-response'

export class RpcCallError extends Error {
  override readonly name = 'RpcCallError'
  constructor(
    readonly code: RpcCallErrorCode,
    readonly method: string,
    message: string,
  ) {
    super(message)
  }
}

export function isRpcCallError(err: unknown, code?: RpcCallErrorCode): err is RpcCallError {
  return err instanceof RpcCallError && (code === undefined || err.code === code)
}
