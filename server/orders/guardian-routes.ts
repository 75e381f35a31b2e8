/**
 * The webshop for guardians (server/orders/README.md has the table): thin, zod at the edge,
 * refusals mapped to `{ error, message }`. Every route answers an account not linked to the
 * signed-in guardian exactly like one that does not exist (404 `account-unknown`), before
 * anything else is looked at and with nothing changed.
 *
 *   GET  /guardian/accounts/:id/order-canteens
 *   GET  /guardian/accounts/:id/menu?locationId=&day=
 *   POST /guardian/accounts/:id/orders                     -> 201 OrderView
 *   GET  /guardian/accounts/:id/orders
 *   POST /guardian/accounts/:id/orders/:orderId/cancel     -> OrderView
 */
import { z } from 'zod'
import { HttpError, parseInput } from '../platform/errors'
import { refuse } from '../platform/result'
import { AccountParams, answer, perGuardian, type GuardianArea, type Refusals } from '../guardian/http'
import { guardianOf } from '../guardian/session'
import { cancelOrder } from './cancel'
import { checkout } from './checkout'
import { linkedAccount, menuOf, orderCanteens } from './menu'
import { ordersOfAccount } from './view'

const ORDER_WRITES_PER_MINUTE = 30

const IdempotencyKey = z.string().min(8).max(100)
const MenuQuery = z.object({ locationId: z.string().min(1).max(64), day: z.string().max(10) }).strict()
const OrderRequest = z
  .object({
    locationId: z.string().min(1).max(64),
    day: z.string().max(10),
    lines: z.array(z.object({ productId: z.string().min(1).max(64), quantity: z.number().int().min(-1000).max(1000) }).strict()).max(50),
    // Checked against the canteen's times by checkout (a malformed one is simply not among them).
    pickupTime: z.string().max(20).nullable().optional(),
    payment: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('canteen-card') }).strict(),
      z.object({ kind: z.literal('payment-card'), cardToken: z.string().min(1).max(200), acceptedTermsVersion: z.string().max(64) }).strict(),
    ]),
    idempotencyKey: IdempotencyKey,
  })
  .strict()
const CancelRequest = z.object({ idempotencyKey: IdempotencyKey }).strict()
const OrderParams = z.object({ id: z.string().min(1).max(64), orderId: z.string().min(1).max(64) })

const refused = (code: string, message: string, status = 409) => () => new HttpError(status, code, message)

/** The till's reasons keep their names; the statuses say what kind of no it is. */
export const orderRefusals: Refusals = {
  'location-unknown': refused('location-unknown', 'no such canteen in your municipality', 404),
  'order-unknown': refused('order-unknown', 'no such order on this account', 404),
  'day-invalid': refused('day-invalid', 'a pickup day is YYYY-MM-DD, a real calendar day', 400),
  'basket-invalid': refused('basket-invalid', 'a basket has 1 to 50 different products, each 1 to 20 pieces', 400),
  'product-unknown': refused('product-unknown', 'a product this canteen does not sell in the webshop', 400),
  'day-closed': refused('day-closed', 'the canteen is closed that day'),
  'cut-off-passed': refused('cut-off-passed', 'ordering for that day has closed (or the day is past or too far ahead)'),
  'order-not-cancellable': refused('order-not-cancellable', 'the order cannot be cancelled (handed out, or not paid)'),
  'numbers-exhausted': refused('numbers-exhausted', 'the canteen has no order numbers left for that day'),
  'pickup-time-required': refused('pickup-time-required', 'this canteen hands out at set times: choose one of the menu’s pickupTimes', 400),
  'pickup-time-unknown': refused('pickup-time-unknown', 'not one of this canteen’s pickup times (the menu’s pickupTimes)', 400),
  'pickup-time-not-offered': refused('pickup-time-not-offered', 'this canteen has no pickup times: the order is for the day (leave pickupTime out)', 400),
  blocked: refused('blocked', 'the card is blocked'),
  'location-not-allowed': refused('location-not-allowed', 'the card may not be used at this canteen'),
  'product-not-permitted': refused('product-not-permitted', 'a product of a category the card may not buy'),
  allergen: refused('allergen', 'a product with one of the child’s allergens'),
  'day-limit': refused('day-limit', 'the order would exceed the daily limit of the pickup day'),
  'week-limit': refused('week-limit', 'the order would exceed the weekly limit of the pickup day’s week'),
  'month-limit': refused('month-limit', 'the order would exceed the monthly limit of the pickup day’s month'),
  'balance-too-low': refused('balance-too-low', 'the balance is too low for this order'),
  'payments-off': refused('payments-off', 'payments are off on this server: no payment provider is configured', 503),
  'terms-not-accepted': refused('terms-not-accepted', 'accept the current payment terms (GET /guardian/terms) first', 400),
  'card-declined': refused('card-declined', 'the payment card was declined', 402),
  'agreement-inactive': refused('card-declined', 'the payment card was declined', 402),
  'card-expired': refused('card-expired', 'the payment card has expired', 402),
  'card-blocked': refused('card-blocked', 'the payment card is blocked', 402),
  'insufficient-funds': refused('insufficient-funds', 'the payment card has no funds for this amount', 402),
}

export const orderRoutes: GuardianArea = async (own, { ctx }) => {
  const writes = { config: perGuardian(ORDER_WRITES_PER_MINUTE) }
  const accountId = (params: unknown) => parseInput(AccountParams, params, 'account id').id

  own.get('/guardian/accounts/:id/order-canteens', async (request) => {
    const account = await linkedAccount(ctx.db, guardianOf(request), accountId(request.params))
    if (!account) return answer(refuse('account-unknown'))
    return { canteens: await orderCanteens(ctx.db, account) }
  })

  own.get('/guardian/accounts/:id/menu', async (request) => {
    const account = await linkedAccount(ctx.db, guardianOf(request), accountId(request.params))
    if (!account) return answer(refuse('account-unknown'))
    const query = parseInput(MenuQuery, request.query, 'menu query')
    return answer(await menuOf(ctx.db, account, query.locationId, query.day, ctx.clock.now()), orderRefusals)
  })

  own.post('/guardian/accounts/:id/orders', writes, async (request, reply) => {
    const id = accountId(request.params)
    const g = guardianOf(request)
    if (!(await linkedAccount(ctx.db, g, id))) return answer(refuse('account-unknown'))
    const body = parseInput(OrderRequest, request.body, 'order')
    return reply.code(201).send(answer(await checkout(ctx, g, id, body), orderRefusals))
  })

  own.get('/guardian/accounts/:id/orders', async (request) => {
    const account = await linkedAccount(ctx.db, guardianOf(request), accountId(request.params))
    if (!account) return answer(refuse('account-unknown'))
    return { orders: await ordersOfAccount(ctx.db, account.id, ctx.clock.now()) }
  })

  own.post('/guardian/accounts/:id/orders/:orderId/cancel', writes, async (request) => {
    const { id, orderId } = parseInput(OrderParams, request.params, 'order')
    const g = guardianOf(request)
    if (!(await linkedAccount(ctx.db, g, id))) return answer(refuse('account-unknown'))
    parseInput(CancelRequest, request.body, 'cancellation')
    return answer(await cancelOrder(ctx, g, id, orderId), orderRefusals)
  })
}
