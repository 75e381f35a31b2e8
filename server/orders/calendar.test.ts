import { describe, expect, it } from 'vitest'
import { addDays, copenhagenInstant, cutoffAt, isoWeekday, todayAndTomorrow } from './calendar'

describe('the webshop cut-off, in Copenhagen time', () => {
  const rules = [
    { weekday: 1, daysBefore: 1, time: '12:00' }, // Monday's orders close Sunday noon
    { weekday: 2, daysBefore: 0, time: '09:00' }, // Tuesday's at 09:00 the same morning
  ]

  it('closes a Tuesday at 09:00 that morning and a Monday at noon the day before', () => {
    expect(cutoffAt('2026-11-24', rules).toISOString()).toBe('2026-11-24T08:00:00.000Z')
    expect(cutoffAt('2026-11-30', rules).toISOString()).toBe('2026-11-29T11:00:00.000Z')
  })

  it('uses 09:00 on the pickup day for a weekday without a rule', () => {
    expect(isoWeekday('2026-11-25')).toBe(3)
    expect(cutoffAt('2026-11-25', rules).toISOString()).toBe('2026-11-25T08:00:00.000Z')
  })

  it('keeps 09:00 on the kitchen clock on the day summer time begins (an hour earlier in UTC)', () => {
    // 2026-03-29 is a Sunday: clocks go 02:00 -> 03:00.
    expect(copenhagenInstant('2026-03-29', '09:00').toISOString()).toBe('2026-03-29T07:00:00.000Z')
    expect(copenhagenInstant('2026-03-28', '09:00').toISOString()).toBe('2026-03-28T08:00:00.000Z')
    // Monday 2026-03-30's orders close Sunday noon, in summer time.
    expect(cutoffAt('2026-03-30', rules).toISOString()).toBe('2026-03-29T10:00:00.000Z')
  })

  it('keeps 09:00 on the day summer time ends, and a cut-off the day before straddles the change', () => {
    // 2026-10-25 is a Sunday: clocks go 03:00 -> 02:00.
    expect(copenhagenInstant('2026-10-25', '09:00').toISOString()).toBe('2026-10-25T08:00:00.000Z')
    expect(copenhagenInstant('2026-10-24', '09:00').toISOString()).toBe('2026-10-24T07:00:00.000Z')
    // Monday 2026-10-26: noon on Sunday, winter time.
    expect(cutoffAt('2026-10-26', rules).toISOString()).toBe('2026-10-25T11:00:00.000Z')
  })

  it('counts days across month ends and knows today and tomorrow in Copenhagen, not UTC', () => {
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01')
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28')
    // 23:30 UTC on the 24th is already the 25th in Copenhagen.
    expect(todayAndTomorrow(new Date('2026-11-24T23:30:00Z'))).toEqual({ today: '2026-11-25', tomorrow: '2026-11-26' })
  })
})
