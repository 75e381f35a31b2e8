/**
 * Why a till refuses a card, in the order the rules are checked. The first that applies is the
 * one the cashier sees: a blocked old card is reported as "old card", because that is what the
 * cashier must act on.
 */
export const REFUSAL_ORDER = [
  'unknown-card',
  'old-card',
  'blocked',
  'location-not-allowed',
  'product-not-permitted',
  'day-limit',
  'week-limit',
  'month-limit',
  // Offline only: more than this till may lend the card before it hears from the server again.
  'offline-limit',
  'balance-too-low',
] as const

export type RefusalReason = (typeof REFUSAL_ORDER)[number]
