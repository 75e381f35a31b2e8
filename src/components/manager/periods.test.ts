import { describe, expect, it } from 'vitest'
import { addDays, copenhagenToday, periodRange, rangeInvalid } from './periods'

describe('report periods', () => {
  it('are Copenhagen days: 23:30 UTC on the 30th is already the 1st there', () => {
    expect(copenhagenToday(new Date('2026-11-30T23:30:00Z'))).toBe('2026-12-01')
  })

  it('name their days up to today', () => {
    const sunday = new Date('2026-11-29T10:00:00Z')
    expect(periodRange('today', sunday)).toEqual({ from: '2026-11-29', to: '2026-11-29' })
    expect(periodRange('week', sunday)).toEqual({ from: '2026-11-23', to: '2026-11-29' })
    expect(periodRange('month', sunday)).toEqual({ from: '2026-11-01', to: '2026-11-29' })
    expect(periodRange('days31', sunday)).toEqual({ from: '2026-10-30', to: '2026-11-29' })
    expect(addDays('2026-03-29', 1)).toBe('2026-03-30')
  })

  it('refuses a period that is not two dates in order', () => {
    expect(rangeInvalid('2026-11-01', '2026-11-30')).toBe(false)
    expect(rangeInvalid('2026-11-30', '2026-11-01')).toBe(true)
    expect(rangeInvalid('', '2026-11-01')).toBe(true)
  })
})
