import type { Clock } from '../clock'
import { stmt, type Db } from '../store/db'
import { ackedSeq } from '../store/outbox'
import { DEFAULT_OFFLINE_ALLOWANCE, DEFAULT_OFFLINE_CAP, getNumberSetting, getSetting } from '../store/settings'

export { DEFAULT_OFFLINE_ALLOWANCE, DEFAULT_OFFLINE_CAP } from '../store/settings'

const HOUR = 3_600_000
/** A till clock a little behind its last pull (NTP steps it back) is still trusted. */
const CLOCK_SLACK_MS = 5 * 60_000

export interface OfflineBudget {
  /** How far below its balance the card may go in an offline sale at this till. */
  allowance: number
  /** What the card may still spend offline at this till (cap minus its unacknowledged offline spend), ≥ 0. */
  capLeft: number
}

/**
 * What an offline till lets one card spend. Two limits, both needed:
 * - the allowance below the cached balance tightens as the till's data ages (full for an hour
 *   after the last pull, half until a day, then none). Age is measured on the till's own clock
 *   (`last_pull_local_at`), never against the server's time: a till clock hours off must not
 *   make old data look fresh. No local pull time (never pulled, or pulled only by a build before
 *   it was kept), or a clock that went back past its last pull: no allowance.
 * - the cap bounds what this till hands out offline per card however fresh its data: each till
 *   only knows its own sales, so without it every offline till could spend the whole balance.
 *   Counted over this till's offline outbox rows for the account that the server has not
 *   acknowledged (seq > acked_seq, not rejected): once a pull includes them, the pulled balance
 *   carries them and the cap is free again.
 */
export function offlineBudget(db: Db, clock: Clock, accountId: string): OfflineBudget {
  return { allowance: offlineAllowance(db, clock), capLeft: offlineCapLeft(db, accountId) }
}

function offlineAllowance(db: Db, clock: Clock): number {
  const base = getNumberSetting(db, 'offline_allowance', DEFAULT_OFFLINE_ALLOWANCE)
  const last = getSetting(db, 'last_pull_local_at')
  if (!last) return 0
  const age = clock.now().getTime() - Date.parse(last)
  if (!Number.isFinite(age) || age < -CLOCK_SLACK_MS) return 0
  if (age <= HOUR) return base
  if (age <= 24 * HOUR) return Math.floor(base / 2)
  return 0
}

function offlineCapLeft(db: Db, accountId: string): number {
  const cap = getNumberSetting(db, 'offline_cap', DEFAULT_OFFLINE_CAP)
  const acked = ackedSeq(db)
  const { spent } = stmt(
    db,
    `SELECT COALESCE(SUM(spend), 0) AS spent FROM outbox
      WHERE account_id = ? AND offline = 1 AND seq > ? AND status <> 'rejected'`,
  ).get(accountId, acked) as { spent: number }
  return Math.max(0, cap - spent)
}
