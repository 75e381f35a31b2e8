import type { Handlers } from '../api/dispatch'
import { appHandlers } from './app'
import { cardHandlers } from './card'
import { catalogHandlers } from './catalog'
import type { HandlerContext } from './context'
import { readerHandlers } from './reader'
import { saleHandlers } from './sale'
import { staffHandlers } from './staff'
import { syncHandlers } from './sync'

/**
 * Joins the areas' handlers into the one object the dispatcher serves. Like the contract's
 * areas, a method handled by two areas stops the start rather than letting one shadow the other.
 */
export function joinHandlers<T extends object>(...areas: T[]): T {
  const joined: Record<string, unknown> = {}
  for (const area of areas) {
    for (const [name, handler] of Object.entries(area)) {
      if (Object.prototype.hasOwnProperty.call(joined, name)) throw new Error(`RPC method ${name} has two handlers`)
      joined[name] = handler
    }
  }
  return joined as T
}

export function createHandlers(ctx: HandlerContext): Handlers {
  const app = appHandlers(ctx)
  const staff = staffHandlers(ctx)
  const catalog = catalogHandlers(ctx)
  const card = cardHandlers(ctx)
  const sale = saleHandlers(ctx)
  const sync = syncHandlers(ctx)
  const reader = readerHandlers(ctx)
  const all = joinHandlers<object>(app, staff, catalog, card, sale, sync, reader)
  // `satisfies` proves every method of the contract has a handler of the right type.
  return all as typeof app & typeof staff & typeof catalog & typeof card & typeof sale & typeof sync & typeof reader satisfies Handlers
}
