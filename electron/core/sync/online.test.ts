import { describe, expect, it } from 'vitest'
import { Reachability } from './online'

function clockAt(iso: string) {
  let t = Date.parse(iso)
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) }
}

describe('when the till counts as online', () => {
  it('is offline until its first exchange with the server succeeds', () => {
    const reach = new Reachability(clockAt('2026-11-24T10:00:00Z'))
    expect(reach.online()).toBe(false)
    reach.succeeded()
    expect(reach.online()).toBe(true)
  })

  it('stays online through one failed request, and goes offline at the second in a row', () => {
    const clock = clockAt('2026-11-24T10:00:00Z')
    const reach = new Reachability(clock)
    reach.succeeded()
    reach.failed() // one reset, one 503: no offline allowance for that
    expect(reach.online()).toBe(true)
    reach.failed()
    expect(reach.online()).toBe(false)
    clock.advance(1000)
    reach.succeeded()
    expect(reach.online()).toBe(true)
  })

  it('a failure between two successes does not add up with a later one', () => {
    const reach = new Reachability(clockAt('2026-11-24T10:00:00Z'))
    reach.succeeded()
    reach.failed()
    reach.succeeded()
    reach.failed()
    expect(reach.online()).toBe(true)
  })

  it('goes offline when no exchange has succeeded for the silence window, though none failed', () => {
    const clock = clockAt('2026-11-24T10:00:00Z')
    const reach = new Reachability(clock, { silenceMs: 90_000 })
    reach.succeeded()
    clock.advance(90_000)
    expect(reach.online()).toBe(true)
    clock.advance(1)
    expect(reach.online()).toBe(false)
  })
})
