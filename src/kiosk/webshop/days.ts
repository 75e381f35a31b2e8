/**
 * The pickup days the kiosk offers: today and the next days, as the canteen's calendar counts
 * them (Europe/Copenhagen, whatever the kiosk's own clock zone), and what each one allows.
 */
import type { Menu } from './types'

export const DAYS_SHOWN = 8
const ZONE = 'Europe/Copenhagen'

/** `YYYY-MM-DD` of an instant in Copenhagen. */
export function copenhagenDay(at: Date): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(at)
  const get = (type: string) => parts.find((p) => p.type === type)!.value
  return `${get('year')}-${get('month')}-${get('day')}`
}

/** A calendar day plus n days (calendar arithmetic on the date alone: no DST hour can shift it). */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10)
}

/** Today (in Copenhagen) and the `count - 1` days after it. */
export function nextDays(now: Date, count = DAYS_SHOWN): string[] {
  const today = copenhagenDay(now)
  return Array.from({ length: count }, (_, i) => addDays(today, i))
}

/** ISO weekday 1 (Monday) .. 7 (Sunday) of a calendar day. */
export function isoWeekday(day: string): number {
  const wd = new Date(`${day}T00:00:00Z`).getUTCDay()
  return wd === 0 ? 7 : wd
}

export type DayState = 'open' | 'closed' | 'cut-off-passed'

/** What a day allows: ordering, nothing (closed by the canteen), or nothing any more (past its cut-off or beyond the horizon). */
export function dayState(menu: Pick<Menu, 'open' | 'closed'>): DayState {
  if (menu.closed) return 'closed'
  return menu.open ? 'open' : 'cut-off-passed'
}

/** The day to start on: the chosen one if it still takes orders, else the first that does, else the first. */
export function startDay(menus: readonly Pick<Menu, 'day' | 'open' | 'closed'>[], chosen: string | null): string | null {
  const open = menus.filter((m) => dayState(m) === 'open')
  if (chosen && open.some((m) => m.day === chosen)) return chosen
  return open[0]?.day ?? menus[0]?.day ?? null
}
