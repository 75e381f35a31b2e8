/**
 * A USB card reader read in the core through node-hid: readers in HID data mode on any OS, and
 * keyboard-class readers on Linux through hidraw (the udev rule in resources/linux lets the
 * till's user open them). The bytes are decoded by `decode.ts` (key reports) or, for a device
 * in HID-POS mode (usage page 0x8C), by `hidpos.ts`; this file owns the device's life.
 *
 * Off the sale path: finding the device uses node-hid's `devicesAsync` and opening it
 * `HIDAsync.open`, both of which do their USB work on a worker thread, and the search runs
 * only while no device is open, one at a time (the next starts `pollMs` after the last ended,
 * never overlapping). An open device is not enumerated again: an unplug shows as the device's
 * `error`, which closes it and starts the search again, so a replug reconnects by itself.
 */
import { EventEmitter } from 'node:events'
import { z } from 'zod'
import type { ReaderDevice, ReaderMode, ReaderState } from '../api/areas/reader'
import { KeyboardReportDecoder, type DecodeEvent, type DecoderOptions, type DiscardReason, type ReportDecoder } from './decode'
import { HID_POS_USAGE_PAGE, HidPosDecoder } from './hidpos'
import type { CardReader } from './reader'

/** A device as node-hid lists it; its mode is derived here (`withMode`), never taken from outside. */
export type HidDeviceInfo = Omit<ReaderDevice, 'mode'>

/** What the core asks of node-hid; tests pass a fake. */
export interface HidBackend {
  devices(): Promise<HidDeviceInfo[]>
  open(path: string): Promise<HidHandle>
}
export interface HidHandle {
  on(event: 'data', listener: (data: unknown) => void): unknown
  on(event: 'error', listener: (err: unknown) => void): unknown
  close(): Promise<void> | void
}

/** Which device to open: vendor and product from the settings; the path, interface and usage page as a preference. */
export interface HidTarget {
  vendorId: number
  productId: number
  path: string | null
  interface: number | null
  usagePage: number | null
}

export function readerMode(d: Pick<ReaderDevice, 'usagePage' | 'usage'>): ReaderMode {
  if (d.usagePage === HID_POS_USAGE_PAGE) return 'hid-pos'
  if (d.usagePage === 0x01 && d.usage === 0x06) return 'keyboard'
  return 'other'
}

export function withMode(d: HidDeviceInfo): ReaderDevice {
  return { ...d, mode: readerMode(d) }
}

/** The decoder for the device opened: scanned-data reports for HID-POS, key reports for the rest. */
function decoderFor(device: ReaderDevice | null, options: DecoderOptions): ReportDecoder {
  return device?.mode === 'hid-pos' ? new HidPosDecoder({ gapMs: options.gapMs, maxLength: options.maxLength }) : new KeyboardReportDecoder(options)
}

// HID data crosses a trust boundary: a report is bytes from a device we do not control.
const Chunk = z.instanceof(Uint8Array).refine((b) => b.length > 0 && b.length <= 64, 'HID chunk of 1..64 bytes')

const NodeHidDevice = z.object({
  vendorId: z.number().int().min(0).max(0xffff),
  productId: z.number().int().min(0).max(0xffff),
  path: z.string().min(1).max(512),
  product: z.string().max(200).nullish(),
  manufacturer: z.string().max(200).nullish(),
  interface: z.number().int().nullish(),
  usagePage: z.number().int().nullish(),
  usage: z.number().int().nullish(),
})

/** node-hid, loaded on first use: a machine without libusb still runs the till (reader 'unavailable'). */
export async function loadNodeHid(): Promise<HidBackend | null> {
  try {
    const HID = await import('node-hid')
    return {
      async devices() {
        const found = await HID.devicesAsync()
        return found.flatMap((d) => {
          const parsed = NodeHidDevice.safeParse(d)
          if (!parsed.success) return []
          const p = parsed.data
          return [{ vendorId: p.vendorId, productId: p.productId, path: p.path, product: p.product ?? null, manufacturer: p.manufacturer ?? null, interface: p.interface ?? null, usagePage: p.usagePage ?? null, usage: p.usage ?? null }]
        })
      },
      open: (path) => HID.HIDAsync.open(path),
    }
  } catch {
    return null
  }
}

/**
 * The device to open among those present: the same path if it is still there, else the same ids
 * (and interface). Among collections of the same ids, those of the chosen usage page first, so a
 * scanner listed as keyboard and HID-POS comes back in the mode chosen.
 */
export function pickDevice(devices: readonly ReaderDevice[], target: HidTarget): ReaderDevice | null {
  const ids = devices.filter((d) => d.vendorId === target.vendorId && d.productId === target.productId)
  const samePage = ids.filter((d) => target.usagePage !== null && d.usagePage === target.usagePage)
  const same = samePage.length > 0 ? samePage : ids
  return (
    same.find((d) => target.path !== null && d.path === target.path) ??
    same.find((d) => target.interface !== null && d.interface === target.interface) ??
    same.find((d) => d.usagePage === 0x01 && d.usage === 0x06) ?? // the keyboard collection
    same[0] ??
    null
  )
}

function isPermissionError(err: unknown): boolean {
  return /EACCES|permission|access denied|cannot open device/i.test(String(err instanceof Error ? err.message : err))
}

export interface HidReaderOptions {
  backend: () => Promise<HidBackend | null>
  now: () => number
  /** Pause between two searches for the device while it is absent (ms). */
  pollMs?: number
  log?: (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void
}

export class HidReader extends EventEmitter implements CardReader {
  state: ReaderState = 'disconnected'
  /** The device open now, as it was listed. */
  device: ReaderDevice | null = null
  private handle: HidHandle | null = null
  private target: HidTarget | null = null
  private decoderOptions: DecoderOptions = { terminator: 'enter', gapMs: 100 }
  private decoder: ReportDecoder = new KeyboardReportDecoder(this.decoderOptions)
  private searchTimer: NodeJS.Timeout | null = null
  private gapTimer: NodeJS.Timeout | null = null
  private searching = false
  /** Bumped by every configure/close: a search that started before it drops what it found. */
  private generation = 0
  private closed = false
  private readonly pollMs: number

  constructor(private readonly options: HidReaderOptions) {
    super()
    this.pollMs = options.pollMs ?? 2000
  }

  /** Open this device (null: none, the keyboard wedge reads cards) and decode it this way. */
  configure(target: HidTarget | null, decoder: DecoderOptions): void {
    this.generation++
    this.target = target
    this.decoderOptions = decoder
    this.decoder = decoderFor(null, decoder)
    void this.release()
    if (target) this.schedule(0)
    else this.setState('disconnected')
  }

  private schedule(delay: number): void {
    if (this.closed || this.searchTimer) return
    this.searchTimer = setTimeout(() => {
      this.searchTimer = null
      void this.search()
    }, delay)
    this.searchTimer.unref?.()
  }

  /** One search: list, pick, open. Runs alone; schedules the next one unless a device is open. */
  private async search(): Promise<void> {
    if (this.searching || this.handle || !this.target || this.closed) return
    this.searching = true
    const generation = this.generation
    const target = this.target
    try {
      const backend = await this.options.backend()
      if (!backend) {
        this.setState('unavailable')
        return
      }
      const device = pickDevice((await backend.devices()).map(withMode), target)
      if (generation !== this.generation) return
      if (!device) {
        this.setState('disconnected')
        return
      }
      let handle: HidHandle
      try {
        handle = await backend.open(device.path)
      } catch (err) {
        this.setState(isPermissionError(err) ? 'no-access' : 'disconnected')
        this.options.log?.('warn', 'card reader found but could not be opened', { path: device.path, error: String(err) })
        return
      }
      if (generation !== this.generation || this.closed) {
        await handle.close()
        return
      }
      this.attach(handle, device)
    } catch (err) {
      this.setState('disconnected')
      this.options.log?.('warn', 'card reader search failed', { error: String(err) })
    } finally {
      this.searching = false
      if (!this.handle && this.target && !this.closed) this.schedule(this.pollMs)
    }
  }

  private attach(handle: HidHandle, device: ReaderDevice): void {
    this.handle = handle
    this.device = device
    this.decoder = decoderFor(device, this.decoderOptions)
    handle.on('data', (data) => this.onChunk(data))
    handle.on('error', (err) => {
      // Unplugged (or the OS took it): close, then look for it again.
      if (this.handle !== handle) return
      this.options.log?.('info', 'card reader went away', { error: String(err) })
      void this.release().then(() => this.schedule(this.pollMs))
    })
    this.setState('connected')
  }

  /** Exposed for tests: one chunk of bytes as the device delivered it. */
  onChunk(data: unknown): void {
    const chunk = Chunk.safeParse(data)
    if (!chunk.success) {
      this.emit('discarded', 'garbage' satisfies DiscardReason)
      return
    }
    this.deliver(this.decoder.push(chunk.data, this.options.now()))
    this.armGapTimer()
  }

  private armGapTimer(): void {
    if (this.gapTimer) clearTimeout(this.gapTimer)
    this.gapTimer = null
    if (!this.decoder.reading) return
    this.gapTimer = setTimeout(() => {
      this.gapTimer = null
      this.deliver(this.decoder.idle(this.options.now()))
      this.armGapTimer()
    }, this.decoderOptions.gapMs + 1)
    this.gapTimer.unref?.()
  }

  private deliver(events: DecodeEvent[]): void {
    for (const e of events) {
      if (e.kind === 'read') this.emit('card', e.text, e.symbology ?? null)
      else this.emit('discarded', e.reason)
    }
  }

  private async release(): Promise<void> {
    const handle = this.handle
    this.handle = null
    this.device = null
    if (this.gapTimer) clearTimeout(this.gapTimer)
    this.gapTimer = null
    if (handle) {
      try {
        await handle.close()
      } catch {
        // the device is already gone
      }
    }
    if (!this.closed) this.setState('disconnected')
  }

  private setState(state: ReaderState): void {
    if (this.state === state) return
    this.state = state
    this.emit('state', state)
  }

  close(): void {
    this.closed = true
    this.generation++
    if (this.searchTimer) clearTimeout(this.searchTimer)
    this.searchTimer = null
    void this.release()
    this.removeAllListeners()
  }
}
