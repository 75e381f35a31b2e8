import type { Handlers } from '../api/dispatch'
import { RpcFault } from '../api/dispatch'
import { appHandlers } from './app'
import { cardHandlers } from './card'
import { catalogHandlers } from './catalog'
import type { HandlerContext } from './context'
import { enrolmentHandlers } from './enrolment'
import { guardianHandlers } from './guardian'
import { managerHandlers } from './manager'
import { pickupHandlers } from './pickup'
import { readerHandlers } from './reader'
import { reportHandlers } from './report'
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

/**
 * A parent kiosk stands where anyone walks by: every method of the counter (staff sign-in,
 * sales, cards, the catalogue) answers 'forbidden', whatever is asked, before it reads a thing.
 * The kind is read at each call: a terminal enrolled as a kiosk at first run (handlers/enrolment.ts)
 * refuses the counter from that answer on, without a restart.
 */
export function counterOnly<T extends object>(ctx: HandlerContext, area: T): T {
  const guarded: Record<string, unknown> = {}
  for (const [name, handler] of Object.entries(area) as [string, (args: unknown) => unknown][]) {
    guarded[name] = (args: unknown) => {
      if (ctx.terminalKind !== 'till') throw new RpcFault('forbidden', `${name}: a parent kiosk does not serve the counter`)
      return handler(args)
    }
  }
  return guarded as T
}

export function createHandlers(ctx: HandlerContext): Handlers {
  const app = appHandlers(ctx)
  const staff = counterOnly(ctx, staffHandlers(ctx))
  const catalog = counterOnly(ctx, catalogHandlers(ctx))
  const card = counterOnly(ctx, cardHandlers(ctx))
  const sale = counterOnly(ctx, saleHandlers(ctx))
  const sync = syncHandlers(ctx)
  const reader = readerHandlers(ctx)
  const report = counterOnly(ctx, reportHandlers(ctx))
  const guardian = guardianHandlers(ctx)
  const pickup = counterOnly(ctx, pickupHandlers(ctx))
  const enrolment = enrolmentHandlers(ctx)
  const manager = counterOnly(ctx, managerHandlers(ctx))
  const all = joinHandlers<object>(app, staff, catalog, card, sale, sync, reader, guardian, report, pickup, enrolment, manager)
  // `satisfies` proves every method of the contract has a handler of the right type.
  return all as typeof app & typeof staff & typeof catalog & typeof card & typeof sale & typeof sync & typeof reader & typeof guardian & typeof report & typeof pickup & typeof enrolment & typeof manager satisfies Handlers
}
