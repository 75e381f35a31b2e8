/**
 * The cashier's side of the allergen warning (the core's 'allergen-confirm'): the basket's lines
 * are marked once the card is known, the warning holds the sale, "sell anyway" sends the same
 * attempt with the conflicts shown, and "remove" takes the products out.
 */
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'

const core = vi.hoisted(() => ({ answer: (_method: string, _args: unknown): unknown => null, calls: [] as { method: string; args: unknown }[] }))
vi.mock('../api', async () => {
  const errors = await import('../api/errors')
  return {
    api: {
      call: async (method: string, args: unknown) => {
        core.calls.push({ method, args })
        return core.answer(method, args)
      },
      on: () => () => {},
      onConnection: () => () => {},
      onFault: () => () => {},
      onAnswer: () => () => {},
    },
    RpcCallError: errors.RpcCallError,
    isRpcCallError: errors.isRpcCallError,
  }
})

const { checkoutDeps, useCheckoutStore } = await import('./checkout')
const { useCatalogStore } = await import('./catalog')
const { useBasketStore } = await import('./basket')
const inBasket = () => useBasketStore().lines.map((l) => l.productId)

const card = {
  cardNumber: 'DEMO0001',
  accountId: 'a-1',
  holderName: 'Freja Nielsen',
  photo: null,
  note: null,
  allergens: ['gluten', 'milk'],
  balance: 15000,
  status: 'active',
  cardStatus: 'active',
  left: { day: null, week: null, month: null },
  rulesAsOf: null,
  autoTopupAt: null,
}
const products = [
  { id: 'p-milk', name: 'Minimælk', categoryId: 'cat-drink', price: 800, barcode: null, image: null, allergens: ['milk'] },
  { id: 'p-lunch', name: 'Frikadeller', categoryId: 'cat-hot', price: 3500, barcode: null, image: null, allergens: ['gluten', 'eggs'] },
  { id: 'p-apple', name: 'Æble', categoryId: 'cat-fruit', price: 500, barcode: null, image: null, allergens: [] },
]
const conflicts = [
  { productId: 'p-milk', allergens: ['milk'] },
  { productId: 'p-lunch', allergens: ['gluten'] },
]
const warning = { ok: false, reason: 'allergen-confirm', total: 4800, conflicts, card }

let ids = 0
beforeEach(() => {
  setActivePinia(createPinia())
  ids = 0
  checkoutDeps.newSaleId = () => `00000000-0000-4000-8000-00000000000${++ids}`
  core.calls = []
})

/** Milk, lunch and an apple on the counter, Freja's card presented; sale.record answers `record`. */
async function counter(record: (args: { allergensConfirmed?: true; shownConflicts?: unknown }) => unknown) {
  core.answer = (method, args) => {
    if (method === 'catalog.get') return { categories: [], products }
    if (method === 'card.lookup') return { ok: true, card }
    if (method === 'sale.record') return record(args as { allergensConfirmed?: true })
    if (method === 'app.settings') return { cashAllowed: false, sound: { on: false, volume: 0 } }
    return []
  }
  await useCatalogStore().load()
  const checkout = useCheckoutStore()
  for (const p of products) checkout.addProduct(p)
  await nextTick()
  expect(checkout.basketAllergens.size).toBe(0)
  await checkout.presentCard('DEMO0001')
  return checkout
}
const records = () => core.calls.filter((c) => c.method === 'sale.record').map((c) => c.args as Record<string, unknown>)

describe('the allergen warning at the counter', () => {
  it('marks the basket’s conflicting lines as soon as the card is known', async () => {
    const checkout = await counter(() => warning)
    expect(Object.fromEntries(checkout.basketAllergens)).toEqual({ 'p-milk': ['milk'], 'p-lunch': ['gluten'] })
  })

  it('holds the sale on the warning, and "sell anyway" sends the same attempt with the conflicts shown', async () => {
    const checkout = await counter((args) =>
      args.allergensConfirmed ? { ok: true, saleId: '00000000-0000-4000-8000-000000000001', total: 4800, balanceAfter: 10200, card } : warning,
    )
    await checkout.pay()
    expect(checkout.allergenWarning).toEqual(warning)
    expect(records()).toEqual([{ saleId: '00000000-0000-4000-8000-000000000001', cardNumber: 'DEMO0001', lines: expect.any(Array) }])
    await checkout.sellDespiteAllergens()
    const [first, second] = records()
    expect(second).toEqual({ ...first, allergensConfirmed: true, shownConflicts: conflicts })
    expect(checkout.allergenWarning).toBeNull()
    expect(checkout.outcome).toMatchObject({ ok: true, total: 4800 })
    checkout.finish()
  })

  it('"remove" takes the conflicting products out and leaves the rest to pay for; cancel leaves the basket', async () => {
    const checkout = await counter(() => warning)
    await checkout.pay()
    checkout.settle()
    expect(checkout.allergenWarning).toBeNull()
    expect(inBasket()).toEqual(['p-milk', 'p-lunch', 'p-apple'])
    expect(checkout.canPay).toBe(true)
    await checkout.pay()
    checkout.removeAllergenProducts()
    await nextTick()
    expect(checkout.allergenWarning).toBeNull()
    expect(inBasket()).toEqual(['p-apple'])
    expect(checkout.basketAllergens.size).toBe(0)
    expect(records()).toHaveLength(2)
    // Nothing confirmed without a warning on screen.
    await checkout.sellDespiteAllergens()
    expect(records()).toHaveLength(2)
  })
})
