import type { Allergen } from '../../../domain/allergens'
import { storedAllergens } from './allergens'
import type { AccountView } from '../../../domain/checkout'
import type { PeriodKeys, PeriodKind } from '../../../domain/periods'
import { stmt, type Db } from './db'

interface CardAccountRow {
  number: string
  card_status: 'active' | 'replaced' | 'lost'
  account_id: string
  holder_name: string
  photo_id: string | null
  photo: string | null
  status: 'active' | 'blocked'
  balance: number
  limit_day: number | null
  limit_week: number | null
  limit_month: number | null
  spent: string
  denied_categories: string
  allowed_locations: string | null
  note: string | null
  allergens: string
  synced_at: string
}

export interface CardAccount {
  cardNumber: string
  cardStatus: 'active' | 'replaced' | 'lost'
  accountId: string
  holderName: string
  /** The holder's photo, or null: none, or not fetched yet (`photoId` says which). */
  photo: string | null
  photoId: string | null
  /** The guardian's note to the staff, or null. */
  note: string | null
  /** The child's allergens, as the guardian marked them (none: []). */
  allergens: Allergen[]
  syncedAt: string
  /** The account as the rules see it: the pulled state plus this till's unacknowledged sales. */
  view: AccountView
}

/**
 * What the till knows of a card right now. The balance is the last pulled balance plus this
 * till's deltas the server has not yet reported back (outbox seq > acked_seq): each sale is
 * counted once, either here or in the pulled balance, never in both. Each outbox row carries its
 * own effects (delta, spend and its period keys), whatever kind of mutation it is.
 */
export function readCardAccount(db: Db, cardNumber: string, ackedSeq: number, now: PeriodKeys): CardAccount | null {
  const row = stmt(
    db,
    `SELECT c.number, c.status AS card_status, a.id AS account_id, a.holder_name, a.photo_id, p.data AS photo, a.status, a.balance,
              a.limit_day, a.limit_week, a.limit_month, a.spent, a.denied_categories, a.allowed_locations, a.note, a.allergens, a.synced_at
         FROM cards c JOIN accounts a ON a.id = c.account_id LEFT JOIN photos p ON p.id = a.photo_id
        WHERE c.number = ?`,
  ).get(cardNumber) as CardAccountRow | undefined
  if (!row) return null
  const pending = stmt(
    db,
    `SELECT COALESCE(SUM(delta), 0) AS delta,
              COALESCE(SUM(CASE WHEN day_key = @day THEN spend END), 0) AS day,
              COALESCE(SUM(CASE WHEN week_key = @week THEN spend END), 0) AS week,
              COALESCE(SUM(CASE WHEN month_key = @month THEN spend END), 0) AS month
         FROM outbox
        WHERE account_id = @account AND seq > @acked AND status <> 'rejected'`,
  ).get({ account: row.account_id, acked: ackedSeq, ...now }) as { delta: number } & Record<PeriodKind, number>
  const pulledSpent = JSON.parse(row.spent) as AccountView['spent']
  const spent = {} as AccountView['spent']
  for (const kind of ['day', 'week', 'month'] as const) {
    const base = pulledSpent[kind].key === now[kind] ? pulledSpent[kind].amount : 0
    spent[kind] = { key: now[kind], amount: base + pending[kind] }
  }
  return {
    cardNumber: row.number,
    cardStatus: row.card_status,
    accountId: row.account_id,
    holderName: row.holder_name,
    photo: row.photo,
    photoId: row.photo_id,
    note: row.note,
    allergens: storedAllergens(row.allergens),
    syncedAt: row.synced_at,
    view: {
      status: row.status,
      balance: row.balance + pending.delta,
      limits: { day: row.limit_day, week: row.limit_week, month: row.limit_month },
      spent,
      deniedCategoryIds: JSON.parse(row.denied_categories) as string[],
      allowedLocationIds: row.allowed_locations === null ? null : (JSON.parse(row.allowed_locations) as string[]),
    },
  }
}

