/**
 * What Kantine needs from a card-payment provider (Nets Easy, Stripe, Adyen and the like all fit):
 * authorise, capture (asynchronous: the provider reports completion as an event, like a webhook),
 * refund, and a saved card ("agreement") for merchant-initiated auto top-up charges.
 * Every call carries an idempotency key: a retried call returns the first call's answer.
 */
export interface PaymentRequest {
  /** øre */
  amount: number
  /** The payment card as the provider's hosted form tokenised it; Kantine never sees card numbers. */
  cardToken: string
  /** Our reference, shown in the provider's dashboard (the payment's id in `payments`). */
  reference: string
  idempotencyKey: string
}

export type PaymentStatus = 'authorized' | 'declined' | 'capture-pending' | 'captured' | 'refunded' | 'cancelled'

export type DeclineReason = 'card-declined' | 'card-expired' | 'card-blocked' | 'insufficient-funds' | 'agreement-inactive'

export interface ProviderPayment {
  id: string
  amount: number
  status: PaymentStatus
  declineReason?: DeclineReason
}

export interface AgreementRequest {
  cardToken: string
  reference: string
  idempotencyKey: string
}

export type ProviderAgreement = { id: string; status: 'active' } | { id: string; status: 'declined'; declineReason: DeclineReason }

export interface ChargeRequest {
  agreementId: string
  amount: number
  reference: string
  idempotencyKey: string
}

export type ChargeResult = { ok: true; paymentId: string } | { ok: false; reason: DeclineReason }

export type ProviderEvent =
  | { type: 'payment.captured'; paymentId: string; amount: number }
  | { type: 'payment.capture-failed'; paymentId: string; reason: DeclineReason }

export interface PaymentProvider {
  createPayment(req: PaymentRequest): Promise<ProviderPayment>
  /** Answers `capture-pending`; the outcome arrives later as a `payment.captured`/`capture-failed` event. */
  capture(paymentId: string, idempotencyKey: string): Promise<ProviderPayment>
  refund(paymentId: string, amount: number, idempotencyKey: string): Promise<ProviderPayment>
  /** Releases an authorisation that was never captured (a webshop order cancelled before its cut-off): answers `cancelled`. */
  cancel(paymentId: string, idempotencyKey: string): Promise<ProviderPayment>
  createAgreement(req: AgreementRequest): Promise<ProviderAgreement>
  /** A merchant-initiated charge on a saved card, captured at once or declined. */
  chargeAgreement(req: ChargeRequest): Promise<ChargeResult>
  /** The provider's notifications (a webhook in real life). Returns an unsubscribe function. */
  onEvent(listener: (event: ProviderEvent) => void): () => void
}
