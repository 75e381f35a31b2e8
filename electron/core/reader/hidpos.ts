/**
 * Decodes the reports of a reader in HID-POS mode (USB HID Point of Sale Usage Tables, usage page
 * 0x8C "Bar Code Scanner": Honeywell and Access-IS scanners set to "HID POS", and others keeping
 * the same layout) into the text it read. Pure: bytes and times in, reads out; the device and its
 * timers live in hid.ts.
 *
 * The "Scanned Data Report" these readers send, 64 bytes with the report id first:
 *
 *   byte 0       report id 0x02
 *   byte 1       how many data bytes this report holds (0..56)
 *   bytes 2..4   AIM symbology identifier: ']', code character, modifier (']E0' is EAN-13)
 *   bytes 5..60  the data, padded after `length` (with 0 or anything: never read)
 *   byte 61      the vendor's own symbology code (Honeywell's code id; not used)
 *   byte 62      reserved
 *   byte 63      bit 0: more data follows in the next report (long codes are split); bits 1-7: 0
 *
 * Checked against: the Access-IS LSR116/ATR110 product manuals ("HID reports" appendix, with a
 * 60-byte code split 56 + 4 over two reports); reports recorded from a Honeywell Voyager 1602g in
 * HenkVanAsselt/python_hon_usbhid (README.md: `[2, 56, 93, 88, 48, …, 63, 0, 1]`, the last part
 * `[2, 9, …, 0, 0]`, its data ending in CR LF); NielsLeenheer/WebHidBarcodeScanner (src/main.js:
 * report id 2, length, AIM, data, continuation in the last byte). Newland engines put the data at
 * byte 2 with no AIM identifier: their reports fail the identifier check and are refused (a code
 * that itself begins with ']' and two printable characters would not; none of ours do).
 *
 * Why each rule:
 * - Only report id 0x02 is a scanned-data report; any other id (another collection of the same
 *   device, a status report) is ignored and does not disturb a code split over reports.
 * - A report is taken whole or not at all: one that is not exactly 64 bytes, whose flag byte has
 *   bits beyond "continued", whose identifier is no AIM identifier, or whose length byte claims
 *   more than the report holds spoils the read under way (or the one it starts), so the read ends
 *   in "discarded", never in a number with a part missing.
 * - The data must be printable ASCII; a trailing CR/LF/Tab (a suffix the scanner may be set to
 *   add) is dropped. GS1 codes with a GS separator are thus refused: no canteen card holds one.
 * - A code split over reports keeps one symbology; a final part that does not come within
 *   `gapMs` ends the read as incomplete.
 */
import type { DecodeEvent, DiscardReason, ReportDecoder } from './decode'

/** The USB HID usage page of bar code scanners (HID-POS). */
export const HID_POS_USAGE_PAGE = 0x8c

export const SCANNED_DATA_REPORT = 0x02
export const REPORT_BYTES = 64
const LENGTH_AT = 1
const SYMBOLOGY_AT = 2
const DATA_AT = 5
const FLAGS_AT = 63
export const DATA_BYTES = 56 // bytes 5..60
const CONTINUED = 0x01
const AIM_FLAG = 0x5d // ']'
const DEFAULT_MAX_LENGTH = 64
const SUFFIX = /[\r\n\t]+$/
const PRINTABLE = /^[\x20-\x7e]*$/

export interface HidPosOptions {
  /** Longest wait for the next part of a split code (ms). */
  gapMs: number
  /** Longest read; anything longer is no card number or barcode. */
  maxLength?: number
}

export class HidPosDecoder implements ReportDecoder {
  private text = ''
  /** The read under way's AIM identifier ('' when the scanner sends none); null: no read under way. */
  private symbology: string | null = null
  private spoiled: DiscardReason | null = null
  private lastAt: number | null = null
  private readonly maxLength: number

  constructor(private readonly options: HidPosOptions) {
    this.maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH
  }

  get reading(): boolean {
    return this.lastAt !== null
  }

  push(chunk: Uint8Array, at: number): DecodeEvent[] {
    const out = this.idle(at)
    if (chunk[0] !== SCANNED_DATA_REPORT) return out
    if (chunk.length !== REPORT_BYTES) {
      // Cut short or run long: where its flag byte is, is unknown. Spoil; the gap ends the read.
      this.spoil('garbage', at)
      return out
    }
    const flags = chunk[FLAGS_AT] ?? 0
    if ((flags & ~CONTINUED) !== 0) {
      this.spoil('garbage', at)
      return out
    }
    const length = chunk[LENGTH_AT] ?? 0
    const symbology = aimIdentifier(chunk.subarray(SYMBOLOGY_AT, DATA_AT))
    if (length > DATA_BYTES || symbology === null || (this.symbology !== null && symbology !== this.symbology)) {
      this.spoil('garbage', at)
    } else if (this.spoiled === null) {
      this.symbology ??= symbology
      // Kept to a bound: a device that never ends a read must not grow this without end.
      if (this.text.length + length > this.maxLength + DATA_BYTES) this.spoiled = 'too-long'
      else this.text += String.fromCharCode(...chunk.subarray(DATA_AT, DATA_AT + length))
    }
    this.lastAt = at
    if ((flags & CONTINUED) === 0) this.finish(out)
    return out
  }

  /** Time passes with no report: a split code whose next part is later than the gap ends here. */
  idle(at: number): DecodeEvent[] {
    const out: DecodeEvent[] = []
    if (this.lastAt !== null && at - this.lastAt > this.options.gapMs) {
      out.push({ kind: 'discarded', reason: this.spoiled ?? 'incomplete' })
      this.reset()
    }
    return out
  }

  private spoil(reason: DiscardReason, at: number): void {
    this.spoiled ??= reason
    this.lastAt = at
  }

  private finish(out: DecodeEvent[]): void {
    const text = this.text.replace(SUFFIX, '')
    const symbology = this.symbology ?? ''
    if (this.spoiled) out.push({ kind: 'discarded', reason: this.spoiled })
    else if (!PRINTABLE.test(text)) out.push({ kind: 'discarded', reason: 'garbage' })
    else if (text.length > this.maxLength) out.push({ kind: 'discarded', reason: 'too-long' })
    else if (text !== '') out.push({ kind: 'read', text, symbology })
    this.reset()
  }

  private reset(): void {
    this.text = ''
    this.symbology = null
    this.spoiled = null
    this.lastAt = null
  }
}

/** ']' and two printable characters, or '' for three zero bytes (a scanner that sends none); else null. */
function aimIdentifier(bytes: Uint8Array): string | null {
  const [flag, code, modifier] = bytes
  if (flag === 0 && code === 0 && modifier === 0) return ''
  if (flag !== AIM_FLAG || code === undefined || modifier === undefined) return null
  if (code < 0x21 || code > 0x7e || modifier < 0x21 || modifier > 0x7e) return null
  return String.fromCharCode(flag, code, modifier)
}
