/**
 * The rules a sale broke, for the record. A till approved the sale (often offline, on rules as of
 * its last pull), the food is gone, so the server applies it anyway and flags it for the back
 * office. Flag names are the refusal reasons of domain/refusal.ts, plus `overdraft`.
 */
import { spentNow, type AccountView, type BasketLine } from '../../domain/checkout'
import { PERIOD_KINDS, type PeriodKeys } from '../../domain/periods'

export interface SaleFacts {
  cardStatus: 'active' | 'replaced' | 'lost'
  /** The account as it was just before this sale, with spend of the sale's own periods. */
  account: AccountView
  locationId: string
  lines: readonly BasketLine[]
  total: number
  salePeriods: PeriodKeys
}

export function saleFlags(f: SaleFacts): string[] {
  const flags: string[] = []
  if (f.cardStatus === 'replaced') flags.push('old-card')
  if (f.cardStatus === 'lost' || f.account.status === 'blocked') flags.push('blocked')
  if (f.account.allowedLocationIds && !f.account.allowedLocationIds.includes(f.locationId)) flags.push('location-not-allowed')
  if (f.lines.some((l) => f.account.deniedCategoryIds.includes(l.categoryId))) flags.push('product-not-permitted')
  for (const kind of PERIOD_KINDS) {
    const limit = f.account.limits[kind]
    if (limit !== null && spentNow(f.account, kind, f.salePeriods) + f.total > limit) flags.push(`${kind}-limit`)
  }
  if (f.total > 0 && f.account.balance - f.total < 0) flags.push('overdraft')
  return flags
}
