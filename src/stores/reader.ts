import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api } from '../api'
import type { ReaderState } from '../api'

export interface CardPresented {
  cardNumber: string
  /** Increases with every card, so the same card presented twice is still news. */
  seq: number
}

/** The card reader: its state, and the last card it read (views watch `lastCard`). */
export const useReaderStore = defineStore('reader', () => {
  const state = ref<ReaderState | null>(null)
  const lastCard = ref<CardPresented | null>(null)
  let seq = 0

  api.on('reader.state', (next) => {
    state.value = next
  })
  api.on('reader.card', ({ cardNumber }) => {
    lastCard.value = { cardNumber, seq: ++seq }
  })
  api.onConnection((up) => {
    if (up) void refresh()
  })

  async function refresh(): Promise<void> {
    try {
      state.value = await api.call('reader.state')
    } catch {
      // Reported app-wide.
    }
  }

  /** Development builds: what a card on the simulated reader would send (comes back as an event). */
  async function simulate(cardNumber: string): Promise<void> {
    await api.call('reader.simulate', { cardNumber })
  }

  return { state, lastCard, refresh, simulate }
})
