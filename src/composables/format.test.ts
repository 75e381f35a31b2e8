import { describe, expect, it } from 'vitest'
import { clockTime, formatDayKey } from './format'

describe('dates and times on the till', () => {
  it('says a day key in words, in Danish and English, whatever the PC’s zone', () => {
    expect(formatDayKey('2026-11-30', 'da')).toBe('mandag den 30. november 2026')
    expect(formatDayKey('2026-11-30', 'en')).toBe('Monday, 30 November 2026')
    expect(formatDayKey('not-a-day', 'da')).toBe('not-a-day')
  })

  it('shows the day beside the time when it is not today', () => {
    const now = new Date('2026-11-30T12:00:00Z')
    expect(clockTime('2026-11-30T10:05:00Z', now)).toBe('11:05')
    expect(clockTime('2026-11-29T10:05:00Z', now)).toBe('29/11 11:05')
  })
})
