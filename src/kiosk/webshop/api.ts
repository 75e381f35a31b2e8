/**
 * The webshop's calls, each parsed at the edge (types.ts). Every function takes the guardian
 * client from the session store, so the screens never build paths by hand.
 */
import { accountPath, parsedCall, type GuardianClient } from '../client'
import { CanteensSchema, MenuSchema, OrderListSchema, OrderTermsSchema, OrderViewSchema, type OrderBody } from './types'

const call = parsedCall
const account = accountPath

export const webshopApi = {
  terms: (c: GuardianClient) => call(c, OrderTermsSchema, 'GET', '/guardian/terms'),

  canteens: async (c: GuardianClient, accountId: string) => (await call(c, CanteensSchema, 'GET', `${account(accountId)}/order-canteens`)).canteens,

  menu: (c: GuardianClient, accountId: string, locationId: string, day: string) =>
    call(c, MenuSchema, 'GET', `${account(accountId)}/menu`, { query: { locationId, day } }),

  order: (c: GuardianClient, accountId: string, body: OrderBody & { idempotencyKey: string }) =>
    call(c, OrderViewSchema, 'POST', `${account(accountId)}/orders`, { body }),

  orders: async (c: GuardianClient, accountId: string) => (await call(c, OrderListSchema, 'GET', `${account(accountId)}/orders`)).orders,

  cancel: (c: GuardianClient, accountId: string, orderId: string, idempotencyKey: string) =>
    call(c, OrderViewSchema, 'POST', `${account(accountId)}/orders/${encodeURIComponent(orderId)}/cancel`, { body: { idempotencyKey } }),
}
