import { describe, expect, it } from 'vitest'
import { DEFAULT_SALE_CAPS, decidePurchase, purchaseBreaks, saleCapBreak, type AccountView, type PurchaseQuestion } from './checkout'
import { REFUSAL_ORDER } from './refusal'
import { periodKeys } from './periods'

const now = periodKeys(new Date('2026-11-24T11:00:00Z'))
const account = (over: Partial<AccountView> = {}): AccountView => ({
  status: 'active',
  balance: 10000,
  limits: { day: null, week: null, month: null },
  spent: { day: { key: now.day, amount: 0 }, week: { key: now.week, amount: 0 }, month: { key: now.month, amount: 0 } },
  deniedCategoryIds: [],
  allowedLocationIds: null,
  ...over,
})
const ask = (over: Partial<PurchaseQuestion> = {}): PurchaseQuestion => ({
  card: { status: 'active' },
  account: account(),
  locationId: 'loc-1',
  lines: [{ productId: 'p-lunch', categoryId: 'cat-hot', qty: 1, unitPrice: 3500 }],
  now,
  overdraftAllowance: 0,
  ...over,
})

describe('the till refuses a card with one precise reason', () => {
  it('approves a covered lunch and tells the balance after', () => {
    expect(decidePurchase(ask())).toEqual({ ok: true, total: 3500, balanceAfter: 6500 })
  })
  it('refuses an unknown card first', () => {
    expect(decidePurchase(ask({ card: null, account: null }))).toMatchObject({ ok: false, reason: 'unknown-card' })
  })
  it('says "old card" for a replaced card even when the account is also blocked', () => {
    expect(decidePurchase(ask({ card: { status: 'replaced' }, account: account({ status: 'blocked' }) }))).toMatchObject({ reason: 'old-card' })
  })
  it('refuses a blocked account before checking the canteen', () => {
    expect(decidePurchase(ask({ account: account({ status: 'blocked', allowedLocationIds: ['loc-2'] }) }))).toMatchObject({ reason: 'blocked' })
  })
  it('refuses a card not allowed at this canteen', () => {
    expect(decidePurchase(ask({ account: account({ allowedLocationIds: ['loc-2'] }) }))).toMatchObject({ reason: 'location-not-allowed' })
  })
  it('names the product that is not permitted', () => {
    const q = ask({ account: account({ deniedCategoryIds: ['cat-snack'] }), lines: [...ask().lines, { productId: 'p-chips', categoryId: 'cat-snack', qty: 1, unitPrice: 1500 }] })
    expect(decidePurchase(q)).toMatchObject({ reason: 'product-not-permitted', productId: 'p-chips' })
  })
  it('counts today’s earlier spend against the day limit, and says what is left', () => {
    const q = ask({ account: account({ limits: { day: 5000, week: null, month: null }, spent: { ...account().spent, day: { key: now.day, amount: 2000 } } }) })
    expect(decidePurchase(q)).toMatchObject({ ok: false, reason: 'day-limit', limit: 5000, left: 3000 })
  })
  it('does not count yesterday’s spend against today’s limit', () => {
    const q = ask({ account: account({ limits: { day: 5000, week: null, month: null }, spent: { ...account().spent, day: { key: '2026-11-23', amount: 4900 } } }) })
    expect(decidePurchase(q)).toMatchObject({ ok: true })
  })
  it('checks the week limit before the balance', () => {
    const q = ask({ account: account({ balance: 100, limits: { day: null, week: 1000, month: null } }) })
    expect(decidePurchase(q)).toMatchObject({ reason: 'week-limit' })
  })
  it('refuses when the balance is too low, and lets an offline till use its allowance', () => {
    expect(decidePurchase(ask({ account: account({ balance: 3000 }) }))).toMatchObject({ ok: false, reason: 'balance-too-low', left: 3000 })
    expect(decidePurchase(ask({ account: account({ balance: 3000 }), overdraftAllowance: 500 }))).toEqual({ ok: true, total: 3500, balanceAfter: -500 })
  })
})

describe('one rule set for the till and the server', () => {
  it('lists every rule a purchase breaks, in the order the cashier is told them', () => {
    const q = ask({
      card: { status: 'replaced' },
      account: account({ status: 'blocked', balance: 100, allowedLocationIds: ['loc-2'], deniedCategoryIds: ['cat-hot'], limits: { day: 1000, week: 2000, month: 3000 } }),
    })
    expect(purchaseBreaks(q).map((b) => b.reason)).toEqual([
      'old-card',
      'blocked',
      'location-not-allowed',
      'product-not-permitted',
      'day-limit',
      'week-limit',
      'month-limit',
      'balance-too-low',
    ])
    // The till shows the first of them.
    expect(decidePurchase(q)).toMatchObject({ ok: false, reason: 'old-card' })
  })
  it('breaks nothing for a covered lunch', () => {
    expect(purchaseBreaks(ask())).toEqual([])
  })
  it('refuses an offline sale beyond what this till may still lend the card, after the limits and before the balance', () => {
    const offline = { overdraftAllowance: 5000 }
    expect(decidePurchase(ask({ ...offline, offlineCapLeft: 3000 }))).toMatchObject({ ok: false, reason: 'offline-limit', left: 3000 })
    expect(decidePurchase(ask({ ...offline, offlineCapLeft: 3500 }))).toMatchObject({ ok: true })
    expect(decidePurchase(ask({ ...offline, offlineCapLeft: null }))).toMatchObject({ ok: true })
    const both = ask({ overdraftAllowance: 0, offlineCapLeft: 0, account: account({ balance: 0, limits: { day: 1000, week: null, month: null } }) })
    expect(purchaseBreaks(both).map((b) => b.reason)).toEqual(['day-limit', 'offline-limit', 'balance-too-low'])
    expect(REFUSAL_ORDER.indexOf('offline-limit')).toBe(REFUSAL_ORDER.indexOf('month-limit') + 1)
  })
})

describe('the caps of one sale (the same for the till and the server)', () => {
  it('breaks on more than 20 of one product, or more than kr. 1.000 in all, and not at the caps', () => {
    expect(DEFAULT_SALE_CAPS).toEqual({ maxLineQty: 20, maxSaleTotal: 100_000 })
    expect(saleCapBreak([{ qty: 20, unitPrice: 3500 }])).toBeNull()
    expect(saleCapBreak([{ qty: 21, unitPrice: 1 }])).toBe('quantity-too-large')
    expect(saleCapBreak([{ qty: 20, unitPrice: 3500 }, { qty: 20, unitPrice: 1500 }])).toBeNull()
    expect(saleCapBreak([{ qty: 20, unitPrice: 3500 }, { qty: 20, unitPrice: 1501 }])).toBe('total-too-large')
    expect(saleCapBreak([{ qty: 1, unitPrice: Number.MAX_SAFE_INTEGER }])).toBe('total-too-large')
  })
})
