/**
 * Card numbers may contain letters; they are stored and compared upper case with no spaces.
 */
export const CARD_NUMBER = /^[0-9A-Z]{4,24}$/

export type CardCheck = { ok: true; number: string } | { ok: false; reason: 'card-number-invalid' }

export function normalizeCardNumber(input: string): CardCheck {
  const number = input.replace(/[\s-]/g, '').toUpperCase()
  return CARD_NUMBER.test(number) ? { ok: true, number } : { ok: false, reason: 'card-number-invalid' }
}
