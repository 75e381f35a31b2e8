import type { CardInfo } from '../api/contract'
import type { CardAccount } from '../store/accounts'
import { getSetting } from '../store/settings'
import type { Db } from '../store/db'
import { spentNow } from '../../../domain/checkout'
import type { PeriodKeys } from '../../../domain/periods'

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
    balance: c.view.balance,
    status: c.view.status,
    cardStatus: c.cardStatus,
    left: { day: left('day'), week: left('week'), month: left('month') },
    // The last pull confirmed everything the till holds, this card included.
    rulesAsOf: getSetting(db, 'last_sync_at') ?? c.syncedAt,
  }
}
