import { describe, expect, it } from 'vitest'
import { GuardianError } from '../client'
import { newAttempt, outcomeUnknown } from './attempt'
import { createSimulatedTerminal } from './terminal'

describe('the simulated card terminal', () => {
  it('answers with the chosen test card’s token and goes idle', async () => {
    const terminal = createSimulatedTerminal()
    const answer = terminal.present(10_000)
    expect(terminal.pending.value?.amountOre).toBe(10_000)
    terminal.pending.value!.choose('expired')
    await expect(answer).resolves.toEqual({ cardToken: 'tok_expired' })
    expect(terminal.pending.value).toBeNull()
  })

  it('answers cancelled when the parent cancels, and when a new presentation replaces it', async () => {
    const terminal = createSimulatedTerminal()
    const first = terminal.present(5_000)
    const second = terminal.present(7_000)
    await expect(first).resolves.toEqual({ cancelled: true })
    expect(terminal.pending.value?.amountOre).toBe(7_000)
    terminal.pending.value!.cancel()
    await expect(second).resolves.toEqual({ cancelled: true })
  })
})

describe('payment attempts', () => {
  it('get a fresh key each, and keep it for their body', () => {
    let n = 0
    const a = newAttempt({ amount: 100 }, () => `key-${++n}`)
    const b = newAttempt({ amount: 100 }, () => `key-${++n}`)
    expect(a).toEqual({ key: 'key-1', body: { amount: 100 } })
    expect(b.key).not.toBe(a.key)
  })

  it('are retried with the same key only when the answer was lost', () => {
    expect(outcomeUnknown(new GuardianError(0, 'server-unreachable', 'x'))).toBe(true)
    expect(outcomeUnknown(new GuardianError(502, 'http-502', 'x'))).toBe(true)
    expect(outcomeUnknown(new GuardianError(402, 'card-expired', 'x'))).toBe(false)
    expect(outcomeUnknown(new GuardianError(409, 'account-blocked', 'x'))).toBe(false)
  })
})
