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
