import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { normalizeCardNumber } from '../../domain/card'
import { api } from '../api'
import type { CardInfo, CardLookup, SaleOutcome, SaleSummary } from '../api'
import { useBasketStore } from './basket'
import type { BasketProduct } from './basket'
import { useCatalogStore } from './catalog'
import { useSyncStore } from './sync'

export type CardProblem = Extract<CardLookup, { ok: false }>['reason']

/** How long an approval stays on screen before the counter is ready for the next pupil. */
export const APPROVED_CLEAR_MS = 5000
const RECENT_LIMIT = 8

/**
 * One customer at the counter: the card on the counter, paying, the outcome, and the recent
 * sales list. Every cashier action goes through `settle()` first, so an approval is cleared by the
 * next tap and a refusal is dismissed by the cashier's correction.
 */
export const useCheckoutStore = defineStore('checkout', () => {
  const basket = useBasketStore()
  const catalog = useCatalogStore()
  const sync = useSyncStore()

  const card = ref<CardInfo | null>(null)
  const cardProblem = ref<CardProblem | null>(null)
  const looking = ref(false)
  const outcome = ref<SaleOutcome | null>(null)
  const paying = ref(false)
  /** The product a refusal named (not permitted / unknown): marked in the basket until removed. */
  const flaggedProductId = ref<string | null>(null)
  const recent = ref<SaleSummary[]>([])

  let lookupToken = 0
  let clearTimer: ReturnType<typeof setTimeout> | null = null

  function stopTimer(): void {
    if (clearTimer !== null) clearTimeout(clearTimer)
    clearTimer = null
  }

  /** Ready for the next pupil: basket, card and outcome gone. */
  function finish(): void {
    stopTimer()
    lookupToken++
    basket.clear()
    card.value = null
    cardProblem.value = null
    looking.value = false
    outcome.value = null
    flaggedProductId.value = null
  }

  /** Before any action: an approval is done with, a refusal has been read. */
  function settle(): void {
    if (outcome.value?.ok) finish()
    else outcome.value = null
  }

  function addProduct(product: BasketProduct): void {
    settle()
    basket.add(product)
  }

  async function presentCard(raw: string): Promise<void> {
    settle()
    flaggedProductId.value = null
    const check = normalizeCardNumber(raw)
    const token = ++lookupToken
    if (!check.ok) {
      card.value = null
      cardProblem.value = check.reason
      looking.value = false
      return
    }
    looking.value = true
    cardProblem.value = null
    try {
      const found = await api.call('card.lookup', { cardNumber: check.number })
      if (token !== lookupToken) return
      card.value = found.ok ? found.card : null
      cardProblem.value = found.ok ? null : found.reason
    } catch {
      if (token === lookupToken) card.value = null
    } finally {
      if (token === lookupToken) looking.value = false
    }
  }

  /** What a scanner typed: a product's barcode adds the product, anything else is a card. */
  async function scan(raw: string): Promise<void> {
    const text = raw.trim()
    if (text === '') return
    const product = catalog.byBarcode.get(text)
    if (product) addProduct(product)
    else await presentCard(text)
  }

  function clearCard(): void {
    settle()
    lookupToken++
    card.value = null
    cardProblem.value = null
    looking.value = false
  }

  const canPay = computed(() => card.value !== null && !basket.isEmpty && !paying.value && outcome.value === null)

  async function pay(): Promise<void> {
    if (!canPay.value || card.value === null) return
    paying.value = true
    try {
      const result = await api.call('sale.record', { cardNumber: card.value.cardNumber, lines: basket.saleLines })
      outcome.value = result
      if (result.card) card.value = result.card
      if (result.ok) {
        stopTimer()
        clearTimer = setTimeout(finish, APPROVED_CLEAR_MS)
      } else if (result.productId) {
        flaggedProductId.value = result.productId
      }
      void loadRecent()
    } catch {
      // Reported app-wide; the basket and card stay so the cashier can try again.
    } finally {
      paying.value = false
    }
  }

  async function loadRecent(): Promise<void> {
    try {
      recent.value = await api.call('sale.recent', { limit: RECENT_LIMIT })
    } catch {
      // Reported app-wide.
    }
  }

  /** A quiet re-read of the card on the counter, e.g. a parent blocked it a second ago. */
  async function refreshCard(): Promise<void> {
    const current = card.value
    if (current === null || outcome.value !== null || looking.value) return
    const token = lookupToken
    try {
      const found = await api.call('card.lookup', { cardNumber: current.cardNumber })
      if (token === lookupToken && outcome.value === null && found.ok) card.value = found.card
    } catch {
      // Keep what is shown.
    }
  }

  // A refusal names a product; once it is out of the basket there is nothing left to mark.
  watch(
    () => basket.lines.map((l) => `${l.productId}:${l.qty}`).join(),
    () => {
      const flagged = flaggedProductId.value
      if (flagged !== null && !basket.lines.some((l) => l.productId === flagged)) flaggedProductId.value = null
      if (outcome.value !== null && !outcome.value.ok) outcome.value = null
    },
  )

  // A sale's sync state changes when the uploader pushes or the server sets a sale aside.
  watch(
    () => [sync.status?.pending, sync.status?.rejected, sync.status?.lastSyncAt],
    () => void loadRecent(),
  )

  api.on('data.changed', () => void refreshCard())
  api.onConnection((up) => {
    if (up) {
      void loadRecent()
      void refreshCard()
    }
  })

  return {
    card,
    cardProblem,
    looking,
    outcome,
    paying,
    canPay,
    flaggedProductId,
    recent,
    addProduct,
    presentCard,
    scan,
    clearCard,
    pay,
    settle,
    finish,
    loadRecent,
  }
})
