/**
 * The rules a sale broke, for the record. A till approved the sale (often offline, on rules as of
 * its last pull), the food is gone, so the server applies it anyway and flags it for the back
 * office. The rules are the till's own (domain/checkout.ts `purchaseBreaks`, one rule set):
 * the flags are every refusal reason the sale would have met at a till online at the sale's
 * time, with `balance-too-low` called `overdraft` (it was not refused: it went below zero).
 * The server adds what only it can see: `stale-price` and `time-skew` (apply-sale.ts).
 */
import { purchaseBreaks, type AccountView, type BasketLine } from '../../domain/checkout'
import type { CardStatus } from '../../domain/enums'
import type { PeriodKeys } from '../../domain/periods'

/** In the sale's answer only, never stored with the sale: not a rule it broke (domain/sync.ts). */
export { AUTO_TOPUP_QUEUED } from '../../domain/sync'

export interface SaleFacts {
  cardStatus: CardStatus
  /** The account as it was just before this sale, with spend of the sale's own periods. */
  account: AccountView
  locationId: string
  lines: readonly BasketLine[]
  total: number
  salePeriods: PeriodKeys
}

export function saleFlags(f: SaleFacts): string[] {
  const broken = purchaseBreaks({
    card: { status: f.cardStatus },
    account: f.account,
    locationId: f.locationId,
    lines: f.lines,
    now: f.salePeriods,
    overdraftAllowance: 0,
  })
  // A sale of nothing (total 0) never overdraws, even an account already below zero.
  return broken.flatMap((b) => (b.reason !== 'balance-too-low' ? [b.reason] : f.total > 0 ? ['overdraft'] : []))
}
