/**
 * Decodes the key reports of a keyboard-class card reader (boot keyboard reports, read through
 * node-hid: hidraw on Linux, or a reader in HID data mode) into the text it "types". Pure: bytes
 * and times in, reads out; the device, its timers and the clock live in hid.ts. A reader in
 * HID-POS mode (usage page 0x8C) sends whole codes instead: `hidpos.ts`.
 *
 * Why each rule:
 * - A key counts when it goes *down*: a usage present in this report and absent from the previous
 *   one. A held key, or a report repeated by the device, never doubles a character.
 * - Decoding is by HID usage id, so the OS keyboard layout cannot change a number.
 * - The rollover error report (every key slot 0x01) means keys were lost; the read is spoiled and
 *   ends in nothing rather than in a number one digit short.
 * - A report that breaks the boot-report rules (reserved byte set, keys not packed, a key twice,
 *   Ctrl/Alt/GUI held, a usage that no reader types) is garbage: it spoils the read it lands in.
 *   Garbage must never crash the core nor produce a wrong number; a read that is spoiled is
 *   reported as discarded, so the cashier just scans again.
 * - A read ends at Enter (or Tab, or keypad Enter); a silence longer than `gapMs` ends it too:
 *   emitted for readers that send no terminator ('gap'), discarded as incomplete otherwise.
 * - Reports may arrive split across chunks (a fragment shorter than a report) or several in one
 *   chunk; they are reassembled by length before decoding.
 */

export interface DecoderOptions {
  /** What ends a read: Enter/Tab ('enter'), or a silence of `gapMs` ('gap'). */
  terminator: 'enter' | 'gap'
  /** Longest silence between two keys of one read (ms). */
  gapMs: number
  /** Longest read; anything longer is no card number or barcode. */
  maxLength?: number
}

export type DiscardReason = 'rollover' | 'garbage' | 'too-long' | 'incomplete'
/** A read, with its AIM symbology identifier when the reader says one (HID-POS: ']E0' is EAN-13). */
export type DecodeEvent = { kind: 'read'; text: string; symbology?: string } | { kind: 'discarded'; reason: DiscardReason }

/** What hid.ts asks of a decoder, whichever way the device reports. */
export interface ReportDecoder {
  /** True while a read is under way (a timer should call `idle` after the gap). */
  readonly reading: boolean
  /** One chunk of bytes as the device delivered it, at time `at` (ms). */
  push(chunk: Uint8Array, at: number): DecodeEvent[]
  /** Time passes with no report. */
  idle(at: number): DecodeEvent[]
}

const BOOT_REPORT = 8
const ROLLOVER = 0x01
const SHIFT_BITS = 0x02 | 0x20
const TERMINATORS = new Set([0x28, 0x2b, 0x58]) // Enter, Tab, keypad Enter
const DEFAULT_MAX_LENGTH = 64

/** Shifted keys a magstripe reader sends as track sentinels and separators: % ^ ? */
const SHIFTED_SENTINELS: Record<number, string> = { 0x22: '%', 0x23: '^', 0x38: '?' }
/** Unshifted ones: ; = / */
const SENTINELS: Record<number, string> = { 0x33: ';', 0x2e: '=', 0x38: '/' }

/** The character a reader means by `usage` (shift as given), or null for none a reader types. */
export function usageChar(usage: number, shift: boolean): string | null {
  if (usage >= 0x04 && usage <= 0x1d) return String.fromCharCode(65 + usage - 0x04) // letters: card numbers are upper case
  if (shift) return SHIFTED_SENTINELS[usage] ?? null // other shifted keys are symbols no card holds
  if (SENTINELS[usage]) return SENTINELS[usage] ?? null
  if (usage >= 0x1e && usage <= 0x26) return String(usage - 0x1d)
  if (usage === 0x27) return '0'
  if (usage >= 0x59 && usage <= 0x61) return String(usage - 0x58) // keypad 1..9
  if (usage === 0x62) return '0'
  if (usage === 0x2d || usage === 0x56) return '-'
  if (usage === 0x2c) return ' '
  return null
}

export class KeyboardReportDecoder implements ReportDecoder {
  private previous: number[] = []
  private text = ''
  private spoiled: DiscardReason | null = null
  private lastKeyAt: number | null = null
  private fragment: Uint8Array | null = null
  private fragmentAt = 0
  private readonly maxLength: number

  constructor(private readonly options: DecoderOptions) {
    this.maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH
  }

  /** True while a read is under way (a timer should call `idle` after `gapMs`). */
  get reading(): boolean {
    return this.lastKeyAt !== null
  }

  /** One chunk of bytes as the device delivered it, at time `at` (ms). */
  push(chunk: Uint8Array, at: number): DecodeEvent[] {
    const out = this.idle(at)
    for (const report of this.reports(chunk, at)) this.decode(report, at, out)
    return out
  }

  /** Time passes with no report: a read older than the gap ends here. */
  idle(at: number): DecodeEvent[] {
    const out: DecodeEvent[] = []
    if (this.lastKeyAt !== null && at - this.lastKeyAt > this.options.gapMs) {
      if (this.options.terminator === 'gap') this.finish(out)
      else this.abandon(out, 'incomplete')
    }
    if (this.fragment && at - this.fragmentAt > this.options.gapMs) this.fragment = null
    return out
  }

  /**
   * Whole reports out of a chunk: an 8-byte boot report, 9 with a report id first, several
   * back to back, or a fragment completed by the next chunk. A chunk that fits none of these is
   * garbage and is dropped whole, so one odd chunk never shifts the reports after it.
   */
  private *reports(chunk: Uint8Array, at: number): Generator<Uint8Array> {
    if (this.fragment) {
      const fragment = this.fragment
      this.fragment = null
      if ((fragment.length + chunk.length) % BOOT_REPORT === 0) {
        const joined = new Uint8Array(fragment.length + chunk.length)
        joined.set(fragment)
        joined.set(chunk, fragment.length)
        chunk = joined
      } else {
        this.spoil('garbage', at)
      }
    }
    if (chunk.length === BOOT_REPORT + 1) {
      yield chunk.subarray(1)
    } else if (chunk.length < BOOT_REPORT) {
      this.fragment = chunk.slice()
      this.fragmentAt = at
    } else if (chunk.length % BOOT_REPORT === 0 && chunk.length <= 64) {
      for (let offset = 0; offset < chunk.length; offset += BOOT_REPORT) yield chunk.subarray(offset, offset + BOOT_REPORT)
    } else {
      this.spoil('garbage', at)
    }
  }

  private decode(report: Uint8Array, at: number, out: DecodeEvent[]): void {
    const modifiers = report[0] ?? 0
    const keys = Array.from(report.subarray(2))
    if (keys.every((k) => k === ROLLOVER)) {
      // Keys were pressed that the report could not hold: the state is unknown, keep the last
      // one (a key still held stays not-new) and spoil the read.
      this.spoil('rollover', at)
      return
    }
    if (!this.wellFormed(report, keys)) {
      this.spoil('garbage', at)
      return
    }
    const pressed = keys.filter((k) => k !== 0)
    const down = pressed.filter((k) => !this.previous.includes(k))
    this.previous = pressed
    const shift = (modifiers & SHIFT_BITS) !== 0
    for (const usage of down) {
      if (TERMINATORS.has(usage)) {
        this.finish(out)
        continue
      }
      const ch = usageChar(usage, shift)
      this.lastKeyAt = at
      if (ch === null) this.spoiled ??= 'garbage'
      else if (this.text.length >= this.maxLength) this.spoiled ??= 'too-long'
      else this.text += ch
    }
  }

  /** Boot report rules a real reader keeps; random bytes almost never do. */
  private wellFormed(report: Uint8Array, keys: number[]): boolean {
    if (report[1] !== 0) return false
    if (((report[0] ?? 0) & ~SHIFT_BITS) !== 0) return false // Ctrl, Alt, GUI: no reader types those
    let ended = false
    const seen = new Set<number>()
    for (const k of keys) {
      if (k === 0) {
        ended = true
        continue
      }
      if (ended || seen.has(k) || k < 0x04 || k > 0x65) return false
      seen.add(k)
    }
    return true
  }

  /**
   * A bad report spoils the read under way, or the one starting within `gapMs` (its first key
   * may be what the report lost); after a silence it is reported as discarded and forgotten.
   */
  private spoil(reason: DiscardReason, at: number): void {
    this.spoiled ??= reason
    this.lastKeyAt = at
  }

  private finish(out: DecodeEvent[]): void {
    if (this.spoiled) out.push({ kind: 'discarded', reason: this.spoiled })
    else if (this.text !== '') out.push({ kind: 'read', text: this.text })
    this.reset()
  }

  private abandon(out: DecodeEvent[], reason: DiscardReason): void {
    if (this.text !== '' || this.spoiled) out.push({ kind: 'discarded', reason: this.spoiled ?? reason })
    this.reset()
  }

  private reset(): void {
    this.text = ''
    this.spoiled = null
    this.lastKeyAt = null
  }
}
