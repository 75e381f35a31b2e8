/**
 * `pickup.*`: the till's pickup mode (issue 15): the canteen's webshop orders of today, synced
 * down and read from the local store (works offline), hand-outs whole or in part, undo while a
 * hand-out is still held, and the kitchen's preparation list. Pickup staff and managers.
 */
import { z } from 'zod'
import type { OrderStatus } from '../../../../domain/sync'
import { cardNumber, id, noArgs } from './area'

export type { OrderStatus }

export interface PickupLineInfo {
  lineNo: number
  productId: string
  name: string
  quantity: number
  unitPrice: number
  handedOut: number
  handedOutBy: string | null
  handedOutAt: string | null
}

export interface PickupOrderInfo {
  id: string
  number: number
  accountId: string
  holderName: string
  photo: string | null
  pickupDay: string
  /** 'HH:MM' (Copenhagen) as the parent chose it; null: for the day. */
  pickupTime: string | null
  status: OrderStatus
  payment: 'canteen-card' | 'payment-card'
  total: number
  captureAt: string | null
  lines: PickupLineInfo[]
  complete: boolean
  /**
   * The server refused this till's hand-out: `already-handed-out: order … by <name> at <time>`
   * (another till was first) or another reason; `by` and `at` parsed out when it names them.
   */
  rejected: { reason: string; at: string; by: string | null; handedOutAt: string | null } | null
  /** A hand-out of this order this till can still take back (held): its id and until when. */
  undo: { handoutId: string; until: string } | null
}

export interface PickupList {
  day: string
  /** Grouped by status: ready to hand out, awaiting payment (warn), handed out, payment failed or cancelled; each by pickup time (none last), then number. */
  ready: PickupOrderInfo[]
  awaitingPayment: PickupOrderInfo[]
  handedOut: PickupOrderInfo[]
  notForPickup: PickupOrderInfo[]
}

export type PickupCardOrders =
  | { ok: true; cardNumber: string; holderName: string; orders: PickupOrderInfo[] }
  | { ok: false; reason: 'card-number-invalid' | 'unknown-card' }

export type HandoutResult =
  | { ok: true; handoutId: string; undoUntil: string; order: PickupOrderInfo }
  | { ok: false; reason: 'order-unknown' | 'order-not-today' | 'nothing-left' | 'line-unknown' | 'quantity-too-large' }
  | { ok: false; reason: 'order-not-paid'; status: OrderStatus }

export type UndoResult = { ok: true } | { ok: false; reason: 'handout-unknown' | 'already-sent' | 'undo-expired' }

export interface PreparationProduct {
  productId: string
  name: string
  quantity: number
  handedOut: number
}

export interface PreparationList {
  day: string
  /** The day's totals per product. */
  products: PreparationProduct[]
  /** The same per pickup time, earliest first; `pickupTime` null ("uden tidspunkt", for the day) last. They add up to `products`. */
  byPickupTime: { pickupTime: string | null; products: PreparationProduct[]; orderCount: number }[]
  orderCount: number
}

export const pickupMethods = {
  /** Today's orders of this till's canteen, grouped by status; `query` filters by name or order number. */
  'pickup.orders': { input: z.object({ query: z.string().trim().max(60).optional() }).strict() },
  /** The orders of today of the account a scanned card belongs to. */
  'pickup.card': { input: z.object({ cardNumber }).strict() },
  /** Hands out an order: every line left (`lines` absent) or the given lines and quantities. */
  'pickup.handout': {
    input: z
      .object({
        orderId: id,
        lines: z
          .array(z.object({ lineNo: z.number().int().min(1).max(200), quantity: z.number().int().min(1).max(20) }))
          .min(1)
          .max(50)
          .optional(),
      })
      .strict(),
  },
  /** Takes a hand-out back within the undo window, while it is not yet on its way to the server. */
  'pickup.undo': { input: z.object({ handoutId: id }).strict() },
  /** The kitchen's list: totals per product for today, and per pickup time. */
  'pickup.preparation': { input: noArgs },
} as const

export interface PickupResults {
  'pickup.orders': PickupList
  'pickup.card': PickupCardOrders
  'pickup.handout': HandoutResult
  'pickup.undo': UndoResult
  'pickup.preparation': PreparationList
}
