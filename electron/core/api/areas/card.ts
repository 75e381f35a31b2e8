import { z } from 'zod'
import type { Allergen } from '../../../../domain/allergens'
import type { Ore } from '../../../../domain/money'
import { cardNumber } from './area'

export interface CardInfo {
  cardNumber: string
  accountId: string
  holderName: string
  photo: string | null
  /** The guardian's note to the staff ("Besked fra forælder"), or null: shown prominently. */
  note: string | null
  /**
   * The child's allergens (domain/allergens.ts codes), as a parent marked them: a sale of a product
   * with one of them needs the cashier's confirmation (sale.record's 'allergen-confirm').
   */
  allergens: Allergen[]
  balance: Ore
  status: 'active' | 'blocked'
  cardStatus: 'active' | 'replaced' | 'lost'
  /** What is left of each limit today / this week / this month; null where there is no limit. */
  left: { day: Ore | null; week: Ore | null; month: Ore | null }
  /** When the till last heard from the server about this card (ISO), null if never. */
  rulesAsOf: string | null
  /**
   * The card's newest sale at this till, today, queued the account's auto top-up on the server
   * (its answer said so): when that sale was made. The balance includes the top-up after a pull.
   */
  autoTopupAt: string | null
}

export type CardLookup = { ok: true; card: CardInfo } | { ok: false; reason: 'card-number-invalid' | 'unknown-card' }

export const cardMethods = {
  /** Needs a signed-in cashier: it shows a pupil's name, photo and balance. */
  'card.lookup': {
    input: z
      .object({
        cardNumber,
        /** A background re-read of the card already on the screen: not the cashier's action, so it does not keep the session alive. */
        refresh: z.boolean().optional(),
      })
      .strict(),
  },
} as const

export interface CardResults {
  'card.lookup': CardLookup
}
