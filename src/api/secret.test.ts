import { describe, expect, it } from 'vitest'
import { backoffMs, eventsUrl } from './secret'

describe('the events socket', () => {
  it('goes to the same host and carries no secret in its address (the cookie does)', () => {
    expect(eventsUrl('http://127.0.0.1:5199')).toBe('ws://127.0.0.1:5199/events')
  })
})

describe('reconnecting the events socket', () => {
  it('backs off from half a second up to fifteen seconds', () => {
    const mid = () => 0.5
    expect(backoffMs(0, mid)).toBe(500)
    expect(backoffMs(1, mid)).toBe(1000)
    expect(backoffMs(3, mid)).toBe(4000)
    expect(backoffMs(30, mid)).toBe(15_000)
  })
})
