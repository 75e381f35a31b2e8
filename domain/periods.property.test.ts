import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { periodKeys } from './periods'

// Oracles that share no code with periods.ts: the platform's own time-zone database (Intl) for the
// Copenhagen calendar date, and the ISO 8601 week rule written out by hand (the week belongs to the
// year of its Thursday).

const HOUR = 3_600_000
const DAY = 24 * HOUR

const copenhagen = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Copenhagen',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
})

function local(t: number): { y: number; m: number; d: number; h: number; min: number; s: number } {
  const parts = copenhagen.formatToParts(t)
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value)
  return { y: part('year'), m: part('month'), d: part('day'), h: part('hour'), min: part('minute'), s: part('second') }
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

function calendarDate(t: number): string {
  const { y, m, d } = local(t)
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`
}

/** Midnight UTC of a calendar date (Date.UTC would read years 0–99 as 1900–1999). */
function utc(y: number, m: number, d: number): number {
  const date = new Date(0)
  date.setUTCFullYear(y, m - 1, d)
  return date.getTime()
}

/** Copenhagen's offset from UTC at `t`, in ms (3,600,000 in winter since 1894). */
function offset(t: number): number {
  const { y, m, d, h, min, s } = local(t)
  return utc(y, m, d) + h * HOUR + min * 60_000 + s * 1000 - (t - (((t % 1000) + 1000) % 1000))
}

function isoWeek(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  const day = utc(y, m, d)
  const mondayBased = (new Date(day).getUTCDay() + 6) % 7
  const thursday = day + (3 - mondayBased) * DAY
  const isoYear = new Date(thursday).getUTCFullYear()
  const week = 1 + Math.floor((thursday - utc(isoYear, 1, 1)) / (7 * DAY))
  return `${pad(isoYear, 4)}-W${pad(week)}`
}

/** Days from 1970-01-01 of a yyyy-MM-dd key, on the proleptic calendar (no time zone involved). */
const dayNumber = (key: string) => Date.parse(`${key}T00:00:00Z`) / DAY

// Mostly the years a till lives in, also any date a clock gone wrong could write (years 1–9999:
// the server flags such a sale, and its totals must still be those of its own date), and extra
// weight on the hours around the DST switches of 2024–2030, where a mistake in the offset shows.
const anyInstant = fc.oneof(
  fc.integer({ min: Date.UTC(1971, 0, 1), max: Date.UTC(2100, 11, 31) }),
  // (to 9999-11-01: the tests below add up to 40 days, and the keys stay four-digit years)
  fc.integer({ min: Date.parse('0001-01-02T00:00:00Z'), max: Date.parse('9999-11-01T00:00:00Z') }),
)
const DST_SWITCHES = [2024, 2025, 2026, 2027, 2028, 2029, 2030].flatMap((y) => {
  const lastSunday = (month: number) => {
    const last = Date.UTC(y, month + 1, 0)
    return last - new Date(last).getUTCDay() * DAY
  }
  return [lastSunday(2) + HOUR, lastSunday(9) + HOUR] // both switches happen at 01:00 UTC
})
const nearSwitch = fc
  .tuple(fc.constantFrom(...DST_SWITCHES), fc.integer({ min: -26 * HOUR, max: 26 * HOUR }))
  .map(([at, offset]) => at + offset)
const instant = fc.oneof(anyInstant, nearSwitch)

const RUNS = { numRuns: 500 }

describe('period keys, for any instant', () => {
  it('the day key is the Copenhagen calendar date, the month key its month', () => {
    fc.assert(
      fc.property(instant, (t) => {
        const keys = periodKeys(t)
        expect(keys.day).toBe(calendarDate(t))
        expect(keys.month).toBe(keys.day.slice(0, 7))
      }),
      RUNS,
    )
  })

  it('the week key is the ISO week of that date', () => {
    fc.assert(
      fc.property(instant, (t) => {
        expect(periodKeys(t).week).toBe(isoWeek(calendarDate(t)))
      }),
      RUNS,
    )
  })

  it('a Date and its epoch milliseconds give the same keys', () => {
    fc.assert(
      fc.property(instant, (t) => {
        expect(periodKeys(new Date(t))).toEqual(periodKeys(t))
      }),
      RUNS,
    )
  })

  it('keys never go backwards as time goes forwards', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 40 * DAY }), (t, later) => {
        const a = periodKeys(t)
        const b = periodKeys(t + later)
        // The formats sort as text in time order (four-digit years, two-digit weeks and months).
        expect(a.day <= b.day).toBe(true)
        expect(a.week <= b.week).toBe(true)
        expect(a.month <= b.month).toBe(true)
      }),
      RUNS,
    )
  })

  it('an instant and the same wall-clock time one Copenhagen day later never share a day key', () => {
    // A Copenhagen day lasts 23, 24 or 25 hours: 25 hours later is always another day, 23 hours
    // later never more than the next one, and 24 hours later is the next day except around a switch.
    fc.assert(
      fc.property(instant, (t) => {
        const today = dayNumber(periodKeys(t).day)
        expect(dayNumber(periodKeys(t + 25 * HOUR).day)).toBeGreaterThan(today)
        expect(dayNumber(periodKeys(t + 23 * HOUR).day) - today).toBeLessThanOrEqual(1)
        const dayAfter = dayNumber(periodKeys(t + 24 * HOUR).day) - today
        if (offset(t + 24 * HOUR) === offset(t)) expect(dayAfter).toBe(1)
        else if (offset(t + 24 * HOUR) < offset(t)) expect([0, 1]).toContain(dayAfter) // the clocks went back
        else expect([1, 2]).toContain(dayAfter) // the clocks went forward
      }),
      RUNS,
    )
  })

  it('the day key changes exactly at Copenhagen midnight', () => {
    fc.assert(
      fc.property(instant, (t) => {
        const { h, min, s } = local(t)
        const atMidnight = h === 0 && min === 0 && s === 0 && t % 1000 === 0
        expect(periodKeys(t - 1).day !== periodKeys(t).day).toBe(atMidnight)
      }),
      RUNS,
    )
  })

  it('two instants share a week key exactly when their dates fall in the same Monday-to-Sunday week', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: -9 * DAY, max: 9 * DAY }), (t, delta) => {
        const a = periodKeys(t)
        const b = periodKeys(t + delta)
        const monday = (key: string) => {
          const n = dayNumber(key)
          return n - ((new Date(n * DAY).getUTCDay() + 6) % 7)
        }
        expect(a.week === b.week).toBe(monday(a.day) === monday(b.day))
      }),
      RUNS,
    )
  })
})
