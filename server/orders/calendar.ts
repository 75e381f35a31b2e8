/**
 * The webshop's calendar, in Copenhagen time: when ordering for a pickup day closes (its
 * cut-off), and which day "today" and "tomorrow" are. Pure: the caller passes the instant.
 *
 * A cut-off is per canteen and ISO weekday of the pickup day: `daysBefore` 0 means on the pickup
 * day itself (09:00 the same morning), 1 the day before (12:00 the day before), and so on. The
 * wall-clock time is Copenhagen's on the day of the cut-off, so it stays 09:00 across the DST
 * changes (the instant moves by an hour, the time on the kitchen clock does not).
 */
import { TZDate } from '@date-fns/tz'
import { CANTEEN_TIME_ZONE, periodKeys } from '../../domain/periods'

export interface CutoffRule {
  /** 1 Monday … 7 Sunday: the weekday of the pickup day. */
  weekday: number
  daysBefore: number
  /** HH:MM (Copenhagen). */
  time: string
}

/** Where no rule is set: 09:00 on the pickup day. */
export const DEFAULT_CUTOFF: Omit<CutoffRule, 'weekday'> = { daysBefore: 0, time: '09:00' }

const parts = (day: string) => day.split('-').map(Number) as [number, number, number]

/** ISO weekday (1 Monday … 7 Sunday) of a calendar day. */
export function isoWeekday(day: string): number {
  const [y, m, d] = parts(day)
  const w = new Date(Date.UTC(y, m - 1, d)).getUTCDay()
  return w === 0 ? 7 : w
}

/** The calendar day `n` days after `day` (n may be negative). */
export function addDays(day: string, n: number): string {
  const [y, m, d] = parts(day)
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10)
}

/** The instant of a Copenhagen wall-clock time on a day ("09:00" on 2026-03-29 is 07:00Z: summer time began at 02:00). */
export function copenhagenInstant(day: string, time: string): Date {
  const [y, m, d] = parts(day)
  const [hh, mm] = time.split(':').map(Number) as [number, number]
  return new Date(new TZDate(y, m - 1, d, hh, mm, CANTEEN_TIME_ZONE).getTime())
}

/** The cut-off instant of a pickup day under a canteen's rules (the weekday's rule, else the default). */
export function cutoffAt(pickupDay: string, rules: readonly CutoffRule[]): Date {
  const rule = rules.find((r) => r.weekday === isoWeekday(pickupDay)) ?? DEFAULT_CUTOFF
  return copenhagenInstant(addDays(pickupDay, -rule.daysBefore), rule.time)
}

/** Today and tomorrow in Copenhagen, at an instant. */
export function todayAndTomorrow(now: Date): { today: string; tomorrow: string } {
  const today = periodKeys(now).day
  return { today, tomorrow: addDays(today, 1) }
}

/** How far ahead a guardian may order. */
export const ORDER_HORIZON_DAYS = 28
