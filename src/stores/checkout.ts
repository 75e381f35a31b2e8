import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { allergenConflicts, type Allergen } from '../../domain/allergens'
import { normalizeCardNumber } from '../../domain/card'
import { classifyScan } from '../../domain/ean'
import { api, isRpcCallError } from '../api'
import type { CardInfo, CardLookup, CashSaleOutcome, SaleOutcome, SaleSummary } from '../api'
import { loadCounterSettings, useSounds } from '../composables/useSounds'
import { useBasketStore } from './basket'
import { clearInFlight, loadInFlight, memoryStorage, saveInFlight, type AttemptStorage, type InFlightSale } from './in-flight'
import type { BasketProduct } from './basket'
import { useCatalogStore } from './catalog'
import { useSyncStore } from './sync'

export type CardProblem = Extract<CardLookup, { ok: false }>['reason']
/** The core's allergen warning: the sale waits for the cashier (sell anyway, take the products out, or cancel). */
export type AllergenWarning = Extract<SaleOutcome, { reason: 'allergen-confirm' }>

/** How long an approval stays on screen before the counter is ready for the next pupil. */
export const APPROVED_CLEAR_MS = 5000
const RECENT_LIMIT = 8

/** Where the in-flight sale is written down and how a sale id is made; tests replace both. */
export const checkoutDeps: { storage: () => AttemptStorage; newSaleId: () => string } = {
  storage: () => globalThis.localStorage ?? fallbackStorage,
  newSaleId: () => globalThis.crypto.randomUUID(),
}
const fallbackStorage = memoryStorage()

/**
 * One customer at the counter: the card on the counter, paying, the outcome, and the recent
 * sales list. Every cashier action goes through `settle()` first, so an approval is cleared by the
 * next tap and a refusal is dismissed by the cashier's correction.
 */
export const useCheckoutStore = defineStore('checkout', () => {
  const basket = useBasketStore()
  const catalog = useCatalogStore()
  const sync = useSyncStore()
  const sounds = useSounds()

  const card = ref<CardInfo | null>(null)
  const cardProblem = ref<CardProblem | null>(null)
  const looking = ref(false)
  /** A card sale's outcome, or a guest's cash payment (`payment: 'cash'` when approved). */
  const outcome = ref<SaleOutcome | CashSaleOutcome | null>(null)
  const paying = ref(false)
  /** The product a refusal named (not permitted / unknown): marked in the basket until removed. */
  const flaggedProductId = ref<string | null>(null)
  const recent = ref<SaleSummary[]>([])
  /** A sale sent whose answer never came: the screen is asking the core what became of it. */
  const unsettled = ref<InFlightSale | null>(null)
  /** A sale the core says it never recorded (it died first): the cashier rings it up again. */
  const notRecorded = ref<InFlightSale | null>(null)
  /** The approval on screen is of a sale whose answer was lost and found again. */
  const recovered = ref(false)
  /**
   * This basket attempt's sale id: made at the first tap of Betal, reused by a retry of the same
   * basket, forgotten when the basket, the card or the customer changes.
   */
  let attemptId: string | null = null

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
    notRecorded.value = null
    recovered.value = false
    attemptId = null
  }

  /** Before any action: an approval is done with, a refusal has been read. */
  function settle(): void {
    if (outcome.value?.ok) finish()
    else outcome.value = null
    notRecorded.value = null
  }

  function addProduct(product: BasketProduct): void {
    settle()
    basket.add(product)
  }

  /** A data.changed that came while a card lookup was under way (refreshCard). */
  let changedWhileLooking = false

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
      if (token === lookupToken) {
        looking.value = false
        // Data changed while the card was being read (its photo arrived): read it again.
        if (changedWhileLooking) void refreshCard()
        changedWhileLooking = false
      }
    }
  }

  /** What a scanner typed: a product's barcode adds the product, anything else is a card. */
  async function scan(raw: string): Promise<void> {
    const text = raw.trim()
    if (text === '') return
    // A barcode counts only with its check digit right (domain/ean.ts); anything else is a card.
    const scanned = classifyScan(text, (barcode) => catalog.byBarcode.has(barcode))
    const product = scanned.kind === 'product' ? catalog.byBarcode.get(scanned.barcode) : undefined
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

  /** The allergen warning on screen, or null. */
  const allergenWarning = computed<AllergenWarning | null>(() => {
    const o = outcome.value
    return o && !o.ok && o.reason === 'allergen-confirm' ? o : null
  })

  /**
   * The basket's products with allergens of the card on the counter, marked as soon as the card is
   * known (from the catalogue this screen holds; the core checks again when the sale is recorded).
   */
  const basketAllergens = computed(() => {
    const marked = new Map<string, Allergen[]>()
    const child = card.value?.allergens ?? []
    if (child.length === 0) return marked
    for (const line of basket.lines) {
      const found = allergenConflicts(catalog.byId.get(line.productId)?.allergens ?? [], child)
      if (found.length > 0) marked.set(line.productId, found)
    }
    return marked
  })

  const canPay = computed(() => card.value !== null && !basket.isEmpty && !paying.value && outcome.value === null && unsettled.value === null)
  /** A guest may pay cash: the till takes cash, and no card is on the counter (a pupil pays by card). */
  const canPayCash = computed(
    () => sounds.cashAllowed.value && card.value === null && !looking.value && !basket.isEmpty && !paying.value && outcome.value === null && unsettled.value === null,
  )
  const cashAllowed = computed(() => sounds.cashAllowed.value)

  function showApproved(result: Extract<SaleOutcome, { ok: true }>): void {
    outcome.value = result
    card.value = result.card
    stopTimer()
    clearTimer = setTimeout(finish, APPROVED_CLEAR_MS)
  }

  /**
   * A guest pays cash for the basket. The attempt's id is kept until the basket changes, so a tap
   * again after a lost answer is answered by the core (the same sale), never recorded twice. The
   * approval stays until the cashier taps "Næste kunde": the cash is counted at the counter first.
   */
  async function payCash(): Promise<void> {
    if (!canPayCash.value) return
    paying.value = true
    attemptId ??= checkoutDeps.newSaleId()
    try {
      const result = await api.call('sale.cash', { saleId: attemptId, lines: basket.saleLines })
      outcome.value = result
      if (!result.ok && result.productId) flaggedProductId.value = result.productId
      void loadRecent()
    } catch {
      // Reported app-wide; the same attempt id is sent again on the next tap.
    } finally {
      paying.value = false
    }
  }

  async function pay(): Promise<void> {
    if (!canPay.value || card.value === null) return
    await record()
  }

  /**
   * The cashier sells despite the allergen warning (a deliberate second press in the dialog): the
   * same attempt again, with the conflicts the warning showed. The core asks again if it now finds more.
   */
  async function sellDespiteAllergens(): Promise<void> {
    const warning = allergenWarning.value
    if (warning === null || card.value === null || paying.value || unsettled.value !== null) return
    await record(warning.conflicts)
  }

  /** "Fjern varen": the conflicting products leave the basket (the warning goes with the change); the rest can be paid. */
  function removeAllergenProducts(): void {
    const warning = allergenWarning.value
    if (warning === null) return
    for (const c of warning.conflicts) basket.remove(c.productId)
    outcome.value = null
  }

  async function record(confirmed?: AllergenWarning['conflicts']): Promise<void> {
    if (card.value === null) return
    paying.value = true
    attemptId ??= checkoutDeps.newSaleId()
    const attempt: InFlightSale = {
      saleId: attemptId,
      cardNumber: card.value.cardNumber,
      holderName: card.value.holderName,
      lines: basket.lines.map((l) => ({ ...l })),
    }
    const storage = checkoutDeps.storage()
    saveInFlight(storage, attempt)
    try {
      const result = await api.call('sale.record', {
        saleId: attempt.saleId,
        cardNumber: attempt.cardNumber,
        lines: basket.saleLines,
        ...(confirmed ? { allergensConfirmed: true as const, shownConflicts: confirmed } : {}),
      })
      clearInFlight(storage)
      if (result.ok) showApproved(result)
      else {
        outcome.value = result
        if (result.card) card.value = result.card
        if ('productId' in result && result.productId) flaggedProductId.value = result.productId
      }
      void loadRecent()
    } catch (err) {
      // The core answered that it did nothing (no cashier, a bad argument): nothing is in flight.
      if (isRpcCallError(err, 'not-signed-in') || isRpcCallError(err, 'bad-argument') || isRpcCallError(err, 'forbidden')) clearInFlight(storage)
      // No answer at all: the sale may have been recorded. Find out before anyone taps again.
      else await resumeInFlight()
    } finally {
      paying.value = false
    }
  }

  /**
   * Settles a sale whose answer was lost (the call failed, the page reloaded, the core or the host
   * restarted): the core's word on that sale id decides what the screen shows. Until it answers,
   * Betal stays off. Called at start, when the core comes back and after each failed payment.
   */
  async function resumeInFlight(): Promise<void> {
    const storage = checkoutDeps.storage()
    const attempt = loadInFlight(storage)
    if (attempt === null) return
    unsettled.value = attempt
    let answer
    try {
      answer = await api.call('sale.outcome', { saleId: attempt.saleId })
    } catch {
      return // Still no core (or nobody signed in): asked again when it is back.
    }
    if (loadInFlight(storage)?.saleId !== attempt.saleId) return
    clearInFlight(storage)
    unsettled.value = null
    finish()
    if (answer.recorded) {
      recovered.value = true
      showApproved(answer.outcome)
    } else {
      notRecorded.value = attempt
    }
    void loadRecent()
  }

  /** The cashier rings up the sale the core never recorded: the same basket and card, back on the counter. */
  async function ringUpAgain(): Promise<void> {
    const lost = notRecorded.value
    if (lost === null) return
    finish()
    for (const line of lost.lines) {
      for (let i = 0; i < line.qty; i++) basket.add({ id: line.productId, name: line.name, categoryId: line.categoryId, price: line.unitPrice })
    }
    await presentCard(lost.cardNumber)
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
    if (looking.value) {
      // The answer on its way may predate the change (a photo fetched as the card was read).
      changedWhileLooking = true
      return
    }
    const current = card.value
    if (current === null || outcome.value !== null) return
    const token = lookupToken
    try {
      const found = await api.call('card.lookup', { cardNumber: current.cardNumber, refresh: true })
      if (token === lookupToken && outcome.value === null && found.ok) card.value = found.card
    } catch {
      // Keep what is shown.
    }
  }

  // A refusal names a product; once it is out of the basket there is nothing left to mark.
  // Any change of the basket or the card makes the next tap of Betal a new attempt.
  watch(
    () => card.value?.cardNumber,
    () => {
      if (!paying.value) attemptId = null
    },
  )
  watch(
    () => basket.lines.map((l) => `${l.productId}:${l.qty}`).join(),
    () => {
      if (!paying.value) attemptId = null
      const flagged = flaggedProductId.value
      if (flagged !== null && !basket.lines.some((l) => l.productId === flagged)) flaggedProductId.value = null
      if (outcome.value !== null && !outcome.value.ok) outcome.value = null
    },
  )

  // A sale's sync state changes when the uploader pushes or the server sets a sale aside. The
  // card on screen is read again too: the push's answer may say the sale started the account's
  // auto top-up, and the pull after it brings the new balance.
  watch(
    () => [sync.status?.pending, sync.status?.rejected, sync.status?.lastSyncAt],
    () => {
      void loadRecent()
      void refreshApprovedCard()
    },
  )

  /** The card of an approval on screen, read again quietly (the approval itself stays as it was). */
  async function refreshApprovedCard(): Promise<void> {
    const shown = outcome.value
    if (!shown?.ok || !('card' in shown) || card.value === null) return
    const token = lookupToken
    try {
      const found = await api.call('card.lookup', { cardNumber: card.value.cardNumber, refresh: true })
      if (token === lookupToken && outcome.value === shown && found.ok) card.value = found.card
    } catch {
      // Keep what is shown.
    }
  }

  // The approved and refused sounds: a refusal at the card (unknown, invalid) sounds like one at Betal.
  watch(outcome, (o) => {
    if (o) sounds.play(o.ok ? 'approved' : 'refused')
  })
  watch(cardProblem, (p) => {
    if (p) sounds.play('refused')
  })

  api.on('data.changed', ({ entities }) => {
    void refreshCard()
    // Cash from guests is the canteen's setting: it changes with the location a pull brings.
    if (entities.includes('location')) void loadCounterSettings()
  })
  void loadCounterSettings()
  api.onConnection((up) => {
    if (up) {
      void loadCounterSettings()
      void resumeInFlight()
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
    canPayCash,
    cashAllowed,
    payCash,
    flaggedProductId,
    unsettled,
    notRecorded,
    recovered,
    resumeInFlight,
    ringUpAgain,
    recent,
    addProduct,
    presentCard,
    scan,
    clearCard,
    pay,
    allergenWarning,
    basketAllergens,
    sellDespiteAllergens,
    removeAllergenProducts,
    settle,
    finish,
    loadRecent,
  }
})
