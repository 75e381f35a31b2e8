/**
 * The card reader: which USB device reads cards, how its numbers are normalised, its state, and
 * the keyboard-wedge path (the renderer decodes a reader's key burst and hands the text here, so
 * every read goes through the one pipeline: product barcode, or card normalised per reader).
 */
import { z } from 'zod'
import { Normalisation } from '../../reader/normalise'
import { cardNumber, noArgs } from './area'

/**
 * connected: the chosen USB reader is open. disconnected: it is chosen but absent (unplugged).
 * no-access: present but the OS refused to open it (Linux: the udev rule is missing).
 * unavailable: node-hid cannot run here (no libusb). wedge: no USB reader chosen; cards come
 * through the keyboard. simulated: the development panel's reader.
 */
export type ReaderState = 'connected' | 'disconnected' | 'no-access' | 'unavailable' | 'wedge' | 'simulated'

/**
 * How the core reads a device, from its HID usage: keyboard (generic desktop page, usage 6) by
 * key reports; hid-pos (usage page 0x8C, bar code scanner) by scanned-data reports; other
 * (vendor "HID data" modes, unknown) by key reports, as a keyboard.
 */
export type ReaderMode = 'keyboard' | 'hid-pos' | 'other'

/** A USB HID device as the core lists it. */
export interface ReaderDevice {
  vendorId: number
  productId: number
  product: string | null
  manufacturer: string | null
  path: string
  interface: number | null
  usagePage: number | null
  usage: number | null
  mode: ReaderMode
}

const usbId = z.number().int().min(0).max(0xffff)

export const ChosenDevice = z
  .object({
    vendorId: usbId,
    productId: usbId,
    /** Preferred when present; a replugged reader may come back on another path. */
    path: z.string().min(1).max(512).nullable(),
    interface: z.number().int().min(-1).max(255).nullable(),
    /** The name it had when chosen, to show while it is unplugged. */
    product: z.string().max(200).nullable(),
    /**
     * The HID usage page of the collection chosen: a scanner may list a keyboard and a HID-POS
     * collection under the same ids, and a replug must open the same one. Absent in settings
     * saved before it was kept.
     */
    usagePage: z.number().int().min(0).max(0xffff).nullable().optional(),
  })
  .strict()
export type ChosenDevice = z.infer<typeof ChosenDevice>

export const ReaderConfigInput = z
  .object({
    /** null: no USB reader; cards come through the keyboard wedge. */
    device: ChosenDevice.nullable(),
    /** What ends a read from the USB reader: Enter/Tab, or a silence of gapMs. */
    terminator: z.enum(['enter', 'gap']),
    gapMs: z.number().int().min(20).max(1000),
    /** How the reader in use (the chosen device, or the keyboard wedge) prints a card. */
    normalisation: Normalisation,
  })
  .strict()
export type ReaderConfigInput = z.infer<typeof ReaderConfigInput>

export type ReadSource = 'hid' | 'wedge' | 'simulated'
export type UnreadableReason = 'rollover' | 'garbage' | 'too-long' | 'incomplete' | 'not-hex' | 'not-decimal' | 'card-number-invalid'

/** One read of the reader, whatever came of it (the settings panel's "scan a card to test" shows these). */
export interface ReaderRead {
  source: ReadSource
  /** What the reader sent, decoded ('' when it could not be decoded). */
  raw: string
  at: string
  outcome:
    | { kind: 'card'; cardNumber: string }
    | { kind: 'product'; barcode: string; productId: string; productName: string }
    | { kind: 'unreadable'; reason: UnreadableReason }
}

export interface ReaderStatus {
  state: ReaderState
  /** The device open now (null when none is). */
  open: ReaderDevice | null
  config: ReaderConfigInput
  /** Whether this core can list and open USB devices at all. */
  usbAvailable: boolean
}

export const readerMethods = {
  'reader.state': { input: noArgs },
  'reader.status': { input: noArgs },
  /** Manager: the USB HID devices present (listed on a worker thread, never on the sale path). */
  'reader.devices': { input: noArgs },
  /** Manager: choose the reader and its normalisation. */
  'reader.configure': { input: ReaderConfigInput },
  /** A keyboard-wedge burst, decoded by the renderer from physical keys. */
  'reader.wedge': { input: z.object({ text: z.string().min(1).max(64) }).strict() },
  /** Development builds: what a card on the simulated reader would send. */
  'reader.simulate': { input: z.object({ cardNumber }).strict() },
} as const

export interface ReaderResults {
  'reader.state': ReaderState
  'reader.status': ReaderStatus
  'reader.devices': { usbAvailable: boolean; devices: ReaderDevice[] }
  'reader.configure': ReaderStatus
  'reader.wedge': ReaderRead
  'reader.simulate': null
}
