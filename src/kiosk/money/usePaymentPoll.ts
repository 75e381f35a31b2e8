/**
 * Waits for a card payment to settle: the provider captures after a moment and tells the server
 * (a webhook in real life), so the screen asks the server until the payment is captured or has
 * failed. Stops when the screen goes away; after `limit` tries it gives up and says so (the
 * money is then booked later, and shows on the balance).
 */
import { getCurrentInstance, onBeforeUnmount } from 'vue'
import type { GuardianClient } from '../client'
import { moneyApi } from './api'
import type { Payment } from './types'

export type PollEnd = { kind: 'captured'; payment: Payment } | { kind: 'failed'; payment: Payment } | { kind: 'timeout' } | { kind: 'stopped' }

const FAILED = new Set(['declined', 'failed', 'refunded'])

/** `stillHere`: called at each ask, so the kiosk's idle wipe does not end a parent's session while they wait for their payment. */
export function usePaymentPoll(client: () => GuardianClient, stillHere: () => void = () => {}, intervalMs = 800, limit = 60) {
  let stopped = false
  if (getCurrentInstance()) {
    onBeforeUnmount(() => {
      stopped = true
    })
  }

  async function waitFor(paymentId: string): Promise<PollEnd> {
    for (let i = 0; i < limit && !stopped; i++) {
      stillHere()
      try {
        const payment = await moneyApi.payment(client(), paymentId)
        if (payment.status === 'captured') return { kind: 'captured', payment }
        if (FAILED.has(payment.status)) return { kind: 'failed', payment }
      } catch {
        // A lost answer says nothing about the payment: ask again.
      }
      await new Promise((r) => setTimeout(r, intervalMs))
    }
    return stopped ? { kind: 'stopped' } : { kind: 'timeout' }
  }

  return { waitFor }
}
