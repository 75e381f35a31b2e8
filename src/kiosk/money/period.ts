/**
 * The report's periods as Danish calendar dates (YYYY-MM-DD): the statement route counts days on
 * the Copenhagen clock, so "this month" must be the Copenhagen month even on a kiosk whose PC
 * clock sits in another zone.
 */
const ymd = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: 'Europe/Copenhagen' })

export interface Period {
  from: string
  to: string
}

export const MAX_PERIOD_DAYS = 366

/** Today's date in Copenhagen. */
export function todayIn(now: Date): string {
  return ymd.format(now)
}

function pad(n: number): string {
  return String(n).padStart(2, '0')
}

function lastDayOf(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

/** From the 1st of this month to today. */
export function thisMonth(now: Date): Period {
  const today = todayIn(now)
  return { from: `${today.slice(0, 8)}01`, to: today }
}

/** The whole of the previous month. */
export function lastMonth(now: Date): Period {
  const [y, m] = todayIn(now).split('-').map(Number) as [number, number]
  const year = m === 1 ? y - 1 : y
  const month = m === 1 ? 12 : m - 1
  return { from: `${year}-${pad(month)}-01`, to: `${year}-${pad(month)}-${pad(lastDayOf(year, month))}` }
}

/** `DDMMYYYY` from the digit keypad to `YYYY-MM-DD`; null unless it is a real date. */
export function dateFromDigits(digits: string): string | null {
  const m = /^(\d{2})(\d{2})(\d{4})$/.exec(digits)
  if (!m) return null
  const [day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (year < 2000 || month < 1 || month > 12 || day < 1 || day > lastDayOf(year, month)) return null
  return `${year}-${pad(month)}-${pad(day)}`
}

/** `YYYY-MM-DD` to the keypad's `DDMMYYYY`. */
export function digitsFromDate(date: string): string {
  return `${date.slice(8, 10)}${date.slice(5, 7)}${date.slice(0, 4)}`
}

/** What the keypad holds, shown as `DD.MM.YYYY` while typing (`12.0` after three digits). */
export function showDateDigits(digits: string): string {
  return [digits.slice(0, 2), digits.slice(2, 4), digits.slice(4, 8)].filter((part) => part.length > 0).join('.')
}

export type PeriodProblem = 'date-invalid' | 'from-after-to' | 'too-long'

function dayNumber(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 86_400_000
}

export function periodProblem(from: string | null, to: string | null): PeriodProblem | null {
  if (from === null || to === null) return 'date-invalid'
  if (from > to) return 'from-after-to'
  if (dayNumber(to) - dayNumber(from) + 1 > MAX_PERIOD_DAYS) return 'too-long'
  return null
}
