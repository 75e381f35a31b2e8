import { describe, expect, it } from 'vitest'
import { dateFromDigits, digitsFromDate, lastMonth, periodProblem, showDateDigits, thisMonth } from './period'

describe('report periods', () => {
  it('count months on the Copenhagen clock', () => {
    // 23:30 UTC on 31 January is already 1 February in Copenhagen.
    const now = new Date('2026-01-31T23:30:00Z')
    expect(thisMonth(now)).toEqual({ from: '2026-02-01', to: '2026-02-01' })
    expect(lastMonth(now)).toEqual({ from: '2026-01-01', to: '2026-01-31' })
  })

  it('go back over a new year and know February’s length', () => {
    expect(lastMonth(new Date('2026-01-15T12:00:00Z'))).toEqual({ from: '2025-12-01', to: '2025-12-31' })
    expect(lastMonth(new Date('2028-03-10T12:00:00Z'))).toEqual({ from: '2028-02-01', to: '2028-02-29' })
  })

  it('take dates typed as DDMMYYYY and refuse impossible ones', () => {
    expect(dateFromDigits('01032026')).toBe('2026-03-01')
    expect(dateFromDigits('29022027')).toBeNull()
    expect(dateFromDigits('32012026')).toBeNull()
    expect(dateFromDigits('0103202')).toBeNull()
    expect(digitsFromDate('2026-03-01')).toBe('01032026')
    expect(showDateDigits('010')).toBe('01.0')
    expect(showDateDigits('01032026')).toBe('01.03.2026')
  })

  it('refuse a period that is backwards or longer than 366 days', () => {
    expect(periodProblem('2026-01-01', '2026-01-31')).toBeNull()
    expect(periodProblem('2026-02-01', '2026-01-31')).toBe('from-after-to')
    expect(periodProblem('2025-01-01', '2026-01-01')).toBeNull()
    expect(periodProblem('2025-01-01', '2026-01-02')).toBe('too-long')
    expect(periodProblem(null, '2026-01-02')).toBe('date-invalid')
  })
})
