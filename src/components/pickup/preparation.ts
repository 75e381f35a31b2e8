/**
 * The kitchen's list as one table: a row per product, a column per pickup time (the orders
 * without one, "uden tidspunkt", last), the day's total and what is handed out. The core counts
 * per time (store/orders.ts preparationOf); this lays the counts out, so the columns add up to
 * the day's total in every row, and a product missing at a time shows 0 there.
 */
import type { Result } from '../../api/types'

export type Preparation = Result<'pickup.preparation'>

export interface PreparationTable {
  /** 'HH:MM', or null for "uden tidspunkt". Empty: no order has a time; the list is per day. */
  columns: (string | null)[]
  rows: { productId: string; name: string; perTime: number[]; quantity: number; handedOut: number }[]
  totals: { perTime: number[]; quantity: number; handedOut: number }
}

export function preparationTable(prep: Preparation): PreparationTable {
  const timed = prep.byPickupTime.some((s) => s.pickupTime !== null)
  const slots = timed ? prep.byPickupTime : []
  const rows = prep.products.map((p) => ({
    productId: p.productId,
    name: p.name,
    perTime: slots.map((s) => s.products.find((x) => x.productId === p.productId)?.quantity ?? 0),
    quantity: p.quantity,
    handedOut: p.handedOut,
  }))
  return {
    columns: slots.map((s) => s.pickupTime),
    rows,
    totals: {
      perTime: slots.map((_, i) => rows.reduce((n, r) => n + r.perTime[i]!, 0)),
      quantity: rows.reduce((n, r) => n + r.quantity, 0),
      handedOut: rows.reduce((n, r) => n + r.handedOut, 0),
    },
  }
}
