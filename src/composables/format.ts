import { formatKr } from '../../domain/money'
import type { Ore } from '../../domain/money'

export { formatKr }
export type { Ore }

/** Tills are in Denmark: times are shown on the Danish clock whatever the PC's zone. */
const ZONE = 'Europe/Copenhagen'
const hhmm = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: ZONE })
const dayKey = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: ZONE })
const dayMonth = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'numeric', timeZone: ZONE })

/** `hh:mm`, prefixed by `d/m` when it is not today: "last synced 14:05" must not hide a day. */
export function clockTime(iso: string, now: Date = new Date()): string {
  const at = new Date(iso)
  if (Number.isNaN(at.getTime())) return '–'
  const time = hhmm.format(at)
  return dayKey.format(at) === dayKey.format(now) ? time : `${dayMonth.format(at)} ${time}`
}

/** A day key (`YYYY-MM-DD`, a Copenhagen calendar day) in words: "mandag 30. november 2026". */
export function formatDayKey(day: string, locale: 'da' | 'en'): string {
  const at = new Date(`${day}T12:00:00Z`)
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(at.getTime())) return day
  return new Intl.DateTimeFormat(locale === 'da' ? 'da-DK' : 'en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(at)
}
