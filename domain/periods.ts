import { TZDate } from '@date-fns/tz'
import { format } from 'date-fns'

/** Limits count by the canteen's calendar: Copenhagen day, ISO week from Monday, calendar month. */
export const CANTEEN_TIME_ZONE = 'Europe/Copenhagen'

export interface PeriodKeys {
  day: string // 2026-11-24
  week: string // 2026-W48 (ISO week-numbering year)
  month: string // 2026-11
}

export function periodKeys(at: Date | number, timeZone: string = CANTEEN_TIME_ZONE): PeriodKeys {
  const local = new TZDate(typeof at === 'number' ? at : at.getTime(), timeZone)
  return {
    day: format(local, 'yyyy-MM-dd'),
    week: format(local, "RRRR-'W'II"),
    month: format(local, 'yyyy-MM'),
  }
}

export type PeriodKind = keyof PeriodKeys
export const PERIOD_KINDS: readonly PeriodKind[] = ['day', 'week', 'month']
