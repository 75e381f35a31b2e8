/**
 * The money screens' view of the guardian API (issue 13: H1 money, H2 statement/photo). The
 * server's answers are parsed with zod where they enter the page: a screen that shows money
 * must not show `NaN kr.` because a field was renamed. Unknown extra fields are dropped, so the
 * server may add to an answer without breaking an older kiosk.
 */
import { z } from 'zod'
import { Allergen } from '../../../domain/allergens'

const Ore = z.number().int()

export const TermsSchema = z.object({
  version: z.string(),
  topUp: z.object({ da: z.string(), en: z.string() }),
  autoTopUp: z.object({ da: z.string(), en: z.string() }),
})
export type Terms = z.infer<typeof TermsSchema>

export const DepositStartedSchema = z.object({ paymentId: z.string(), status: z.string() })
export type DepositStarted = z.infer<typeof DepositStartedSchema>

export const PaymentSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  kind: z.string(),
  amount: Ore,
  /** created | authorized | captured | declined | failed | refunded (kept open: a new one must not crash the poll). */
  status: z.string(),
  failure: z.string().nullable().optional(),
  createdAt: z.string(),
})
export type Payment = z.infer<typeof PaymentSchema>

export const STOP_CAUSES = ['card-expired', 'card-blocked', 'insufficient-funds', 'card-declined', 'account-blocked'] as const
export type StopCause = (typeof STOP_CAUSES)[number]

export const AutoTopupSchema = z.object({
  amount: Ore,
  status: z.enum(['active', 'failed', 'cancelled']),
  since: z.string(),
  stoppedBecause: z.enum(STOP_CAUSES).nullable(),
  remedy: z.literal('cancel-and-create').nullable(),
})
export type AutoTopup = z.infer<typeof AutoTopupSchema>
export const AutoTopupAnswerSchema = z.object({ autoTopup: AutoTopupSchema.nullable() })

export const PayoutTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('nemkonto') }),
  z.object({ kind: z.literal('bank'), regNo: z.string(), accountNo: z.string(), name: z.string(), message: z.string().nullable().optional() }),
])
export type PayoutTarget = z.infer<typeof PayoutTargetSchema>

export const PayoutSchema = z.object({ id: z.string(), amount: Ore, status: z.string(), to: PayoutTargetSchema, createdAt: z.string() })
export type Payout = z.infer<typeof PayoutSchema>
export const PayoutCreatedSchema = z.object({ payout: PayoutSchema, balance: Ore })
export const PayoutListSchema = z.object({ payouts: z.array(PayoutSchema) })

/** The account as every guardian route answers it (src/kiosk/types.ts GuardianAccount). */
export const GuardianAccountSchema = z.object({
  id: z.string(),
  holderName: z.string(),
  photoId: z.string().nullable(),
  balance: Ore,
  status: z.enum(['active', 'blocked']),
  limits: z.object({ day: Ore.nullable(), week: Ore.nullable(), month: Ore.nullable() }),
  deniedCategoryIds: z.array(z.string()),
  allowedLocationIds: z.array(z.string()).nullable(),
  cards: z.array(z.object({ number: z.string(), status: z.enum(['active', 'replaced', 'lost']) })),
  note: z.string().nullable(),
  allergens: z.array(Allergen),
})

export const NewCardSchema = z.object({ account: GuardianAccountSchema, newCard: z.object({ number: z.string() }) })

export const StatementSchema = z.object({
  from: z.string(),
  to: z.string(),
  purchases: z.array(
    z.object({
      saleId: z.string(),
      at: z.string(),
      locationName: z.string(),
      lines: z.array(z.object({ name: z.string(), quantity: z.number(), unitPrice: Ore, total: Ore })),
      total: Ore,
      /** Voided at the till with a manager's PIN: refunded, and not counted in the totals. */
      voided: z.object({ at: z.string() }).nullish(),
    }),
  ),
  movements: z.array(z.object({ at: z.string(), kind: z.string(), amount: Ore, note: z.string().nullable() })),
  totals: z.object({ spent: Ore, deposited: Ore, fees: Ore, payouts: Ore }),
  perDay: z.array(z.object({ date: z.string(), spent: Ore })),
})
export type Statement = z.infer<typeof StatementSchema>

export const PhotoSchema = z.object({ photoId: z.string(), dataUrl: z.string() })

/** A square in the source image's pixels: what the server crops with sharp. */
export interface CropRect {
  x: number
  y: number
  size: number
}
