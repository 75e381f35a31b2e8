/**
 * The pickup counter's state (issue 15): today's orders from the till core (its local store, so
 * it works offline), a search, the orders of a scanned card, hand-outs with an undo countdown,
 * and the kitchen's preparation list. Re-reads when the core says orders changed (a pull).
 */
import { computed, onBeforeUnmount, ref } from 'vue'
import { api, type Result } from '../../api'

export type PickupList = Result<'pickup.orders'>
export type PickupOrder = PickupList['ready'][number]
export type Preparation = Result<'pickup.preparation'>
export type HandoutResult = Result<'pickup.handout'>

export interface PickupMessage {
  kind: 'ok' | 'warn' | 'bad'
  key: string
  params?: Record<string, string | number>
  /** A hand-out that can still be undone from the message. */
  undo?: { handoutId: string; until: number }
}

export function usePickup() {
  const list = ref<PickupList | null>(null)
  const query = ref('')
  const card = ref<{ cardNumber: string; holderName: string; orders: PickupOrder[] } | null>(null)
  const message = ref<PickupMessage | null>(null)
  const busy = ref(false)
  const now = ref(Date.now())
  const prep = ref<Preparation | null>(null)

  const tick = setInterval(() => {
    now.value = Date.now()
    const undo = message.value?.undo
    // The window has closed: the core has sent (or is about to send) the hand-out.
    if (undo && undo.until <= now.value) message.value = { ...message.value!, undo: undefined }
  }, 250)
  const offChanged = api.on('data.changed', ({ entities }) => {
    if (entities.includes('order') || entities.includes('account')) void reload()
  })
  onBeforeUnmount(() => {
    clearInterval(tick)
    offChanged()
  })

  async function reload(): Promise<void> {
    try {
      list.value = await api.call('pickup.orders', { query: query.value.trim() || undefined })
      if (card.value) {
        const again = await api.call('pickup.card', { cardNumber: card.value.cardNumber })
        if (again.ok) card.value = { cardNumber: again.cardNumber, holderName: again.holderName, orders: again.orders }
      }
      if (prep.value) prep.value = await api.call('pickup.preparation', {})
    } catch {
      // A fault is shown app-wide (the fault banner); the list keeps what it showed.
    }
  }

  async function showCard(cardNumber: string): Promise<void> {
    try {
      const found = await api.call('pickup.card', { cardNumber })
      if (!found.ok) {
        card.value = null
        message.value = { kind: 'bad', key: found.reason === 'unknown-card' ? 'pickup.unknownCard' : 'pickup.invalidCard' }
        return
      }
      query.value = ''
      prep.value = null
      card.value = { cardNumber: found.cardNumber, holderName: found.holderName, orders: found.orders }
      message.value = found.orders.length === 0 ? { kind: 'warn', key: 'pickup.cardNoOrders', params: { name: found.holderName } } : null
    } catch {
      message.value = { kind: 'bad', key: 'pickup.failed' }
    }
  }

  function clearCard(): void {
    card.value = null
    message.value = null
  }

  async function handOut(order: PickupOrder, lineNo?: number): Promise<void> {
    if (busy.value) return
    busy.value = true
    try {
      const out = await api.call('pickup.handout', lineNo === undefined ? { orderId: order.id } : { orderId: order.id, lines: [{ lineNo, quantity: 1 }] })
      if (out.ok) {
        message.value = { kind: 'ok', key: 'pickup.handedOutDone', params: { number: order.number }, undo: { handoutId: out.handoutId, until: Date.parse(out.undoUntil) } }
      } else if (out.reason === 'order-not-paid') {
        message.value = { kind: 'bad', key: 'pickup.refusal.order-not-paid', params: { status: out.status } }
      } else {
        message.value = { kind: 'bad', key: `pickup.refusal.${out.reason}` }
      }
      await reload()
    } catch {
      message.value = { kind: 'bad', key: 'pickup.failed' }
    } finally {
      busy.value = false
    }
  }

  async function undo(): Promise<void> {
    const u = message.value?.undo
    if (!u || busy.value) return
    busy.value = true
    try {
      const out = await api.call('pickup.undo', { handoutId: u.handoutId })
      message.value = out.ok ? { kind: 'ok', key: 'pickup.undone' } : { kind: 'warn', key: 'pickup.undoTooLate' }
      await reload()
    } catch {
      message.value = { kind: 'bad', key: 'pickup.failed' }
    } finally {
      busy.value = false
    }
  }

  async function openPreparation(): Promise<void> {
    try {
      prep.value = await api.call('pickup.preparation', {})
    } catch {
      message.value = { kind: 'bad', key: 'pickup.failed' }
    }
  }
  function closePreparation(): void {
    prep.value = null
  }

  const undoSeconds = computed(() => {
    const u = message.value?.undo
    return u ? Math.max(0, Math.ceil((u.until - now.value) / 1000)) : 0
  })

  return { list, query, card, message, busy, prep, undoSeconds, reload, showCard, clearCard, handOut, undo, openPreparation, closePreparation }
}
