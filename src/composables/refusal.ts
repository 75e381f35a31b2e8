import { REFUSAL_ORDER } from '../../domain/refusal'
import type { RefusalReason } from '../../domain/refusal'

/** Every reason the cashier can be shown, each with a headline and what to do (in the locales). */
export const REFUSAL_KEYS = [...REFUSAL_ORDER, 'card-number-invalid', 'empty-basket', 'product-unknown', 'quantity-too-large', 'total-too-large', 'pin-wrong', 'cash-not-allowed'] as const

export type RefusalKey = RefusalReason | 'card-number-invalid' | 'empty-basket' | 'product-unknown' | 'quantity-too-large' | 'total-too-large' | 'pin-wrong' | 'cash-not-allowed'

export function isRefusalKey(value: string): value is RefusalKey {
  return (REFUSAL_KEYS as readonly string[]).includes(value)
}
