import { describe, expect, it } from 'vitest'
import { periodKeys } from './periods'

describe('limit periods on the Copenhagen calendar', () => {
  it('counts a late-evening UTC sale on the next Danish day', () => {
    // 23:30 UTC on 24 Nov is 00:30 on 25 Nov in Copenhagen (CET, UTC+1)
    expect(periodKeys(new Date('2026-11-24T23:30:00Z')).day).toBe('2026-11-25')
  })
  it('uses summer time in summer', () => {
    expect(periodKeys(new Date('2026-06-30T22:30:00Z'))).toEqual({ day: '2026-07-01', week: '2026-W27', month: '2026-07' })
  })
  it('starts the week on Monday (ISO week) and numbers it by the ISO year', () => {
    expect(periodKeys(new Date('2026-11-22T12:00:00Z')).week).toBe('2026-W47') // Sunday
    expect(periodKeys(new Date('2026-11-23T12:00:00Z')).week).toBe('2026-W48') // Monday
    expect(periodKeys(new Date('2027-01-01T12:00:00Z')).week).toBe('2026-W53')
  })
})

// Copenhagen leaves CET (UTC+1) for CEST (UTC+2) at 01:00 UTC on the last Sunday of March (the
// clocks jump from 02:00 to 03:00) and returns at 01:00 UTC on the last Sunday of October (03:00
// back to 02:00). A sale in the hours around the switch must land on the Danish date, whatever
// offset the clock had a minute before.
describe('the night the clocks go forward (Sunday 29 March 2026)', () => {
  it('keeps Saturday until midnight CET and Sunday from then on', () => {
    expect(periodKeys(new Date('2026-03-28T22:59:59.999Z')).day).toBe('2026-03-28') // 23:59:59 CET
    expect(periodKeys(new Date('2026-03-28T23:00:00Z')).day).toBe('2026-03-29') // 00:00 CET
  })
  it('stays on Sunday across the missing hour', () => {
    expect(periodKeys(new Date('2026-03-29T00:59:59Z')).day).toBe('2026-03-29') // 01:59:59 CET
    expect(periodKeys(new Date('2026-03-29T01:00:00Z')).day).toBe('2026-03-29') // 03:00 CEST
    expect(periodKeys(new Date('2026-03-29T02:30:00Z')).day).toBe('2026-03-29') // 04:30 CEST
  })
  it('ends the 23-hour Sunday at 22:00 UTC', () => {
    expect(periodKeys(new Date('2026-03-29T21:59:59.999Z')).day).toBe('2026-03-29') // 23:59:59 CEST
    expect(periodKeys(new Date('2026-03-29T22:00:00Z'))).toEqual({ day: '2026-03-30', week: '2026-W14', month: '2026-03' })
  })
  it('counts the Sunday in the week that began on Monday 23 March', () => {
    expect(periodKeys(new Date('2026-03-29T01:30:00Z')).week).toBe('2026-W13')
    expect(periodKeys(new Date('2026-03-23T00:00:00Z')).week).toBe('2026-W13') // 01:00 CET Monday
  })
})

describe('the night the clocks go back (Sunday 25 October 2026)', () => {
  it('starts Sunday at 22:00 UTC on Saturday, still summer time', () => {
    expect(periodKeys(new Date('2026-10-24T21:59:59.999Z')).day).toBe('2026-10-24')
    expect(periodKeys(new Date('2026-10-24T22:00:00Z')).day).toBe('2026-10-25')
  })
  it('keeps both 02:30s (CEST then CET) on the same Sunday', () => {
    expect(periodKeys(new Date('2026-10-25T00:30:00Z')).day).toBe('2026-10-25') // 02:30 CEST
    expect(periodKeys(new Date('2026-10-25T01:30:00Z')).day).toBe('2026-10-25') // 02:30 CET, an hour later
    expect(periodKeys(new Date('2026-10-25T02:30:00Z')).day).toBe('2026-10-25') // 03:30 CET
  })
  it('ends the 25-hour Sunday at 23:00 UTC', () => {
    expect(periodKeys(new Date('2026-10-25T22:59:59.999Z'))).toEqual({ day: '2026-10-25', week: '2026-W43', month: '2026-10' })
    expect(periodKeys(new Date('2026-10-25T23:00:00Z'))).toEqual({ day: '2026-10-26', week: '2026-W44', month: '2026-10' })
  })
  it('closes October at 23:00 UTC on the 31st, in winter time', () => {
    expect(periodKeys(new Date('2026-10-31T22:59:59.999Z')).month).toBe('2026-10')
    expect(periodKeys(new Date('2026-10-31T23:00:00Z')).month).toBe('2026-11')
  })
})

describe('ISO weeks across the new year', () => {
  it('counts Monday 30 December 2024 in week 1 of 2025', () => {
    expect(periodKeys(new Date('2024-12-29T12:00:00Z')).week).toBe('2024-W52') // Sunday
    expect(periodKeys(new Date('2024-12-30T12:00:00Z'))).toEqual({ day: '2024-12-30', week: '2025-W01', month: '2024-12' })
    expect(periodKeys(new Date('2024-12-31T23:30:00Z'))).toEqual({ day: '2025-01-01', week: '2025-W01', month: '2025-01' })
  })
  it('starts 2025-W01 at Copenhagen midnight, an hour before UTC midnight', () => {
    expect(periodKeys(new Date('2024-12-29T22:59:59.999Z')).week).toBe('2024-W52')
    expect(periodKeys(new Date('2024-12-29T23:00:00Z')).week).toBe('2025-W01')
  })
  it('keeps 31 December 2026 and 1–3 January 2027 in 2026-W53, and starts 2027-W01 on Monday 4 January', () => {
    expect(periodKeys(new Date('2026-12-31T12:00:00Z')).week).toBe('2026-W53')
    expect(periodKeys(new Date('2026-12-31T23:00:00Z'))).toEqual({ day: '2027-01-01', week: '2026-W53', month: '2027-01' })
    expect(periodKeys(new Date('2027-01-03T22:59:59.999Z')).week).toBe('2026-W53')
    expect(periodKeys(new Date('2027-01-03T23:00:00Z'))).toEqual({ day: '2027-01-04', week: '2027-W01', month: '2027-01' })
  })
  it('puts 1 January 2021 in the last week of 2020 (a 53-week year)', () => {
    expect(periodKeys(new Date('2021-01-01T12:00:00Z')).week).toBe('2020-W53')
    expect(periodKeys(new Date('2021-01-04T12:00:00Z')).week).toBe('2021-W01')
  })
})

// A till whose clock went wrong can date a sale anywhere. The server flags it, and whatever
// totals it feeds must be those of its own date: the keys stay right far from today.
describe('dates a wrong clock could write', () => {
  it('numbers the ISO weeks of early years too (the first found by the property test)', () => {
    expect(periodKeys(Date.parse('0101-01-01T12:00:00Z')).week).toBe('0100-W52') // a Saturday
    expect(periodKeys(Date.parse('0101-01-03T12:00:00Z')).week).toBe('0101-W01') // Monday
  })
  it('writes year 0 as 0000 (1 BC), not as 0001', () => {
    expect(periodKeys(Date.parse('0000-06-15T12:00:00Z'))).toEqual({ day: '0000-06-15', week: '0000-W24', month: '0000-06' })
  })
  it('keeps the last evening of 9999 and the first day of 1970 on their own dates', () => {
    expect(periodKeys(Date.parse('9999-12-31T20:00:00Z')).day).toBe('9999-12-31')
    expect(periodKeys(0)).toEqual({ day: '1970-01-01', week: '1970-W01', month: '1970-01' })
  })
  it('refuses an invalid date rather than inventing a period for it', () => {
    expect(() => periodKeys(Number.NaN)).toThrow(RangeError)
    expect(() => periodKeys(new Date('not a date'))).toThrow(RangeError)
  })
})
