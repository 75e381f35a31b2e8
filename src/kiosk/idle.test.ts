import { describe, expect, it } from 'vitest'
import { COUNTDOWN_SECONDS, DEFAULT_IDLE_SECONDS, idlePhase, idleSeconds } from './idle'

describe('the kiosk idle wipe', () => {
  it('waits 60 s unless the address or the kiosk says otherwise', () => {
    expect(idleSeconds('')).toBe(DEFAULT_IDLE_SECONDS)
    expect(idleSeconds('?kioskIdle=3')).toBe(3)
    expect(idleSeconds('', 90)).toBe(90)
    expect(idleSeconds('?kioskIdle=5', 90)).toBe(5)
  })

  it('ignores a setting that is not a sane whole number of seconds', () => {
    for (const bad of ['?kioskIdle=0', '?kioskIdle=-4', '?kioskIdle=2.5', '?kioskIdle=abc', '?kioskIdle=100000', '?kioskIdle=']) {
      expect(idleSeconds(bad), bad).toBe(DEFAULT_IDLE_SECONDS)
    }
    expect(idleSeconds('', '30')).toBe(DEFAULT_IDLE_SECONDS)
  })

  it('counts down at least 20 s after the quiet spell, then wipes', () => {
    expect(COUNTDOWN_SECONDS).toBeGreaterThanOrEqual(20)
    const idleMs = 60_000
    expect(idlePhase(59_999, 0, idleMs)).toEqual({ phase: 'active' })
    expect(idlePhase(60_000, 0, idleMs)).toEqual({ phase: 'countdown', secondsLeft: 20 })
    expect(idlePhase(79_001, 0, idleMs)).toEqual({ phase: 'countdown', secondsLeft: 1 })
    expect(idlePhase(80_000, 0, idleMs)).toEqual({ phase: 'wipe' })
  })

  it('starts over after a touch', () => {
    expect(idlePhase(100_000, 70_000, 60_000)).toEqual({ phase: 'active' })
  })
})
