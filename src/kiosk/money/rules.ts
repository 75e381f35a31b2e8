/**
 * The money rules the kiosk checks before it asks the server, so a parent hears "at most your
 * balance" while still typing, not after the card terminal. The server checks every one again
 * (the kiosk's word is never the last); these only decide what the screen says.
 */
export const TOP_UP_KR = { min: 20, max: 2000 } as const
export const AUTO_TOP_UP_KR = { min: 50, max: 1000 } as const
export const NEW_CARD_FEE_ORE = 2500
export const QUICK_TOP_UPS_KR = [50, 100, 200, 500] as const
export const QUICK_AUTO_TOP_UPS_KR = [100, 200, 300, 500] as const

/** The digits a keypad produced as whole kroner; null when empty or not digits. */
export function kronerOf(digits: string): number | null {
  if (!/^\d{1,7}$/.test(digits)) return null
  return Number(digits)
}

export type AmountProblem = 'missing' | 'too-small' | 'too-large'

export function amountProblem(kroner: number | null, range: { min: number; max: number }): AmountProblem | null {
  if (kroner === null || kroner === 0) return 'missing'
  if (kroner < range.min) return 'too-small'
  if (kroner > range.max) return 'too-large'
  return null
}

/** A plain check of the e-mail's shape; the server's zod check is the real one. */
export function emailLooksValid(email: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/.test(email.trim())
}

export interface BankEntry {
  regNo: string
  accountNo: string
  name: string
  message: string
}

export type BankProblem = 'reg-no-invalid' | 'account-no-invalid' | 'name-invalid' | 'message-invalid'

/** What is wrong with a bank account entry, field by field (the server's refusal codes). */
export function bankProblems(entry: BankEntry): BankProblem[] {
  const problems: BankProblem[] = []
  if (!/^\d{4}$/.test(entry.regNo)) problems.push('reg-no-invalid')
  if (!/^\d{1,10}$/.test(entry.accountNo)) problems.push('account-no-invalid')
  const name = entry.name.trim()
  if (name.length < 1 || name.length > 70) problems.push('name-invalid')
  if (entry.message.trim().length > 140) problems.push('message-invalid')
  return problems
}

export type PayoutAmountProblem = 'missing' | 'amount-above-balance'

/** The most a payout can be: the balance in whole kroner (payouts are whole kroner, like top-ups). */
export function wholeKronerOf(balanceOre: number): number {
  return Math.max(0, Math.floor(balanceOre / 100) * 100)
}

/** A payout leaves the account at once: never more than the balance. */
export function payoutAmountProblem(amountOre: number | null, balanceOre: number): PayoutAmountProblem | null {
  if (amountOre === null || amountOre <= 0) return 'missing'
  if (amountOre > balanceOre) return 'amount-above-balance'
  return null
}

export function canPayNewCardFee(balanceOre: number): boolean {
  return balanceOre >= NEW_CARD_FEE_ORE
}
