import { describe, expect, it } from 'vitest'
import { cprBirthDate, normalizeCpr } from './cpr'

describe('a guardian types the child’s CPR number at "Tilføj konto"', () => {
  it('accepts ten digits, with or without the dash or a space after the date', () => {
    expect(normalizeCpr('0101101234')).toEqual({ ok: true, cpr: '0101101234' })
    expect(normalizeCpr('010110-1234')).toEqual({ ok: true, cpr: '0101101234' })
    expect(normalizeCpr(' 010110 1234 ')).toEqual({ ok: true, cpr: '0101101234' })
  })

  it('refuses a number of the wrong length or with other characters', () => {
    for (const bad of ['', '010110123', '01011012345', '010110-12345', '01-01-10-1234', '0101 10 1234', 'abcdefghij', '010110--1234']) {
      expect(normalizeCpr(bad), bad).toEqual({ ok: false, reason: 'cpr-invalid' })
    }
  })

  it('refuses an impossible date: 31 February, month 13, day 0, 29 February of a common year', () => {
    expect(normalizeCpr('3102151234').ok).toBe(false)
    expect(normalizeCpr('0113151234').ok).toBe(false)
    expect(normalizeCpr('0001151234').ok).toBe(false)
    // 2015 (seventh digit 4, year 15: 2015) is not a leap year; 2016 is.
    expect(normalizeCpr('2902154234').ok).toBe(false)
    expect(normalizeCpr('2902164234').ok).toBe(true)
  })

  it('reads the century from the seventh digit, so 29 February is valid only in a leap century', () => {
    // 1900 was not a leap year, 2000 was: 290200 is a date only with a seventh digit saying 2000.
    expect(normalizeCpr('2902000234').ok).toBe(false) // 0-3: 1900
    expect(normalizeCpr('2902004234').ok).toBe(true) // 4, year <= 36: 2000
    expect(normalizeCpr('2902005234').ok).toBe(true) // 5-8, year <= 57: 2000
  })

  it('follows the rule table for every seventh digit', () => {
    expect(cprBirthDate('0101101234')?.year).toBe(1910)
    expect(cprBirthDate('0101363234')?.year).toBe(1936)
    expect(cprBirthDate('0101364234')?.year).toBe(2036)
    expect(cprBirthDate('0101374234')?.year).toBe(1937)
    expect(cprBirthDate('0101579234')?.year).toBe(1957)
    expect(cprBirthDate('0101369234')?.year).toBe(2036)
    expect(cprBirthDate('0101575234')?.year).toBe(2057)
    expect(cprBirthDate('0101585234')?.year).toBe(1858)
    expect(cprBirthDate('0101998234')?.year).toBe(1899)
  })

  it('does not apply the old modulus-11 check (numbers without it are issued since 2007)', () => {
    // 0101101234 fails modulus 11 (weights 4,3,2,7,6,5,4,3,2,1 sum to 36, not a multiple of 11) and is accepted.
    expect(normalizeCpr('0101101234')).toEqual({ ok: true, cpr: '0101101234' })
  })
})
