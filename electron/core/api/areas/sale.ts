import { z } from 'zod'
import type { Ore } from '../../../../domain/money'
import type { RefusalReason } from '../../../../domain/refusal'
import { cardNumber, id } from './area'
import type { CardInfo } from './card'

export type SaleOutcome =
  | { ok: true; saleId: string; total: Ore; balanceAfter: Ore; card: CardInfo }
  | {
      ok: false
      reason: RefusalReason | 'card-number-invalid' | 'empty-basket' | 'product-unknown' | 'quantity-too-large' | 'total-too-large'
      total: Ore
      productId?: string
      left?: Ore
      /** The cap a basket broke: pieces of one product (quantity-too-large) or øre (total-too-large). */
      cap?: number
      card?: CardInfo
    }

/**
 * What became of a sale attempt the renderer lost the answer to: recorded (the approval, with
 * the card as it is now) or not recorded at all (a refusal is never stored; ring it up again).
 */
export type SaleAttempt = { recorded: true; outcome: Extract<SaleOutcome, { ok: true }> } | { recorded: false }

export interface SaleSummary {
  saleId: string
  at: string
  cardNumber: string
  holderName: string
  total: Ore
  lines: { productId: string; name: string; qty: number; unitPrice: Ore }[]
  /** pending: in the outbox; sent: the server applied it; rejected: set aside with a reason. */
  sync: 'pending' | 'sent' | 'rejected'
  rejectReason: string | null
}

export const saleMethods = {
  'sale.record': {
    input: z
      .object({
        /**
         * The renderer's key for this basket attempt: a retry of the same basket sends the same
         * id, and the till answers with the first outcome instead of charging again. Required:
         * a caller that could forget it could charge a pupil twice.
         */
        saleId: z.uuid(),
        cardNumber,
        lines: z.array(z.object({ productId: id, qty: z.number().int().min(1).max(99) }).strict()).min(1).max(100),
      })
      .strict(),
  },
  'sale.outcome': { input: z.object({ saleId: z.uuid() }).strict() },
  'sale.recent': { input: z.object({ limit: z.number().int().min(1).max(200).default(20) }).strict() },
} as const

export interface SaleResults {
  'sale.record': SaleOutcome
  'sale.outcome': SaleAttempt
  'sale.recent': SaleSummary[]
}
