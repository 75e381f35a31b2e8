import { describe, expect, it } from 'vitest'
import { addDays, copenhagenDay, dayState, isoWeekday, nextDays, startDay } from './days'

describe('the pickup days offered', () => {
  it('counts today by Copenhagen, not UTC: 23:30 UTC on 30 November is already 1 December there', () => {
    expect(copenhagenDay(new Date('2026-11-30T23:30:00Z'))).toBe('2026-12-01')
    expect(copenhagenDay(new Date('2026-11-30T22:59:00Z'))).toBe('2026-11-30')
    // Summer time: UTC+2.
    expect(copenhagenDay(new Date('2026-06-30T22:30:00Z'))).toBe('2026-07-01')
  })

  it('lists today and the next days across a month, a year and the DST change', () => {
    expect(nextDays(new Date('2026-12-30T10:00:00Z'), 4)).toEqual(['2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02'])
    expect(nextDays(new Date('2027-03-27T12:00:00Z'), 3)).toEqual(['2027-03-27', '2027-03-28', '2027-03-29'])
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29')
  })

  it('knows the weekday', () => {
    expect(isoWeekday('2026-11-30')).toBe(1)
    expect(isoWeekday('2026-12-06')).toBe(7)
  })

  it('tells a closed day from one past its cut-off', () => {
    expect(dayState({ open: false, closed: true })).toBe('closed')
    expect(dayState({ open: false, closed: false })).toBe('cut-off-passed')
    expect(dayState({ open: true, closed: false })).toBe('open')
  })

  it('starts on the chosen day while it takes orders, else the first day that does', () => {
    const menus = [
      { day: '2026-11-30', open: false, closed: false },
      { day: '2026-12-01', open: true, closed: false },
      { day: '2026-12-02', open: true, closed: false },
    ]
    expect(startDay(menus, '2026-12-02')).toBe('2026-12-02')
    expect(startDay(menus, '2026-11-30')).toBe('2026-12-01')
    expect(startDay(menus, null)).toBe('2026-12-01')
    expect(startDay([{ day: '2026-11-30', open: false, closed: true }], null)).toBe('2026-11-30')
    expect(startDay([], null)).toBeNull()
  })
})
