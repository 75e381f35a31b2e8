import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import { RpcCallError } from '../api/errors'
import { IN_FLIGHT_KEY, memoryStorage } from './in-flight'

/** The till core as the screen sees it: each test says how it answers. */
const core = vi.hoisted(() => ({
  answer: (_method: string, _args: unknown): unknown => null,
  calls: [] as { method: string; args: unknown }[],
  /** The store's listeners of core events (data.changed), to fire them as the core would. */
  listeners: new Map<string, ((payload: unknown) => void)[]>(),
}))
vi.mock('../api', async () => {
  const errors = await import('../api/errors')
  return {
    api: {
      call: async (method: string, args: unknown) => {
        core.calls.push({ method, args })
        return core.answer(method, args)
      },
      on: (event: string, fn: (payload: unknown) => void) => {
        core.listeners.set(event, [...(core.listeners.get(event) ?? []), fn])
        return () => {}
      },
      onConnection: () => () => {},
      onFault: () => () => {},
      onAnswer: () => () => {},
    },
    RpcCallError: errors.RpcCallError,
    isRpcCallError: errors.isRpcCallError,
  }
})

const { checkoutDeps, useCheckoutStore } = await import('./checkout')

const card = { cardNumber: 'DEMO0001', accountId: 'a-1', holderName: 'Freja Nielsen', photo: null, balance: 15000, status: 'active', cardStatus: 'active', left: { day: null, week: null, month: null }, rulesAsOf: null }
const lunch = { id: 'p-lunch', name: 'Frikadeller', categoryId: 'cat-hot', price: 3500 }
const approved = (saleId: string) => ({ ok: true, saleId, total: 3500, balanceAfter: 11500, card: { ...card, balance: 11500 } })
const hangUp = (method: string) => new RpcCallError('unreachable', method, 'socket hang up')

let storage: ReturnType<typeof memoryStorage>
let ids = 0
beforeEach(() => {
  setActivePinia(createPinia())
  storage = memoryStorage()
  ids = 0
  checkoutDeps.storage = () => storage
  checkoutDeps.newSaleId = () => `00000000-0000-4000-8000-00000000000${++ids}`
  core.calls = []
  core.listeners.clear()
})

async function counterWithLunch() {
  core.answer = (method) => (method === 'card.lookup' ? { ok: true, card } : [])
  const checkout = useCheckoutStore()
  await checkout.presentCard('DEMO0001')
  checkout.addProduct(lunch)
  await nextTick()
  return checkout
}

const saleIdsSent = () => core.calls.filter((c) => c.method === 'sale.record').map((c) => (c.args as { saleId: string }).saleId)

describe('a sale whose answer was lost', () => {
  it('is looked up instead of offered for a second tap, and shown approved when the core had recorded it', async () => {
    const checkout = await counterWithLunch()
    let recorded = false
    core.answer = (method) => {
      if (method === 'sale.record') {
        recorded = true
        throw hangUp(method)
      }
      if (method === 'sale.outcome') throw hangUp(method) // the core is still down
      return []
    }
    await checkout.pay()
    expect(recorded).toBe(true)
    expect(checkout.unsettled).toMatchObject({ cardNumber: 'DEMO0001', holderName: 'Freja Nielsen' })
    expect(checkout.canPay).toBe(false)
    expect(storage.data.has(IN_FLIGHT_KEY)).toBe(true)

    // The core is back: it recorded the sale before it died.
    const sent = saleIdsSent()[0]!
    core.answer = (method, args) => (method === 'sale.outcome' ? { recorded: true, outcome: approved((args as { saleId: string }).saleId) } : [])
    await checkout.resumeInFlight()
    expect(core.calls.at(-2)).toEqual({ method: 'sale.outcome', args: { saleId: sent } })
    expect(checkout.unsettled).toBeNull()
    expect(checkout.outcome).toMatchObject({ ok: true, saleId: sent, balanceAfter: 11500 })
    expect(checkout.recovered).toBe(true)
    expect(storage.data.has(IN_FLIGHT_KEY)).toBe(false)
    checkout.finish()
  })

  it('survives a reload: a new screen asks about the sale left in storage and says clearly it was NOT recorded', async () => {
    const checkout = await counterWithLunch()
    core.answer = (method) => {
      throw hangUp(method)
    }
    await checkout.pay()
    const sent = saleIdsSent()[0]!

    // The page reloads: a fresh store, the same storage.
    setActivePinia(createPinia())
    core.answer = (method) => (method === 'sale.outcome' ? { recorded: false } : method === 'card.lookup' ? { ok: true, card } : [])
    const fresh = useCheckoutStore()
    await fresh.resumeInFlight()
    expect(core.calls.at(-2)).toEqual({ method: 'sale.outcome', args: { saleId: sent } })
    expect(fresh.notRecorded).toMatchObject({ saleId: sent, holderName: 'Freja Nielsen' })
    expect(fresh.outcome).toBeNull()

    // Ringing it up again puts the same basket and card back on the counter.
    await fresh.ringUpAgain()
    expect(fresh.notRecorded).toBeNull()
    expect(fresh.card?.cardNumber).toBe('DEMO0001')
    expect(fresh.canPay).toBe(true)
  })
})

describe('the sale id of a basket attempt', () => {
  it('is new once the basket changes', async () => {
    const checkout = await counterWithLunch()
    core.answer = (method) => (method === 'sale.record' ? { ok: false, reason: 'balance-too-low', total: 3500 } : [])
    await checkout.pay()
    checkout.addProduct(lunch)
    await nextTick()
    await checkout.pay()
    const [refused, changed] = saleIdsSent()
    expect(changed).not.toBe(refused)
  })

  it('is kept when a refused basket is tapped again unchanged', async () => {
    const checkout = await counterWithLunch()
    core.answer = (method) => (method === 'sale.record' ? { ok: false, reason: 'balance-too-low', total: 3500 } : [])
    await checkout.pay()
    checkout.settle()
    await checkout.pay()
    const [first, second] = saleIdsSent()
    expect(second).toBe(first)
    expect(storage.data.has(IN_FLIGHT_KEY)).toBe(false)
  })
})

describe('a card whose photo arrives while it is being read', () => {
  it('is read again once the lookup answers, so the photo is shown', async () => {
    // The core answers the lookup without the photo and fetches it; the photo's data.changed
    // comes before the lookup's answer is in the store.
    let answerLookup!: (value: unknown) => void
    core.answer = (method) => (method === 'card.lookup' ? new Promise((r) => (answerLookup = r)) : [])
    const checkout = useCheckoutStore()
    const presenting = checkout.presentCard('DEMO0001')
    await nextTick()
    for (const fn of core.listeners.get('data.changed') ?? []) fn({ entities: ['photo'] })
    core.answer = (method) => (method === 'card.lookup' ? { ok: true, card: { ...card, photo: 'data:image/jpeg;base64,AA==' } } : [])
    answerLookup({ ok: true, card })
    await presenting
    await vi.waitFor(() => expect(checkout.card?.photo).toBe('data:image/jpeg;base64,AA=='))
    expect(core.calls.filter((c) => c.method === 'card.lookup')).toHaveLength(2)
  })
})
