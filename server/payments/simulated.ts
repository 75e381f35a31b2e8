/**
 * A stand-in for a real card-payment provider, for development, demos and tests. It behaves the
 * way real ones do where it matters to Kantine:
 * - authorise now, capture later: `capture` answers `capture-pending` and the outcome arrives as
 *   an event after `captureDelayMs` (a webhook in real life);
 * - declines by card: the test tokens below, like a provider's published test cards;
 * - idempotency keys: a repeated call returns the first call's answer and does nothing new;
 * - it remembers: given a database (`simulatedStore(db)`), its payments, saved cards and answers
 *   live in the sim_provider_* tables, so a restart forgets no saved card (a real provider does
 *   not forget either), and a capture whose event was not delivered before a restart is
 *   delivered after it (`resume`), as a provider redelivers a webhook. Without one (unit tests),
 *   in memory.
 */
import { randomUUID } from 'node:crypto'
import type { Sql } from '../db'
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

interface StoredAgreement {
  cardToken: string
  active: boolean
}

/** Where the simulated provider keeps what a real one keeps on its side. */
export interface SimulatedStore {
  /** The first answer stored under `key`: `answer` if it is the first, else the earlier one. */
  keepAnswer(key: string, answer: unknown): Promise<unknown>
  answer(key: string): Promise<unknown>
  payment(id: string): Promise<StoredPayment | undefined>
  savePayment(p: StoredPayment): Promise<void>
  agreement(id: string): Promise<StoredAgreement | undefined>
  saveAgreement(id: string, a: StoredAgreement): Promise<void>
  pendingCaptures(): Promise<StoredPayment[]>
}

export function memoryStore(): SimulatedStore {
  const answers = new Map<string, unknown>()
  const payments = new Map<string, StoredPayment>()
  const agreements = new Map<string, StoredAgreement>()
  return {
    async keepAnswer(key, answer) {
      if (!answers.has(key)) answers.set(key, answer)
      return answers.get(key)
    },
    answer: async (key) => answers.get(key),
    payment: async (id) => (payments.has(id) ? { ...payments.get(id)! } : undefined),
    savePayment: async (p) => void payments.set(p.id, { ...p }),
    agreement: async (id) => agreements.get(id),
    saveAgreement: async (id, a) => void agreements.set(id, { ...a }),
    pendingCaptures: async () => [...payments.values()].filter((p) => p.status === 'capture-pending').map((p) => ({ ...p })),
  }
}

interface PaymentRow {
  id: string
  amount: number
  status: StoredPayment['status']
  decline_reason: DeclineReason | null
  card_token: string
  refunded: number
}

const fromRow = (r: PaymentRow): StoredPayment => ({
  id: r.id,
  amount: Number(r.amount),
  status: r.status,
  ...(r.decline_reason ? { declineReason: r.decline_reason } : {}),
  cardToken: r.card_token,
  refunded: Number(r.refunded),
})

/** The provider's side, in the server's own database (migration 0007). */
export function simulatedStore(sql: Sql): SimulatedStore {
  return {
    async keepAnswer(key, answer) {
      await sql.query('INSERT INTO sim_provider_answers (key, answer) VALUES ($1, $2::text::jsonb) ON CONFLICT (key) DO NOTHING', [key, JSON.stringify(answer)])
      return this.answer(key)
    },
    async answer(key) {
      const { rows } = await sql.query<{ answer: string }>('SELECT answer::text AS answer FROM sim_provider_answers WHERE key = $1', [key])
      return rows[0] ? JSON.parse(rows[0].answer) : undefined
    },
    async payment(id) {
      const { rows } = await sql.query<PaymentRow>('SELECT * FROM sim_provider_payments WHERE id = $1', [id])
      return rows[0] ? fromRow(rows[0]) : undefined
    },
    async savePayment(p) {
      await sql.query(
        `INSERT INTO sim_provider_payments (id, amount, status, decline_reason, card_token, refunded) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, refunded = excluded.refunded`,
        [p.id, p.amount, p.status, p.declineReason ?? null, p.cardToken, p.refunded],
      )
    },
    async agreement(id) {
      const { rows } = await sql.query<{ card_token: string; active: boolean }>('SELECT card_token, active FROM sim_provider_agreements WHERE id = $1', [id])
      return rows[0] ? { cardToken: rows[0].card_token, active: rows[0].active } : undefined
    },
    async saveAgreement(id, a) {
      await sql.query(
        'INSERT INTO sim_provider_agreements (id, card_token, active) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET active = excluded.active',
        [id, a.cardToken, a.active],
      )
    },
    async pendingCaptures() {
      const { rows } = await sql.query<PaymentRow>(`SELECT * FROM sim_provider_payments WHERE status = 'capture-pending' ORDER BY id`)
      return rows.map(fromRow)
    },
  }
}

export interface SimulatedProviderOptions {
  /** How long a capture takes before its event arrives. */
  captureDelayMs?: number
  /** Default: in memory (forgotten at restart). */
  store?: SimulatedStore
}

export class SimulatedProvider implements PaymentProvider {
  private readonly store: SimulatedStore
  private readonly listeners = new Set<(event: ProviderEvent) => void>()
  private readonly timers = new Set<Promise<void>>()
  /** Card state that changed after the card was saved (it expired, the bank blocked it). */
  private readonly cardState = new Map<string, DeclineReason>()
  private readonly captureDelayMs: number

  constructor(opts: SimulatedProviderOptions = {}) {
    this.captureDelayMs = opts.captureDelayMs ?? 20
    this.store = opts.store ?? memoryStore()
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
  private async once<T>(scope: string, key: string, work: () => Promise<T>): Promise<T> {
    const k = `${scope}:${key}`
    const earlier = await this.store.answer(k)
    if (earlier !== undefined) return earlier as T
    return (await this.store.keepAnswer(k, await work())) as T
  }

  private view(p: StoredPayment): ProviderPayment {
    return { id: p.id, amount: p.amount, status: p.status, ...(p.declineReason ? { declineReason: p.declineReason } : {}) }
  }

  async createPayment(req: PaymentRequest): Promise<ProviderPayment> {
    return this.once('create', req.idempotencyKey, async () => {
      const reason = this.decline(req.cardToken)
      const p: StoredPayment = {
        id: `sim_pay_${randomUUID()}`,
        amount: req.amount,
        status: reason ? 'declined' : 'authorized',
        ...(reason ? { declineReason: reason } : {}),
        cardToken: req.cardToken,
        refunded: 0,
      }
      await this.store.savePayment(p)
      return this.view(p)
    })
  }

  async capture(paymentId: string, idempotencyKey: string): Promise<ProviderPayment> {
    return this.once('capture', idempotencyKey, async () => {
      const p = await this.store.payment(paymentId)
      if (!p) throw new Error(`simulated provider: no payment ${paymentId}`)
      if (p.status !== 'authorized') return this.view(p)
      p.status = 'capture-pending'
      await this.store.savePayment(p)
      this.settleLater(p)
      return this.view(p)
    })
  }

  async refund(paymentId: string, amount: number, idempotencyKey: string): Promise<ProviderPayment> {
    return this.once('refund', idempotencyKey, async () => {
      const p = await this.store.payment(paymentId)
      if (!p) throw new Error(`simulated provider: no payment ${paymentId}`)
      if (p.status !== 'captured' || p.refunded + amount > p.amount) throw new Error(`simulated provider: cannot refund ${amount} of ${paymentId}`)
      p.refunded += amount
      if (p.refunded === p.amount) p.status = 'refunded'
      await this.store.savePayment(p)
      return this.view(p)
    })
  }

  async cancel(paymentId: string, idempotencyKey: string): Promise<ProviderPayment> {
    return this.once('cancel', idempotencyKey, async () => {
      const p = await this.store.payment(paymentId)
      if (!p) throw new Error(`simulated provider: no payment ${paymentId}`)
      if (p.status !== 'authorized') throw new Error(`simulated provider: cannot cancel ${paymentId} (${p.status})`)
      p.status = 'cancelled'
      await this.store.savePayment(p)
      return this.view(p)
    })
  }

  async createAgreement(req: AgreementRequest): Promise<ProviderAgreement> {
    return this.once('agreement', req.idempotencyKey, async (): Promise<ProviderAgreement> => {
      const id = `sim_agr_${randomUUID()}`
      const reason = this.decline(req.cardToken)
      if (reason) return { id, status: 'declined', declineReason: reason }
      await this.store.saveAgreement(id, { cardToken: req.cardToken, active: true })
      return { id, status: 'active' }
    })
  }

  async chargeAgreement(req: ChargeRequest): Promise<ChargeResult> {
    return this.once('charge', req.idempotencyKey, async (): Promise<ChargeResult> => {
      const agreement = await this.store.agreement(req.agreementId)
      if (!agreement?.active) return { ok: false, reason: 'agreement-inactive' }
      const reason = this.decline(agreement.cardToken)
      if (reason) return { ok: false, reason }
      const p: StoredPayment = { id: `sim_pay_${randomUUID()}`, amount: req.amount, status: 'captured', cardToken: agreement.cardToken, refunded: 0 }
      await this.store.savePayment(p)
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

  /** Delivers the events of captures a restart interrupted (a provider redelivers its webhooks). */
  async resume(): Promise<void> {
    for (const p of await this.store.pendingCaptures()) this.settleLater(p)
  }

  private settleLater(p: StoredPayment): void {
    const timer: Promise<void> = new Promise<void>((resolve) => setTimeout(resolve, this.captureDelayMs))
      .then(async () => {
        // A card that went bad between authorisation and capture (setCardState): the capture fails.
        const reason = this.cardState.get(p.cardToken)
        if (reason) {
          await this.store.savePayment({ ...p, status: 'declined', declineReason: reason })
          this.emit({ type: 'payment.capture-failed', paymentId: p.id, reason })
          return
        }
        await this.store.savePayment({ ...p, status: 'captured' })
        this.emit({ type: 'payment.captured', paymentId: p.id, amount: p.amount })
      })
      // Left capture-pending: `resume` at the next start delivers it.
      .catch(() => {})
      .finally(() => this.timers.delete(timer))
    this.timers.add(timer)
  }

  private emit(event: ProviderEvent): void {
    for (const listener of this.listeners) listener(event)
  }
}
