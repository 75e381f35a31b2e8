/**
 * Danish CPR numbers as a guardian types them at "Tilføj konto": DDMMYY-SSSS, the dash optional.
 * Checked as a date, the century taken from the seventh digit (the CPR office's table). No
 * modulus-11 check: numbers that fail it have been issued since 2007.
 *
 * The number itself never leaves the request that carries it: the server keeps only a keyed hash.
 */

export type CprCheck = { ok: true; cpr: string } | { ok: false; reason: 'cpr-invalid' }

/** The century of a two-digit year, by the seventh digit (CPR-kontoret's rule table). */
export function cprCentury(seventh: number, yy: number): number | null {
  if (seventh <= 3) return 1900
  if (seventh === 4 || seventh === 9) return yy <= 36 ? 2000 : 1900
  if (seventh <= 8) return yy <= 57 ? 2000 : 1800
  return null
}

/** The date of birth a CPR number states, or null when it states none. */
export function cprBirthDate(cpr: string): { year: number; month: number; day: number } | null {
  if (!/^[0-9]{10}$/.test(cpr)) return null
  const day = Number(cpr.slice(0, 2))
  const month = Number(cpr.slice(2, 4))
  const yy = Number(cpr.slice(4, 6))
  const century = cprCentury(Number(cpr[6]), yy)
  if (century === null) return null
  const year = century + yy
  if (month < 1 || month > 12 || day < 1) return null
  // Day 0 of the next month is the last day of this one (UTC: no time zone shifts a date).
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate()
  return day <= daysInMonth ? { year, month, day } : null
}

/** Strips one dash or spaces, then checks 10 digits and a real date of birth. */
export function normalizeCpr(input: string): CprCheck {
  const trimmed = input.trim()
  if (!/^[0-9]{6}[- ]?[0-9]{4}$/.test(trimmed)) return { ok: false, reason: 'cpr-invalid' }
  const cpr = trimmed.replace(/[- ]/, '')
  return cprBirthDate(cpr) ? { ok: true, cpr } : { ok: false, reason: 'cpr-invalid' }
}
