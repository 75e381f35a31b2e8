import { EventEmitter } from 'node:events'
import type { ReaderState } from '../api/contract'
import type { DiscardReason } from './decode'

/**
 * A card reader: something that reports card numbers. The real one is a USB HID device
 * (node-hid); the simulated one is driven from the development panel and from tests. Both
 * have this shape, so the core cannot tell them apart.
 */
export interface CardReader {
  readonly state: ReaderState
  /** `symbology`: the AIM identifier a HID-POS reader sends with a code (']E0' EAN-13), else null. */
  on(event: 'card', listener: (raw: string, symbology: string | null) => void): this
  on(event: 'state', listener: (state: ReaderState) => void): this
  /** A read that could not be decoded (a spoiled report sequence); the cashier scans again. */
  on(event: 'discarded', listener: (reason: DiscardReason) => void): this
  close(): void
}

export class SimulatedReader extends EventEmitter implements CardReader {
  readonly state: ReaderState = 'simulated'

  /** What the device would send when a card is held to it. */
  present(raw: string): void {
    this.emit('card', raw, null)
  }

  close(): void {
    this.removeAllListeners()
  }
}
