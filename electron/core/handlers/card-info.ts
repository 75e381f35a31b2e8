import type { CardInfo } from '../api/contract'
import type { CardAccount } from '../store/accounts'
import { getSetting } from '../store/settings'
import { stmt, type Db } from '../store/db'
import { spentNow } from '../../../domain/checkout'
import type { PeriodKeys } from '../../../domain/periods'
import { AUTO_TOPUP_QUEUED } from '../../../domain/sync'

/** A card as the cashier sees it: balance and what is left of each limit in the current periods. */
export function cardInfo(db: Db, c: CardAccount, now: PeriodKeys): CardInfo {
  const left = (kind: 'day' | 'week' | 'month') => {
    const limit = c.view.limits[kind]
    return limit === null ? null : Math.max(0, limit - spentNow(c.view, kind, now))
  }
  return {
    cardNumber: c.cardNumber,
    accountId: c.accountId,
    holderName: c.holderName,
    photo: c.photo,
    note: c.note,
    allergens: c.allergens,
    balance: c.view.balance,
    status: c.view.status,
    cardStatus: c.cardStatus,
    left: { day: left('day'), week: left('week'), month: left('month') },
    // The last pull confirmed everything the till holds, this card included.
    rulesAsOf: getSetting(db, 'last_sync_at') ?? c.syncedAt,
    autoTopupAt: autoTopupAt(db, c.accountId, now),
  }
}

/**
 * When the account's newest sale at this till, if of today, queued an auto top-up (its answer's
 * flag). Only the newest: the next purchase is after the top-up, and the banner would be stale.
 * On the outbox's (account_id, seq) index: one row read per card shown.
 */
function autoTopupAt(db: Db, accountId: string, now: PeriodKeys): string | null {
  const row = stmt(db, `SELECT created_at, flags, day_key FROM outbox WHERE account_id = ? AND kind = 'sale.record' ORDER BY seq DESC LIMIT 1`).get(
    accountId,
  ) as { created_at: string; flags: string | null; day_key: string | null } | undefined
  if (!row || row.flags === null || row.day_key !== now.day) return null
  const flags = JSON.parse(row.flags) as unknown
  return Array.isArray(flags) && flags.includes(AUTO_TOPUP_QUEUED) ? row.created_at : null
}
