import { describe, expect, it } from 'vitest'
import { GuardianError } from '../client'
import { afterPollError } from './device-flow'

const refusal = (code: string, status = 400) => new GuardianError(status, code, code)

describe('polling for the phone sign-in', () => {
  it('asks again at the same pace while the parent is still signing in', () => {
    expect(afterPollError(refusal('authorization_pending'), 5)).toEqual({ next: 'wait', intervalSeconds: 5 })
  })

  it('adds 5 s each time the server says slow down', () => {
    const once = afterPollError(refusal('slow_down'), 5)
    expect(once).toEqual({ next: 'wait', intervalSeconds: 10 })
    expect(afterPollError(refusal('slow_down'), 10)).toEqual({ next: 'wait', intervalSeconds: 15 })
  })

  it('stops on a denial, and on an expired or used code', () => {
    expect(afterPollError(refusal('access_denied'), 5)).toEqual({ next: 'denied' })
    expect(afterPollError(refusal('expired_token'), 5)).toEqual({ next: 'expired' })
    expect(afterPollError(refusal('invalid_grant'), 5)).toEqual({ next: 'expired' })
  })

  it('keeps trying, marked offline, when the server cannot be reached', () => {
    expect(afterPollError(new GuardianError(0, 'server-unreachable', 'down'), 5)).toEqual({ next: 'wait', intervalSeconds: 5, offline: true })
    expect(afterPollError(new Error('bug'), 5)).toEqual({ next: 'wait', intervalSeconds: 5, offline: true })
  })
})
