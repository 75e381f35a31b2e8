/**
 * The money screens' calls, each parsed at the edge (types.ts). Every function takes the
 * guardian client from the session store, so the screens never build paths by hand and a web
 * portal could reuse these unchanged with a fetch transport.
 */
import { accountPath, parsedCall, type GuardianClient } from '../client'
import {
  AutoTopupAnswerSchema,
  DepositStartedSchema,
  NewCardSchema,
  PaymentSchema,
  PayoutCreatedSchema,
  PayoutListSchema,
  PhotoSchema,
  StatementSchema,
  TermsSchema,
  type CropRect,
  type PayoutTarget,
} from './types'

const call = parsedCall
const account = accountPath

export const moneyApi = {
  terms: (c: GuardianClient) => call(c, TermsSchema, 'GET', '/guardian/terms'),

  deposit: (c: GuardianClient, accountId: string, body: { amount: number; receiptEmail: string; acceptedTermsVersion: string; cardToken: string; idempotencyKey: string }) =>
    call(c, DepositStartedSchema, 'POST', `${account(accountId)}/deposits`, { body }),

  payment: (c: GuardianClient, paymentId: string) => call(c, PaymentSchema, 'GET', `/guardian/payments/${encodeURIComponent(paymentId)}`),

  autoTopup: (c: GuardianClient, accountId: string) => call(c, AutoTopupAnswerSchema, 'GET', `${account(accountId)}/auto-topup`),

  createAutoTopup: (c: GuardianClient, accountId: string, body: { amount: number; cardToken: string; acceptedTermsVersion: string; idempotencyKey: string }) =>
    call(c, AutoTopupAnswerSchema, 'PUT', `${account(accountId)}/auto-topup`, { body }),

  cancelAutoTopup: (c: GuardianClient, accountId: string) => call(c, AutoTopupAnswerSchema, 'DELETE', `${account(accountId)}/auto-topup`),

  payout: (c: GuardianClient, accountId: string, body: { amount: number; to: PayoutTarget; idempotencyKey: string }) =>
    call(c, PayoutCreatedSchema, 'POST', `${account(accountId)}/payouts`, { body }),

  payouts: (c: GuardianClient, accountId: string) => call(c, PayoutListSchema, 'GET', `${account(accountId)}/payouts`),

  newCard: (c: GuardianClient, accountId: string, idempotencyKey: string) => call(c, NewCardSchema, 'POST', `${account(accountId)}/cards`, { body: { idempotencyKey } }),

  statement: (c: GuardianClient, accountId: string, from: string, to: string) =>
    call(c, StatementSchema, 'GET', `${account(accountId)}/statement`, { query: { from, to } }),

  photo: (c: GuardianClient, accountId: string) => call(c, PhotoSchema, 'GET', `${account(accountId)}/photo`),

  savePhoto: async (c: GuardianClient, accountId: string, image: string, crop: CropRect) => {
    await c.request<unknown>('PUT', `${account(accountId)}/photo`, { body: { image, crop } })
  },
}
