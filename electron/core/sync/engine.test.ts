import { describe, expect, it } from 'vitest'
import { backoffDelay } from './engine'

describe('retry backoff after a failed sync', () => {
  it('doubles per failure, from the base delay up to the maximum', () => {
    const top = () => 1 // the random half at its largest: the whole exponential delay
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, 1000, 60_000, top))).toEqual([1000, 2000, 4000, 8000, 16000])
    expect(backoffDelay(7, 1000, 60_000, top)).toBe(60_000)
    expect(backoffDelay(500, 1000, 60_000, top)).toBe(60_000)
  })
  it('keeps half of the delay fixed and spreads the other half, so tills do not retry in step', () => {
    expect(backoffDelay(3, 1000, 60_000, () => 0)).toBe(2000)
    expect(backoffDelay(3, 1000, 60_000, () => 0.5)).toBe(3000)
    const seen = new Set(Array.from({ length: 20 }, () => backoffDelay(4, 1000, 60_000, Math.random)))
    expect(seen.size).toBeGreaterThan(1)
    for (const d of seen) expect(d).toBeGreaterThanOrEqual(4000)
  })
})
