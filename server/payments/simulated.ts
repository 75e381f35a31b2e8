/**
 * A stand-in for a real card-payment provider, for development, demos and tests. It behaves the
 * way real ones do where it matters to Kantine:
 * - authorise now, capture later: `capture` answers `capture-pending` and the outcome arrives as
 *   an event after `captureDelayMs` (a webhook in real life);
 * - declines by card: the test tokens below, like a provider's published test cards;
 * - idempotency keys: a repeated call returns the first call's answer and does nothing new.
 */
import { randomUUID } from 'node:crypto'
import type {
  AgreementRequest,
  ChargeRequest,
  ChargeResult,
  DeclineReason,
  PaymentProvider,
  PaymentRequest,
  ProviderAgreement,
  ProviderEvent,
  ProviderPayment,
} from './provider'

export const TEST_CARDS = {
  ok: 'tok_visa',
  declined: 'tok_declined',
  expired: 'tok_expired',
  blocked: 'tok_blocked',
  insufficientFunds: 'tok_insufficient_funds',
} as const

const DECLINES: Record<string, DeclineReason> = {
  [TEST_CARDS.declined]: 'card-declined',
  [TEST_CARDS.expired]: 'card-expired',
  [TEST_CARDS.blocked]: 'card-blocked',
  [TEST_CARDS.insufficientFunds]: 'insufficient-funds',
}

interface StoredPayment extends ProviderPayment {
  cardToken: string
  refunded: number
}

export interface SimulatedProviderOptions {
  /** How long a capture takes before its event arrives. */
  captureDelayMs?: number
}

export class SimulatedProvider implements PaymentProvider {
  private readonly payments = new Map<string, StoredPayment>()
  private readonly agreements = new Map<string, { cardToken: string; active: boolean }>()
  private readonly answers = new Map<string, unknown>()
  private readonly listeners = new Set<(event: ProviderEvent) => void>()
  private readonly timers = new Set<Promise<void>>()
  /** Card state that changed after the card was saved (it expired, the bank blocked it). */
  private readonly cardState = new Map<string, DeclineReason>()
  private readonly captureDelayMs: number

  constructor(opts: SimulatedProviderOptions = {}) {
    this.captureDelayMs = opts.captureDelayMs ?? 20
  }

  /** Test hook: a saved card that was fine becomes expired, blocked, ... (or fine again with null). */
  setCardState(cardToken: string, reason: DeclineReason | null): void {
    if (reason) this.cardState.set(cardToken, reason)
    else this.cardState.delete(cardToken)
  }

  private decline(cardToken: string): DeclineReason | undefined {
    return this.cardState.get(cardToken) ?? DECLINES[cardToken]
  }

  /** Same key, same answer; the work runs only the first time. */
  private once<T>(scope: string, key: string, work: () => T): T {
    const k = `${scope}:${key}`
    if (this.answers.has(k)) return this.answers.get(k) as T
    const answer = work()
    this.answers.set(k, answer)
    return answer
  }

  private view(p: StoredPayment): ProviderPayment {
    return { id: p.id, amount: p.amount, status: p.status, ...(p.declineReason ? { declineReason: p.declineReason } : {}) }
  }

  async createPayment(req: PaymentRequest): Promise<ProviderPayment> {
    return this.once('create', req.idempotencyKey, () => {
      const reason = this.decline(req.cardToken)
      const p: StoredPayment = {
        id: `sim_pay_${randomUUID()}`,
        amount: req.amount,
        status: reason ? 'declined' : 'authorized',
        ...(reason ? { declineReason: reason } : {}),
        cardToken: req.cardToken,
        refunded: 0,
      }
      this.payments.set(p.id, p)
      return this.view(p)
    })
  }

  async capture(paymentId: string, idempotencyKey: string): Promise<ProviderPayment> {
    return this.once('capture', idempotencyKey, () => {
      const p = this.payments.get(paymentId)
      if (!p) throw new Error(`simulated provider: no payment ${paymentId}`)
      if (p.status !== 'authorized') return this.view(p)
      p.status = 'capture-pending'
      this.later(() => {
        p.status = 'captured'
        this.emit({ type: 'payment.captured', paymentId: p.id, amount: p.amount })
      })
      return this.view(p)
    })
  }

  async refund(paymentId: string, amount: number, idempotencyKey: string): Promise<ProviderPayment> {
    return this.once('refund', idempotencyKey, () => {
      const p = this.payments.get(paymentId)
      if (!p) throw new Error(`simulated provider: no payment ${paymentId}`)
      if (p.status !== 'captured' || p.refunded + amount > p.amount) throw new Error(`simulated provider: cannot refund ${amount} of ${paymentId}`)
      p.refunded += amount
      if (p.refunded === p.amount) p.status = 'refunded'
      return this.view(p)
    })
  }

  async createAgreement(req: AgreementRequest): Promise<ProviderAgreement> {
    return this.once('agreement', req.idempotencyKey, (): ProviderAgreement => {
      const id = `sim_agr_${randomUUID()}`
      const reason = this.decline(req.cardToken)
      if (reason) return { id, status: 'declined', declineReason: reason }
      this.agreements.set(id, { cardToken: req.cardToken, active: true })
      return { id, status: 'active' }
    })
  }

  async chargeAgreement(req: ChargeRequest): Promise<ChargeResult> {
    return this.once('charge', req.idempotencyKey, (): ChargeResult => {
      const agreement = this.agreements.get(req.agreementId)
      if (!agreement?.active) return { ok: false, reason: 'agreement-inactive' }
      const reason = this.decline(agreement.cardToken)
      if (reason) return { ok: false, reason }
      const p: StoredPayment = { id: `sim_pay_${randomUUID()}`, amount: req.amount, status: 'captured', cardToken: agreement.cardToken, refunded: 0 }
      this.payments.set(p.id, p)
      return { ok: true, paymentId: p.id }
    })
  }

  onEvent(listener: (event: ProviderEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Captures whose event has not been delivered yet. */
  pending(): number {
    return this.timers.size
  }

  /** Resolves when no capture is pending (its event has been delivered). */
  async idle(): Promise<void> {
    while (this.timers.size > 0) await Promise.all([...this.timers])
  }

  private later(fn: () => void): void {
    const timer: Promise<void> = new Promise<void>((resolve) => setTimeout(resolve, this.captureDelayMs)).then(fn).finally(() => this.timers.delete(timer))
    this.timers.add(timer)
  }

  private emit(event: ProviderEvent): void {
    for (const listener of this.listeners) listener(event)
  }
}
