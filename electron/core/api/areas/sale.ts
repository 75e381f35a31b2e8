import { z } from 'zod'
import { ALLERGENS, Allergen } from '../../../../domain/allergens'
import type { Ore } from '../../../../domain/money'
import type { RefusalReason } from '../../../../domain/refusal'
import { VoidReason } from '../../../../domain/sync'
import { cardNumber, id } from './area'
import type { CardInfo } from './card'

/** A product of the basket with allergens the child on the card must not have (domain/allergens.ts order). */
export interface AllergenConflict {
  productId: string
  allergens: Allergen[]
}

export type SaleOutcome =
  | { ok: true; saleId: string; total: Ore; balanceAfter: Ore; card: CardInfo }
  /**
   * The sale would be approved, but products of the basket contain allergens the child must not
   * have: nothing is recorded until the cashier confirms these very conflicts (`allergensConfirmed`)
   * or takes the products out. Only asked once every other rule has passed.
   */
  | { ok: false; reason: 'allergen-confirm'; total: Ore; conflicts: AllergenConflict[]; card: CardInfo }
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
 * A guest's cash payment (`sale.cash`), where the canteen allows it (the server's setting, pulled
 * with the location): no card, so no card rules; only what holds for every sale (known products
 * at this canteen's prices, the caps on one sale). Approved: the cashier takes `total` in cash.
 */
export type CashSaleOutcome =
  | { ok: true; saleId: string; total: Ore; payment: 'cash' }
  | { ok: false; reason: 'cash-not-allowed' | 'product-unknown' | 'quantity-too-large' | 'total-too-large'; total: Ore; productId?: string; cap?: number }

/**
 * What became of a sale attempt the renderer lost the answer to: recorded (the approval, with
 * the card as it is now) or not recorded at all (a refusal is never stored; ring it up again).
 */
export type SaleAttempt = { recorded: true; outcome: Extract<SaleOutcome, { ok: true }> } | { recorded: false }

export interface SaleSummary {
  saleId: string
  at: string
  /** How it was paid. A cash sale has no card: `cardNumber` and `holderName` are ''. */
  payment: 'card' | 'cash'
  cardNumber: string
  holderName: string
  total: Ore
  lines: { productId: string; name: string; qty: number; unitPrice: Ore }[]
  /** pending: in the outbox; sent: the server applied it; rejected: set aside with a reason. */
  sync: 'pending' | 'sent' | 'rejected'
  rejectReason: string | null
  /**
   * Voided at this till (by a manager's PIN), or null; with the void's own sync state: a void the
   * server set aside (`rejected`, with its reason) gave nothing back, and the screen says so.
   */
  voided: { at: string; reason: string; sync: 'pending' | 'sent' | 'rejected'; rejectReason: string | null } | null
  /** A sale of today that the server has not set aside and nobody voided yet: the screen offers to void it. */
  voidable: boolean
}

/**
 * What became of a void. Refused: the manager's PIN was wrong (or the till is locked after too
 * many wrong ones, as at sign-in), the PIN is not a manager's, or the sale cannot be voided here
 * (not this till's, not of today, set aside by the server, already voided).
 */
export type SaleVoidOutcome =
  | { ok: true; saleId: string; refunded: Ore; authorisedBy: { staffId: string; name: string } }
  | { ok: false; reason: 'pin-wrong' | 'pin-ambiguous' | 'not-a-manager' | 'sale-unknown' | 'not-today' | 'sale-rejected' | 'already-voided' | 'cash-sale' }
  | { ok: false; reason: 'locked'; retryAfterSeconds: number }

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
        /**
         * The cashier saw the allergen warning (`allergen-confirm`) and sells anyway: the conflicts
         * as they were shown. The sale goes through only if they cover every conflict the core finds
         * now (a pull may have brought another allergen meanwhile: then it asks again).
         */
        allergensConfirmed: z.literal(true).optional(),
        shownConflicts: z
          .array(z.object({ productId: id, allergens: z.array(Allergen).min(1).max(ALLERGENS.length) }).strict())
          .max(100)
          .optional(),
      })
      .strict()
      .refine((a) => (a.allergensConfirmed === true) === (a.shownConflicts !== undefined), 'allergensConfirmed and shownConflicts go together'),
  },
  /**
   * A guest pays cash for the basket (no card on the counter). `saleId` as for `sale.record`: a
   * retry of the same attempt is answered, never recorded twice.
   */
  'sale.cash': {
    input: z
      .object({
        saleId: z.uuid(),
        lines: z.array(z.object({ productId: id, qty: z.number().int().min(1).max(99) }).strict()).min(1).max(100),
      })
      .strict(),
  },
  'sale.outcome': { input: z.object({ saleId: z.uuid() }).strict() },
  'sale.recent': { input: z.object({ limit: z.number().int().min(1).max(200).default(20) }).strict() },
  /** Voids a sale of today at this till; the cashier stays signed in, the manager's PIN authorises it. */
  'sale.void': {
    input: z
      .object({
        saleId: z.uuid(),
        reason: z.string().trim().pipe(VoidReason),
        managerPin: z.string().regex(/^\d{4,8}$/, 'PIN is 4 to 8 digits'),
      })
      .strict(),
  },
} as const

export interface SaleResults {
  'sale.record': SaleOutcome
  'sale.cash': CashSaleOutcome
  'sale.outcome': SaleAttempt
  'sale.recent': SaleSummary[]
  'sale.void': SaleVoidOutcome
}
