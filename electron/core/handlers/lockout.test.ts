import { describe, expect, it } from 'vitest'
import { FREE_TRIES, lockoutSeconds } from './lockout'

describe('wrong PINs make the next try wait longer and longer', () => {
  it('lets a few slips go, then waits 30 s, 1 min, 2 min, 5 min … up to a cap', () => {
    expect(Array.from({ length: FREE_TRIES }, (_, i) => lockoutSeconds(i + 1))).toEqual([0, 0, 0])
    expect([4, 5, 6, 7, 8, 9, 10, 50].map(lockoutSeconds)).toEqual([30, 60, 120, 300, 600, 900, 900, 900])
  })
})
