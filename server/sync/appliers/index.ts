/**
 * Every mutation kind a till may push, and its applier. A new kind (`sale.void`, an order
 * hand-out, a day close) is a file beside sale-record.ts and one line here; the push loop
 * (sync/push.ts) and its exactly-once bookkeeping stay as they are. A kind not listed here is
 * rejected (`kind-unknown`), never a 400: a newer till's outbox must not stall.
 */
import type { MutationKind } from '../../../domain/sync'
import { dayClose } from './day-close'
import { orderHandout } from './order-handout'
import { saleRecord } from './sale-record'
import { saleVoid } from './sale-void'
import type { Applier } from './types'

export const APPLIERS: Readonly<Record<MutationKind, Applier>> = {
  'sale.record': saleRecord,
  'sale.void': saleVoid,
  'day.close': dayClose,
  'order.handout': orderHandout,
}

export function applierOf(kind: string): Applier | undefined {
  return Object.hasOwn(APPLIERS, kind) ? APPLIERS[kind as MutationKind] : undefined
}

export type { Applier, Checked, MutationOutcome } from './types'
