/**
 * The periods the manager's reports are asked for: days as YYYY-MM-DD on the Copenhagen
 * calendar (the server counts in those days), whatever the PC's own time zone.
 */
const dayKey = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: 'Europe/Copenhagen' })

export type Period = 'today' | 'week' | 'month' | 'days31' | 'custom'

/** Today in Copenhagen. */
export function copenhagenToday(now: Date = new Date()): string {
  return dayKey.format(now)
}

export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T12:00:00Z`)
  d.setUTCDate(d.getUTCDate() + n)
  return d.toISOString().slice(0, 10)
}

/** The days a named period covers up to today: this day, this week from Monday, this month, or the last 31 days. */
export function periodRange(p: Exclude<Period, 'custom'>, now: Date = new Date()): { from: string; to: string } {
  const today = copenhagenToday(now)
  if (p === 'week') return { from: addDays(today, -((new Date(`${today}T12:00:00Z`).getUTCDay() + 6) % 7)), to: today }
  if (p === 'month') return { from: `${today.slice(0, 8)}01`, to: today }
  if (p === 'days31') return { from: addDays(today, -30), to: today }
  return { from: today, to: today }
}

const DAY = /^\d{4}-\d{2}-\d{2}$/

/** A chosen period the server would refuse: not two dates, or the first after the last. */
export function rangeInvalid(from: string, to: string): boolean {
  return !DAY.test(from) || !DAY.test(to) || from > to
}
