import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api } from '../api'
import type { ReaderConfigInput, ReaderDevice, ReaderRead, ReaderState, ReaderStatus } from '../api'

export interface CardPresented {
  cardNumber: string
  /** Increases with every card, so the same card presented twice is still news. */
  seq: number
}

export interface ProductScanned {
  productId: string
  seq: number
}

/**
 * The card reader: its state, the last card and product barcode it read (views watch
 * `lastCard` and `lastProduct`), and the manager's settings panel. While the panel tests the
 * reader (`testing`), reads are shown there and go to no sale.
 */
export const useReaderStore = defineStore('reader', () => {
  const state = ref<ReaderState | null>(null)
  const lastCard = ref<CardPresented | null>(null)
  const lastProduct = ref<ProductScanned | null>(null)
  const status = ref<ReaderStatus | null>(null)
  const devices = ref<ReaderDevice[]>([])
  const usbAvailable = ref(true)
  const testing = ref(false)
  const testReads = ref<ReaderRead[]>([])
  let seq = 0

  api.on('reader.state', (next) => {
    state.value = next
    if (status.value) status.value = { ...status.value, state: next }
  })
  api.on('reader.card', ({ cardNumber }) => {
    if (!testing.value) lastCard.value = { cardNumber, seq: ++seq }
  })
  api.on('reader.read', (read) => {
    if (testing.value) testReads.value = [read, ...testReads.value].slice(0, 5)
    else if (read.outcome.kind === 'product') lastProduct.value = { productId: read.outcome.productId, seq: ++seq }
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

  /** A keyboard-wedge burst: the core reads it like any reader's (product barcode or card). */
  async function wedge(text: string): Promise<void> {
    try {
      await api.call('reader.wedge', { text })
    } catch {
      // Reported app-wide (the core is unreachable); the cashier scans again.
    }
  }

  // ---- the manager's settings panel ----

  async function loadSettings(): Promise<void> {
    const [s, list] = await Promise.all([api.call('reader.status'), api.call('reader.devices')])
    status.value = s
    state.value = s.state
    devices.value = list.devices
    usbAvailable.value = list.usbAvailable
  }

  async function listDevices(): Promise<void> {
    const list = await api.call('reader.devices')
    devices.value = list.devices
    usbAvailable.value = list.usbAvailable
  }

  async function configure(config: ReaderConfigInput): Promise<void> {
    status.value = await api.call('reader.configure', config)
    state.value = status.value.state
  }

  function startTest(): void {
    testReads.value = []
    testing.value = true
  }

  function stopTest(): void {
    testing.value = false
  }

  return { state, lastCard, lastProduct, status, devices, usbAvailable, testing, testReads, refresh, simulate, wedge, loadSettings, listDevices, configure, startTest, stopTest }
})
