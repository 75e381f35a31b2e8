/**
 * The webshop's view of the guardian API (server/orders/README.md is the source of truth; the
 * kiosk's page cannot import server code). Parsed with zod where the answers enter the page:
 * a screen that takes money must not show `NaN kr.` because a field was renamed. Unknown extra
 * fields are dropped, so the server may add to an answer without breaking an older kiosk.
 */
import { z } from 'zod'

const Ore = z.number().int()
const Text2 = z.object({ da: z.string(), en: z.string() })

export const CanteensSchema = z.object({ canteens: z.array(z.object({ id: z.string(), name: z.string() })) })
export type Canteen = z.infer<typeof CanteensSchema>['canteens'][number]

export const MenuSchema = z.object({
  locationId: z.string(),
  locationName: z.string(),
  day: z.string(),
  closed: z.boolean(),
  closedReason: z.string().nullable(),
  cutoffAt: z.string(),
  open: z.boolean(),
  /** The canteen's pickup times ('HH:MM'); none from a server before them: the order is for the day. */
  pickupTimes: z.array(z.string()).default([]),
  products: z.array(z.object({ id: z.string(), name: z.string(), categoryId: z.string(), price: Ore, permitted: z.boolean() })),
})
export type Menu = z.infer<typeof MenuSchema>
export type MenuProduct = Menu['products'][number]

/** Kept open (a string): a status a newer server adds must not break the list; the label comes with it. */
export const OrderViewSchema = z.object({
  id: z.string(),
  number: z.number().int(),
  accountId: z.string(),
  locationId: z.string(),
  locationName: z.string(),
  pickupDay: z.string(),
  pickupTime: z.string().nullable().default(null),
  status: z.string(),
  statusLabel: Text2,
  payment: z.enum(['canteen-card', 'payment-card']),
  total: Ore,
  captureAt: z.string().nullable(),
  cutoffAt: z.string(),
  cancellable: z.boolean(),
  failure: z.string().nullable(),
  createdAt: z.string(),
  lines: z.array(z.object({ lineNo: z.number().int(), productId: z.string(), name: z.string(), quantity: z.number().int(), unitPrice: Ore, handedOut: z.number().int() })),
})
export type OrderView = z.infer<typeof OrderViewSchema>
export const OrderListSchema = z.object({ orders: z.array(OrderViewSchema) })

/** GET /guardian/terms: the order terms if the server has them, else the top-up's payment terms. */
export const OrderTermsSchema = z.object({ version: z.string(), topUp: Text2, order: Text2.optional() })
export type OrderTerms = z.infer<typeof OrderTermsSchema>

export type OrderPayment = { kind: 'canteen-card' } | { kind: 'payment-card'; cardToken: string; acceptedTermsVersion: string }

export interface OrderBody {
  locationId: string
  day: string
  lines: { productId: string; quantity: number }[]
  /** One of the menu's pickupTimes; left out when the canteen has none. */
  pickupTime?: string
  payment: OrderPayment
}
