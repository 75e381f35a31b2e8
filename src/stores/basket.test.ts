import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { MAX_QTY, useBasketStore } from './basket'

const toast = { id: 'p-toast', name: 'Toast', categoryId: 'c-warm', price: 2500 }
const milk = { id: 'p-milk', name: 'Mælk', categoryId: 'c-drinks', price: 800 }

describe('the basket at the counter', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('counts a second tap on the same product as one more, not a new line', () => {
    const basket = useBasketStore()
    basket.add(toast)
    basket.add(milk)
    basket.add(toast)
    expect(basket.lines.map((l) => [l.productId, l.qty])).toEqual([
      ['p-toast', 2],
      ['p-milk', 1],
    ])
    expect(basket.total).toBe(2 * 2500 + 800)
    expect(basket.count).toBe(3)
    expect(basket.saleLines).toEqual([
      { productId: 'p-toast', qty: 2 },
      { productId: 'p-milk', qty: 1 },
    ])
  })

  it('removes a line when minus goes below one', () => {
    const basket = useBasketStore()
    basket.add(toast)
    basket.add(milk)
    basket.decrease('p-milk')
    expect(basket.lines.map((l) => l.productId)).toEqual(['p-toast'])
    expect(basket.total).toBe(2500)
  })

  it('never asks the core for more than the contract allows on one line', () => {
    const basket = useBasketStore()
    basket.add(toast)
    for (let i = 0; i < 120; i++) basket.increase('p-toast')
    expect(basket.lines[0]?.qty).toBe(MAX_QTY)
  })

  it('is empty again after the sale', () => {
    const basket = useBasketStore()
    basket.add(toast)
    basket.clear()
    expect(basket.isEmpty).toBe(true)
    expect(basket.total).toBe(0)
  })
})
