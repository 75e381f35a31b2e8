import { describe, expect, it } from 'vitest'
import { createGuardianClient, GuardianError, type GuardianRequest } from '../client'
import { moneyApi } from './api'
import { usePaymentPoll } from './usePaymentPoll'

/** A client whose server answers from a list, and which remembers what it was asked. */
function fakeClient(answers: { status: number; body: unknown }[]) {
  const asked: GuardianRequest[] = []
  const client = createGuardianClient(async (req) => {
    asked.push(req)
    return answers.shift() ?? { status: 0, body: null }
  })
  client.setSession('session-token')
  return { client, asked }
}

const payment = (status: string, failure: string | null = null) => ({
  status: 200,
  body: { id: 'p1', accountId: 'a-1', kind: 'deposit', amount: 10_000, status, failure, createdAt: '2026-03-02T10:00:00.000Z' },
})

describe('the money screens’ calls', () => {
  it('send a top-up to the account’s deposits with its key and session', async () => {
    const { client, asked } = fakeClient([{ status: 202, body: { paymentId: 'p1', status: 'capture-pending' } }])
    const body = { amount: 10_000, receiptEmail: 'a@b.dk', acceptedTermsVersion: 'v1', cardToken: 'tok_visa', idempotencyKey: 'key-12345' }
    await expect(moneyApi.deposit(client, 'a 1', body)).resolves.toEqual({ paymentId: 'p1', status: 'capture-pending' })
    expect(asked).toEqual([{ method: 'POST', path: '/guardian/accounts/a%201/deposits', body, session: 'session-token' }])
  })

  it('pass the server’s refusal on with its code', async () => {
    const { client } = fakeClient([{ status: 409, body: { error: 'amount-above-balance', message: 'the payout is more than the balance' } }])
    const refused = moneyApi.payout(client, 'a-1', { amount: 99_900, to: { kind: 'nemkonto' }, idempotencyKey: 'key-12345' })
    await expect(refused).rejects.toMatchObject({ status: 409, code: 'amount-above-balance' })
  })

  it('refuse an answer that is not what the screen would show, instead of showing NaN', async () => {
    const { client } = fakeClient([{ status: 200, body: { payouts: [{ id: 'x', amount: '5 kr', status: 'pending', to: { kind: 'nemkonto' }, createdAt: 'now' }] } }])
    const err = await moneyApi.payouts(client, 'a-1').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(GuardianError)
    expect(err).toMatchObject({ code: 'answer-malformed' })
  })

  it('ask for a statement with the period as query', async () => {
    const { client, asked } = fakeClient([{ status: 200, body: { from: '2026-03-01', to: '2026-03-31', purchases: [], movements: [], totals: { spent: 0, deposited: 0, fees: 0, payouts: 0 }, perDay: [] } }])
    await moneyApi.statement(client, 'a-1', '2026-03-01', '2026-03-31')
    expect(asked[0]).toMatchObject({ method: 'GET', path: '/guardian/accounts/a-1/statement', query: { from: '2026-03-01', to: '2026-03-31' } })
  })
})

describe('waiting for a payment', () => {
  it('asks until the capture, through lost answers, and keeps the kiosk awake meanwhile', async () => {
    const { client, asked } = fakeClient([payment('authorized'), { status: 0, body: null }, payment('captured')])
    let awake = 0
    const end = await usePaymentPoll(() => client, () => awake++, 1, 10).waitFor('p1')
    expect(end).toMatchObject({ kind: 'captured', payment: { status: 'captured' } })
    expect(asked.map((r) => r.path)).toEqual(['/guardian/payments/p1', '/guardian/payments/p1', '/guardian/payments/p1'])
    expect(awake).toBe(3)
  })

  it('stops at a decline, and gives up after its limit', async () => {
    const declined = fakeClient([payment('authorized'), payment('declined', 'insufficient-funds')])
    await expect(usePaymentPoll(() => declined.client, undefined, 1, 10).waitFor('p1')).resolves.toMatchObject({ kind: 'failed', payment: { failure: 'insufficient-funds' } })
    const slow = fakeClient([payment('authorized'), payment('authorized'), payment('authorized')])
    await expect(usePaymentPoll(() => slow.client, undefined, 1, 3).waitFor('p1')).resolves.toEqual({ kind: 'timeout' })
    expect(slow.asked).toHaveLength(3)
  })
})
