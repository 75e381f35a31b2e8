import { z } from 'zod'
import type { Method, ParsedArgs, Result, RpcError, RpcResponse } from './contract'
import { isMethod, methods } from './contract'

export type Handlers = { [M in Method]: (args: ParsedArgs<M>) => Result<M> | Promise<Result<M>> }

/** A fault a handler raises on purpose (e.g. no cashier signed in); anything else is a bug. */
export class RpcFault extends Error {
  constructor(
    readonly code: RpcError['code'],
    message: string,
  ) {
    super(message)
  }
}

/**
 * The single door into the core. Both shells hand it the method name and the argument exactly
 * as received; it checks both against the contract before any handler runs, so a bad argument
 * from the renderer gets a clear error and changes nothing.
 */
export function createDispatcher(handlers: Handlers, onInternalError: (method: string, err: unknown) => void = () => {}) {
  return async function dispatch(method: string, rawArgs: unknown): Promise<RpcResponse<unknown>> {
    if (!isMethod(method)) return { ok: false, error: { code: 'unknown-method', message: `Unknown method: ${method.slice(0, 80)}` } }
    const parsed = methods[method].input.safeParse(rawArgs ?? {})
    if (!parsed.success) {
      return { ok: false, error: { code: 'bad-argument', message: `${method}: ${z.prettifyError(parsed.error)}` } }
    }
    try {
      const handler = handlers[method] as (args: unknown) => unknown
      return { ok: true, value: await handler(parsed.data) }
    } catch (err) {
      if (err instanceof RpcFault) return { ok: false, error: { code: err.code, message: err.message } }
      onInternalError(method, err)
      return { ok: false, error: { code: 'internal', message: `${method} failed; the till logged the details` } }
    }
  }
}

export type Dispatch = ReturnType<typeof createDispatcher>
