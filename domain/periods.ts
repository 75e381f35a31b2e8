import { TZDate } from '@date-fns/tz'

/** Limits count by the canteen's calendar: Copenhagen day, ISO week from Monday, calendar month. */
export const CANTEEN_TIME_ZONE = 'Europe/Copenhagen'

export interface PeriodKeys {
  day: string // 2026-11-24
  week: string // 2026-W48 (ISO week-numbering year)
  month: string // 2026-11
}

/**
 * The periods an instant counts in, on the calendar of `timeZone`. Throws a RangeError for an
 * invalid Date (NaN): callers validate dates at the boundary.
 *
 * The keys are built from the calendar date by hand, not with date-fns' `format`: its ISO week
 * is wrong for years below 1000 (1 January 0101 came out as week 00) and its `yyyy` is the year
 * of the era (year 0 printed as 0001). A sale dated by a clock gone wrong must still count in the
 * periods of its own date (the server flags it), never silently in another period.
 */
export function periodKeys(at: Date | number, timeZone: string = CANTEEN_TIME_ZONE): PeriodKeys {
  const ms = typeof at === 'number' ? at : at.getTime()
  if (!Number.isFinite(ms)) throw new RangeError('Invalid time value')
  const local = new TZDate(ms, timeZone)
  const y = local.getFullYear()
  const m = local.getMonth() + 1
  const d = local.getDate()
  const week = isoWeek(y, m, d)
  return {
    day: `${year(y)}-${two(m)}-${two(d)}`,
    week: `${year(week.year)}-W${two(week.week)}`,
    month: `${year(y)}-${two(m)}`,
  }
}

const DAY_MS = 86_400_000

/** ISO 8601: weeks start on Monday, and a week belongs to the year its Thursday falls in. */
function isoWeek(y: number, m: number, d: number): { year: number; week: number } {
  const date = utcDate(y, m, d)
  const mondayBased = (new Date(date).getUTCDay() + 6) % 7
  const thursday = date + (3 - mondayBased) * DAY_MS
  const weekYear = new Date(thursday).getUTCFullYear()
  return { year: weekYear, week: 1 + Math.floor((thursday - utcDate(weekYear, 1, 1)) / (7 * DAY_MS)) }
}

/** Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear does not. */
function utcDate(y: number, m: number, d: number): number {
  const date = new Date(0)
  date.setUTCFullYear(y, m - 1, d)
  return date.getTime()
}

const two = (n: number) => String(n).padStart(2, '0')
/** Four digits, as ISO 8601 writes years; year 0 is 1 BC and earlier years carry a minus. */
const year = (y: number) => (y < 0 ? `-${String(-y).padStart(4, '0')}` : String(y).padStart(4, '0'))

export type PeriodKind = keyof PeriodKeys
export const PERIOD_KINDS: readonly PeriodKind[] = ['day', 'week', 'month']
