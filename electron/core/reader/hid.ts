import { EventEmitter } from 'node:events'
import { z } from 'zod'
import type { ReaderState } from '../api/contract'
import type { CardReader } from './reader'

/** USB ids of supported readers; a reader that is not listed is not opened. */
export interface HidReaderConfig {
  vendorId: number
  productId: number
  pollMs?: number
}

// HID data crosses a trust boundary: a report is bytes from a device we do not control.
const Report = z.instanceof(Buffer).refine((b) => b.length > 0 && b.length <= 64, 'HID report of 1..64 bytes')

/** Keyboard-style report → character (HID usage table, digits and letters). */
function usageToChar(usage: number): string | null {
  if (usage >= 0x04 && usage <= 0x1d) return String.fromCharCode(65 + usage - 0x04)
  if (usage >= 0x1e && usage <= 0x26) return String(usage - 0x1d)
  if (usage === 0x27) return '0'
  return null
}

const ENTER = 0x28

/**
 * A HID card reader that sends the card number as key reports ending with Enter (the common
 * "keyboard wedge" protocol). node-hid is loaded lazily: a machine without libusb still runs
 * the till, with the reader reported as disconnected.
 */
export class HidReader extends EventEmitter implements CardReader {
  state: ReaderState = 'disconnected'
  private device: { on(e: string, l: (x: unknown) => void): void; close(): void } | null = null
  private buffer = ''
  private timer: NodeJS.Timeout | null = null

  constructor(private readonly config: HidReaderConfig) {
    super()
    this.timer = setInterval(() => void this.connect(), config.pollMs ?? 2000)
    this.timer.unref?.()
    void this.connect()
  }

  private async connect(): Promise<void> {
    if (this.device) return
    try {
      const HID = await import('node-hid')
      const info = HID.devices().find((d) => d.vendorId === this.config.vendorId && d.productId === this.config.productId)
      if (!info?.path) return
      const device = new HID.HID(info.path)
      this.device = device as unknown as NonNullable<HidReader['device']>
      this.setState('connected')
      device.on('data', (data: unknown) => this.onReport(data))
      device.on('error', () => this.disconnect())
    } catch {
      this.disconnect()
    }
  }

  /** Exposed for tests: feed one raw report. */
  onReport(data: unknown): void {
    const report = Report.safeParse(data)
    if (!report.success) return
    // Boot keyboard report: byte 0 modifiers, byte 1 reserved, bytes 2..7 key usages.
    for (const usage of report.data.subarray(2)) {
      if (usage === 0) continue
      if (usage === ENTER) {
        const raw = this.buffer
        this.buffer = ''
        if (raw) this.emit('card', raw)
        continue
      }
      const ch = usageToChar(usage)
      if (ch && this.buffer.length < 40) this.buffer += ch
    }
  }

  private disconnect(): void {
    try {
      this.device?.close()
    } catch {
      // the device is already gone
    }
    this.device = null
    this.setState('disconnected')
  }

  private setState(state: ReaderState): void {
    if (this.state === state) return
    this.state = state
    this.emit('state', state)
  }

  close(): void {
    if (this.timer) clearInterval(this.timer)
    this.disconnect()
    this.removeAllListeners()
  }
}
