import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { DEFAULT_SALE_CAPS, basketTotal } from '../../domain/checkout'
import type { Ore } from '../../domain/money'

/** The most of one product one sale may hold: the cap the till and the server hold every sale to. */
export const MAX_QTY = DEFAULT_SALE_CAPS.maxLineQty

export interface BasketProduct {
  id: string
  name: string
  categoryId: string
  price: Ore
}

export interface BasketLine {
  productId: string
  name: string
  categoryId: string
  unitPrice: Ore
  qty: number
}

/**
 * The products on the counter. Pure (no RPC): the price shown is the catalogue's, and the core
 * prices the sale again from its own catalogue when it records it.
 */
export const useBasketStore = defineStore('basket', () => {
  const lines = ref<BasketLine[]>([])

  const total = computed<Ore>(() => basketTotal(lines.value))
  const count = computed(() => lines.value.reduce((n, l) => n + l.qty, 0))
  const isEmpty = computed(() => lines.value.length === 0)
  /** What `sale.record` takes. */
  const saleLines = computed(() => lines.value.map((l) => ({ productId: l.productId, qty: l.qty })))

  function add(product: BasketProduct): void {
    const line = lines.value.find((l) => l.productId === product.id)
    if (line) {
      line.qty = Math.min(MAX_QTY, line.qty + 1)
      return
    }
    lines.value.push({ productId: product.id, name: product.name, categoryId: product.categoryId, unitPrice: product.price, qty: 1 })
  }

  function increase(productId: string): void {
    const line = lines.value.find((l) => l.productId === productId)
    if (line) line.qty = Math.min(MAX_QTY, line.qty + 1)
  }

  /** Going below one removes the line: one tap less for the cashier than minus then remove. */
  function decrease(productId: string): void {
    const line = lines.value.find((l) => l.productId === productId)
    if (!line) return
    if (line.qty <= 1) remove(productId)
    else line.qty -= 1
  }

  function remove(productId: string): void {
    lines.value = lines.value.filter((l) => l.productId !== productId)
  }

  function clear(): void {
    lines.value = []
  }

  return { lines, total, count, isEmpty, saleLines, add, increase, decrease, remove, clear }
})
