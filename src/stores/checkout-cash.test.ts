import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'

/** The till core as the screen sees it: each test says how it answers. */
const core = vi.hoisted(() => ({
  answer: (_method: string, _args: unknown): unknown => null,
  calls: [] as { method: string; args: unknown }[],
  /** The core's events the page listens to (data.changed, ...). */
  listeners: [] as { event: string; fn: (payload: never) => void }[],
}))
vi.mock('../api', async () => {
  const errors = await import('../api/errors')
  return {
    api: {
      call: async (method: string, args: unknown) => {
        core.calls.push({ method, args })
        return core.answer(method, args)
      },
      on: (event: string, fn: (payload: never) => void) => {
        core.listeners.push({ event, fn })
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
const { loadCounterSettings, soundDeps, useSounds } = await import('../composables/useSounds')

const card = {
  cardNumber: 'DEMO0001',
  accountId: 'a-1',
  holderName: 'Freja Nielsen',
  photo: null,
  note: null,
  balance: 15000,
  status: 'active',
  cardStatus: 'active',
  left: { day: null, week: null, month: null },
  rulesAsOf: null,
  autoTopupAt: null,
}
const lunch = { id: 'p-lunch', name: 'Frikadeller', categoryId: 'cat-hot', price: 3500 }
const settings = (cashAllowed: boolean, on = true, volume = 70) => ({ cashAllowed, sound: { on, volume } })

let played: { url: string; volume: number }[] = []
let ids = 0
beforeEach(() => {
  setActivePinia(createPinia())
  ids = 0
  checkoutDeps.newSaleId = () => `00000000-0000-4000-8000-00000000000${++ids}`
  core.calls = []
  core.listeners = []
  played = []
  soundDeps.play = (url, volume) => void played.push({ url, volume })
})

async function counter(cashAllowed: boolean) {
  core.answer = (method, args) => {
    if (method === 'app.settings') return settings(cashAllowed)
    if (method === 'card.lookup') return { ok: true, card }
    if (method === 'sale.cash') return { ok: true, saleId: (args as { saleId: string }).saleId, total: 3500, payment: 'cash' }
    return []
  }
  await loadCounterSettings()
  const checkout = useCheckoutStore()
  checkout.addProduct(lunch)
  await nextTick()
  return checkout
}

describe('a guest pays cash', () => {
  it('is offered only where the till takes cash, and only while no card is on the counter', async () => {
    const refusing = await counter(false)
    expect(refusing.canPayCash).toBe(false)
    await refusing.payCash()
    expect(core.calls.some((c) => c.method === 'sale.cash')).toBe(false)

    setActivePinia(createPinia())
    const checkout = await counter(true)
    expect(checkout.canPayCash).toBe(true)
    await checkout.presentCard('DEMO0001')
    expect(checkout.canPayCash).toBe(false)
    checkout.clearCard()
    expect(checkout.canPayCash).toBe(true)
  })

  it('follows the canteen’s setting when a pull brings the canteen, without a reload of the page', async () => {
    const checkout = await counter(false)
    expect(checkout.canPayCash).toBe(false)
    const pulled = async (entities: string[], cashAllowed: boolean) => {
      const answer = core.answer
      core.answer = (method, args) => (method === 'app.settings' ? settings(cashAllowed) : answer(method, args))
      for (const l of core.listeners.filter((x) => x.event === 'data.changed')) l.fn({ entities } as never)
      await vi.waitFor(() => expect(core.calls.filter((c) => c.method === 'app.settings').length).toBeGreaterThan(0))
      await new Promise((resolve) => setTimeout(resolve, 0))
    }
    core.calls = []
    await pulled(['location'], true)
    expect(checkout.cashAllowed).toBe(true)
    expect(checkout.canPayCash).toBe(true)
    core.calls = []
    await pulled(['location', 'account'], false)
    expect(checkout.cashAllowed).toBe(false)
    expect(checkout.canPayCash).toBe(false)
    // A pull of accounts only does not ask again.
    core.calls = []
    for (const l of core.listeners.filter((x) => x.event === 'data.changed')) l.fn({ entities: ['account'] } as never)
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(core.calls.filter((c) => c.method === 'app.settings')).toEqual([])
  })

  it('sends the basket once with one sale id, shows the amount to take, and a tap again is the same attempt', async () => {
    const checkout = await counter(true)
    await checkout.payCash()
    expect(core.calls.filter((c) => c.method === 'sale.cash').map((c) => c.args)).toEqual([
      { saleId: '00000000-0000-4000-8000-000000000001', lines: [{ productId: 'p-lunch', qty: 1 }] },
    ])
    expect(checkout.outcome).toEqual({ ok: true, saleId: '00000000-0000-4000-8000-000000000001', total: 3500, payment: 'cash' })
    // The approval is on screen: no second cash payment until the next customer.
    expect(checkout.canPayCash).toBe(false)
    await nextTick()
    expect(played).toEqual([{ url: expect.stringMatching(/approved/), volume: 0.7 }])
  })

  it('keeps the sale id when the answer is lost, so the next tap is answered, not charged again', async () => {
    const checkout = await counter(true)
    core.answer = (method) => {
      if (method === 'sale.cash') throw new Error('socket hang up')
      return []
    }
    await checkout.payCash()
    core.answer = (method, args) => (method === 'sale.cash' ? { ok: true, saleId: (args as { saleId: string }).saleId, total: 3500, payment: 'cash' } : [])
    await checkout.payCash()
    const sent = core.calls.filter((c) => c.method === 'sale.cash').map((c) => (c.args as { saleId: string }).saleId)
    expect(sent).toEqual(['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000001'])
  })
})

describe('the sounds', () => {
  it('play at the till’s volume, the refused one on a refusal, and none when switched off', async () => {
    const checkout = await counter(true)
    core.answer = (method) => (method === 'card.lookup' ? { ok: false, reason: 'unknown-card' } : [])
    await checkout.presentCard('NOSUCH99')
    await nextTick()
    expect(played).toEqual([{ url: expect.stringMatching(/refused/), volume: 0.7 }])

    core.answer = (method, args) => (method === 'app.sound.set' ? { cashAllowed: true, sound: args } : [])
    await useSounds().save({ on: false, volume: 40 })
    useSounds().play('approved')
    expect(played).toHaveLength(1)
    await useSounds().save({ on: true, volume: 40 })
    useSounds().play('approved')
    expect(played.at(-1)).toEqual({ url: expect.stringMatching(/approved/), volume: 0.4 })
  })
})
