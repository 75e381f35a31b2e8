/**
 * The guardian's money routes (money.ts does the work): thin, zod at the edge (`.strict()`
 * bodies), a refusal mapped to `{ error, message }`. Amounts are øre on the wire.
 *
 *   GET    /guardian/terms                           the payment terms in full, and their version
 *   POST   /guardian/accounts/:id/deposits           top-up by payment card -> 202 { paymentId, status }
 *   GET    /guardian/payments/:paymentId             a payment's status
 *   GET    /guardian/accounts/:id/auto-topup         the agreement, and why it stopped
 *   PUT    /guardian/accounts/:id/auto-topup         create one
 *   DELETE /guardian/accounts/:id/auto-topup         cancel it
 *   POST   /guardian/accounts/:id/payouts            -> 201 { payout, balance }
 *   GET    /guardian/accounts/:id/payouts
 *   POST   /guardian/accounts/:id/cards              a new card for 25 kr -> 201 { account, newCard }
 */
import { z } from 'zod'
import { HttpError, parseInput } from '../platform/errors'
import { AccountParams, answer, perGuardian, type GuardianArea, type Refusals } from './http'
import { cancelAutoTopup, createAutoTopup, autoTopupOf, depositByGuardian, orderNewCard, paymentForGuardian, payoutsOf, requestPayout } from './money'
import { TERMS } from './money-terms'
import { guardianOf } from './session'

/** Writes that move money or save a card, per guardian and minute. */
const MONEY_WRITES_PER_MINUTE = 30

const IdempotencyKey = z.string().min(8).max(100)
// Any integer: money.ts answers an amount out of range with its own reason ('amount-invalid').
const Amount = z.number().int().min(-100_000_000).max(100_000_000)

const DepositRequest = z
  .object({
    amount: Amount,
    receiptEmail: z.string().max(254),
    acceptedTermsVersion: z.string().max(64),
    cardToken: z.string().min(1).max(200),
    idempotencyKey: IdempotencyKey,
  })
  .strict()
const AutoTopupRequest = z
  .object({ amount: Amount, cardToken: z.string().min(1).max(200), acceptedTermsVersion: z.string().max(64), idempotencyKey: IdempotencyKey })
  .strict()
// Loose lengths here: money.ts checks the bank details and answers which one is wrong.
const PayoutRequest = z
  .object({
    amount: Amount,
    to: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('nemkonto') }).strict(),
      z.object({ kind: z.literal('bank'), regNo: z.string().max(40), accountNo: z.string().max(40), name: z.string().max(200), message: z.string().max(1000).optional() }).strict(),
    ]),
    idempotencyKey: IdempotencyKey,
  })
  .strict()
const NewCardRequest = z.object({ idempotencyKey: IdempotencyKey }).strict()
const PaymentParams = z.object({ paymentId: z.string().min(1).max(64) })

const declined = (code: string, message: string) => () => new HttpError(402, code, message)

const paymentRefusals: Refusals = {
  'payments-off': () => new HttpError(503, 'payments-off', 'payments are off on this server: no payment provider is configured'),
  'account-blocked': () =>
    new HttpError(409, 'account-blocked', 'the card is blocked: a blocked card takes no deposits or automatic top-ups; unblock it first'),
  'terms-not-accepted': () => new HttpError(400, 'terms-not-accepted', 'accept the current payment terms (GET /guardian/terms) first'),
  'card-declined': declined('card-declined', 'the payment card was declined'),
  'agreement-inactive': declined('card-declined', 'the payment card was declined'),
  'card-expired': declined('card-expired', 'the payment card has expired'),
  'card-blocked': declined('card-blocked', 'the payment card is blocked'),
  'insufficient-funds': declined('insufficient-funds', 'the payment card has no funds for this amount'),
}

const depositRefusals: Refusals = {
  ...paymentRefusals,
  'amount-invalid': () => new HttpError(400, 'amount-invalid', 'a top-up is whole kroner from 20 to 2,000 kr (in øre: a multiple of 100, 2000 to 200000)'),
  'email-invalid': () => new HttpError(400, 'email-invalid', 'the receipt e-mail address is not valid'),
}

const autoTopupRefusals: Refusals = {
  ...paymentRefusals,
  'amount-invalid': () => new HttpError(400, 'amount-invalid', 'an automatic top-up is whole kroner from 50 to 1,000 kr (in øre: a multiple of 100, 5000 to 100000)'),
  'auto-topup-exists': () =>
    new HttpError(409, 'auto-topup-exists', 'the account has an automatic top-up already (active or stopped): cancel it, then create a new one'),
  'auto-topup-none': () => new HttpError(404, 'auto-topup-none', 'the account has no automatic top-up to cancel'),
}

const payoutRefusals: Refusals = {
  'amount-invalid': () => new HttpError(400, 'amount-invalid', 'a payout is whole kroner, more than 0 (in øre: a multiple of 100)'),
  'amount-above-balance': () => new HttpError(409, 'amount-above-balance', 'the payout is more than the balance'),
  'reg-no-invalid': () => new HttpError(400, 'reg-no-invalid', 'a registration number is 4 digits'),
  'account-no-invalid': () => new HttpError(400, 'account-no-invalid', 'an account number is 1 to 10 digits'),
  'name-invalid': () => new HttpError(400, 'name-invalid', 'the account holder’s name is 1 to 70 characters'),
  'message-invalid': () => new HttpError(400, 'message-invalid', 'the message is at most 140 characters, on one line'),
}

const cardRefusals: Refusals = {
  'balance-below-fee': () => new HttpError(409, 'balance-below-fee', 'a new card costs 25 kr, and the balance is less than that'),
}

const paymentUnknown: Refusals = {
  'payment-unknown': () => new HttpError(404, 'payment-unknown', 'no such payment into any of your accounts'),
}

export const moneyRoutes: GuardianArea = async (own, { ctx }) => {
  const writes = { config: perGuardian(MONEY_WRITES_PER_MINUTE) }
  const accountId = (params: unknown) => parseInput(AccountParams, params, 'account id').id

  own.get('/guardian/terms', async () => TERMS)

  own.post('/guardian/accounts/:id/deposits', writes, async (request, reply) => {
    const id = accountId(request.params)
    const body = parseInput(DepositRequest, request.body, 'top-up')
    const started = answer(await depositByGuardian(ctx, guardianOf(request), id, body), depositRefusals)
    return reply.code(202).send(started)
  })

  own.get('/guardian/payments/:paymentId', async (request) => {
    const { paymentId } = parseInput(PaymentParams, request.params, 'payment id')
    return answer(await paymentForGuardian(ctx, guardianOf(request), paymentId), paymentUnknown)
  })

  own.get('/guardian/accounts/:id/auto-topup', async (request) => answer(await autoTopupOf(ctx, guardianOf(request), accountId(request.params))))

  own.put('/guardian/accounts/:id/auto-topup', writes, async (request) => {
    const id = accountId(request.params)
    const body = parseInput(AutoTopupRequest, request.body, 'automatic top-up')
    return answer(await createAutoTopup(ctx, guardianOf(request), id, body), autoTopupRefusals)
  })

  own.delete('/guardian/accounts/:id/auto-topup', async (request) => answer(await cancelAutoTopup(ctx, guardianOf(request), accountId(request.params)), autoTopupRefusals))

  own.post('/guardian/accounts/:id/payouts', writes, async (request, reply) => {
    const id = accountId(request.params)
    const body = parseInput(PayoutRequest, request.body, 'payout')
    return reply.code(201).send(answer(await requestPayout(ctx, guardianOf(request), id, body), payoutRefusals))
  })

  own.get('/guardian/accounts/:id/payouts', async (request) => answer(await payoutsOf(ctx, guardianOf(request), accountId(request.params))))

  own.post('/guardian/accounts/:id/cards', writes, async (request, reply) => {
    const id = accountId(request.params)
    const body = parseInput(NewCardRequest, request.body, 'new card order')
    return reply.code(201).send(answer(await orderNewCard(ctx, guardianOf(request), id, body.idempotencyKey), cardRefusals))
  })
}
