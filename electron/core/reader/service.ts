/**
 * The till's card reading, whatever reads the card: the chosen USB reader (hid.ts; key reports
 * or, for a reader in HID-POS mode, scanned-data reports, chosen by the device's usage page), the
 * renderer's keyboard wedge, or the development panel's simulated reader. Every read takes the
 * same road: a valid product barcode the catalogue knows is a product; anything else is
 * normalised the way this reader prints cards, then checked as a card number. The settings (which
 * device, how it prints) live in the till's settings table, never in the code.
 */
import { z } from 'zod'
import { canonicalBarcode } from '../../../domain/ean'
import { normalizeCardNumber } from '../../../domain/card'
import type { EventName, Events } from '../api/contract'
import {
  ChosenDevice,
  ReaderConfigInput,
  type ReaderDevice,
  type ReaderRead,
  type ReaderState,
  type ReaderStatus,
  type ReadSource,
  type UnreadableReason,
} from '../api/areas/reader'
import type { Clock } from '../clock'
import type { Db } from '../store/db'
import { getSetting, setSetting } from '../store/settings'
import { HidReader, loadNodeHid, withMode, type HidBackend } from './hid'
import { AS_READ, Normalisation, normaliseCard } from './normalise'
import { SimulatedReader } from './reader'

/** What is kept in the settings table: the device, its decoding, and each reader's normalisation. */
const StoredConfig = z.object({
  device: ChosenDevice.nullable(),
  terminator: z.enum(['enter', 'gap']),
  gapMs: z.number().int().min(20).max(1000),
  /** Per reader: 'wedge', or 'usb:<vendor>:<product>' in hex. */
  normalisations: z.record(z.string().max(40), Normalisation),
})
type StoredConfig = z.infer<typeof StoredConfig>

const DEFAULT_CONFIG: StoredConfig = { device: null, terminator: 'enter', gapMs: 100, normalisations: {} }
const WEDGE = 'wedge'
/**
 * A keyboard-class reader read through hidraw may also type into the window (when the udev rule
 * that hides it from the desktop is missing): the same text from the other road this soon after
 * is that echo, not a second card.
 */
const ECHO_MS = 1500

export function readerKey(device: { vendorId: number; productId: number } | null): string {
  if (!device) return WEDGE
  const hex = (n: number) => n.toString(16).padStart(4, '0')
  return `usb:${hex(device.vendorId)}:${hex(device.productId)}`
}

export interface ReaderServiceOptions {
  db: Db
  clock: Clock
  emit: <E extends EventName>(event: E, payload: Events[E]) => void
  /** Offer the simulated reader (development builds, tests). */
  simulated: boolean
  /** Read a USB reader through node-hid. */
  usb: boolean
  /** node-hid, or a fake in tests. */
  backend?: () => Promise<HidBackend | null>
  pollMs?: number
  log?: (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void
}

export class ReaderService {
  readonly simulated: SimulatedReader | null
  private readonly hid: HidReader | null
  private readonly backend: () => Promise<HidBackend | null>
  private config: StoredConfig
  private readonly productByBarcode
  private last: { source: ReadSource; text: string; at: number; read: ReaderRead } | null = null

  constructor(private readonly opts: ReaderServiceOptions) {
    this.config = loadConfig(opts.db)
    this.productByBarcode = opts.db.prepare<[string], { id: string; name: string }>('SELECT id, name FROM products WHERE barcode = ? AND available = 1 LIMIT 1')
    let backend: Promise<HidBackend | null> | null = null
    const load = opts.backend ?? loadNodeHid
    this.backend = () => (backend ??= load())

    this.simulated = opts.simulated ? new SimulatedReader() : null
    this.simulated?.on('card', (raw) => this.handle('simulated', raw))

    this.hid = opts.usb ? new HidReader({ backend: this.backend, now: () => opts.clock.now().getTime(), pollMs: opts.pollMs, log: opts.log }) : null
    if (this.hid) {
      // A HID-POS read also says its symbology; a product is still told from a card by the
      // catalogue, the same for every reader, so only the text goes on.
      this.hid.on('card', (raw) => this.handle('hid', raw))
      this.hid.on('discarded', (reason) => this.report('hid', '', { kind: 'unreadable', reason }))
      this.hid.on('state', () => opts.emit('reader.state', this.state()))
      this.applyToHid()
    }
  }

  state(): ReaderState {
    if (this.config.device) return this.hid ? this.hid.state : 'unavailable'
    return this.simulated ? 'simulated' : 'wedge'
  }

  async status(): Promise<ReaderStatus> {
    return {
      state: this.state(),
      open: this.hid?.device ?? null,
      config: this.publicConfig(),
      usbAvailable: this.hid !== null && (await this.backend()) !== null,
    }
  }

  /** The USB HID devices present. node-hid lists them on a worker thread. */
  async devices(): Promise<{ usbAvailable: boolean; devices: ReaderDevice[] }> {
    const backend = this.hid ? await this.backend() : null
    if (!backend) return { usbAvailable: false, devices: [] }
    const devices = (await backend.devices()).map(withMode)
    return { usbAvailable: true, devices: devices.sort((a, b) => (a.product ?? '').localeCompare(b.product ?? '') || a.path.localeCompare(b.path)) }
  }

  async configure(input: ReaderConfigInput): Promise<ReaderStatus> {
    const parsed = ReaderConfigInput.parse(input)
    this.config = {
      device: parsed.device,
      terminator: parsed.terminator,
      gapMs: parsed.gapMs,
      normalisations: { ...this.config.normalisations, [readerKey(parsed.device)]: parsed.normalisation },
    }
    setSetting(this.opts.db, 'reader_config', JSON.stringify(this.config))
    this.applyToHid()
    this.opts.emit('reader.state', this.state())
    return this.status()
  }

  /** A keyboard-wedge burst the renderer decoded. */
  wedge(text: string): ReaderRead {
    return this.handle('wedge', text)
  }

  close(): void {
    this.hid?.close()
    this.simulated?.close()
  }

  private applyToHid(): void {
    const d = this.config.device
    this.hid?.configure(d ? { vendorId: d.vendorId, productId: d.productId, path: d.path, interface: d.interface, usagePage: d.usagePage ?? null } : null, { terminator: this.config.terminator, gapMs: this.config.gapMs })
  }

  private publicConfig(): ReaderConfigInput {
    return {
      device: this.config.device,
      terminator: this.config.terminator,
      gapMs: this.config.gapMs,
      normalisation: this.normalisationOf(this.config.device ? 'hid' : 'wedge'),
    }
  }

  private normalisationOf(source: ReadSource): Normalisation {
    if (source === 'simulated') return AS_READ
    const key = source === 'hid' ? readerKey(this.config.device) : WEDGE
    return this.config.normalisations[key] ?? AS_READ
  }

  /** The one road of every read. */
  private handle(source: ReadSource, raw: string): ReaderRead {
    const text = raw.trim()
    const now = this.opts.clock.now().getTime()
    const last = this.last
    if (last && source !== 'simulated' && last.source !== 'simulated' && last.source !== source && last.text === text && now - last.at < ECHO_MS) return last.read
    const read = this.read(source, text)
    this.last = { source, text, at: now, read }
    return read
  }

  private read(source: ReadSource, text: string): ReaderRead {
    const barcode = canonicalBarcode(text)
    if (barcode !== null) {
      const product = this.productByBarcode.get(barcode)
      if (product) return this.report(source, text, { kind: 'product', barcode, productId: product.id, productName: product.name })
    }
    const normalised = normaliseCard(text, this.normalisationOf(source))
    if (!normalised.ok) return this.report(source, text, { kind: 'unreadable', reason: normalised.reason })
    const card = normalizeCardNumber(normalised.text)
    if (!card.ok) return this.report(source, text, { kind: 'unreadable', reason: card.reason satisfies UnreadableReason })
    // The card event first: it is what a sale waits for.
    this.opts.emit('reader.card', { cardNumber: card.number })
    return this.report(source, text, { kind: 'card', cardNumber: card.number })
  }

  private report(source: ReadSource, raw: string, outcome: ReaderRead['outcome']): ReaderRead {
    const read: ReaderRead = { source, raw, at: this.opts.clock.now().toISOString(), outcome }
    this.opts.emit('reader.read', read)
    return read
  }
}

function loadConfig(db: Db): StoredConfig {
  const stored = getSetting(db, 'reader_config')
  if (stored === null) return DEFAULT_CONFIG
  try {
    const parsed = StoredConfig.safeParse(JSON.parse(stored))
    return parsed.success ? parsed.data : DEFAULT_CONFIG
  } catch {
    return DEFAULT_CONFIG
  }
}
