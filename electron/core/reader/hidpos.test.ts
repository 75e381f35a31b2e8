import { describe, expect, it } from 'vitest'
import type { DecodeEvent } from './decode'
import { DATA_BYTES, HidPosDecoder, REPORT_BYTES, SCANNED_DATA_REPORT } from './hidpos'

/**
 * A scanned-data report built byte by byte the way the Access-IS LSR116/ATR110 manuals lay it out
 * and a Honeywell Voyager 1602g was recorded sending it (HenkVanAsselt/python_hon_usbhid): report
 * id 0x02, data length, AIM identifier (3 bytes), 56 data bytes padded with 0, the vendor's code
 * id, a reserved byte, and the flags byte whose bit 0 says "continued in the next report".
 */
function scanned(data: string, opts: { aim?: string; continued?: boolean; length?: number; codeId?: number; id?: number; pad?: number } = {}): Uint8Array {
  const report = new Uint8Array(REPORT_BYTES)
  report[0] = opts.id ?? SCANNED_DATA_REPORT
  report[1] = opts.length ?? data.length
  const aim = opts.aim ?? ']E0'
  for (let i = 0; i < 3; i++) report[2 + i] = aim.charCodeAt(i) || 0
  report.fill(opts.pad ?? 0, 5, 5 + DATA_BYTES)
  for (let i = 0; i < data.length; i++) report[5 + i] = data.charCodeAt(i)
  report[61] = opts.codeId ?? 0x64 // Honeywell's code id for EAN-13; the decoder does not read it
  report[62] = 0
  report[63] = opts.continued ? 0x01 : 0x00
  return report
}

const options = { gapMs: 100 }

/** Feeds reports `stepMs` apart; returns what the decoder said. */
function feed(decoder: HidPosDecoder, reports: Uint8Array[], start = 0, stepMs = 2): DecodeEvent[] {
  return reports.flatMap((r, i) => decoder.push(r, start + i * stepMs))
}

describe('the HID-POS scanned-data decoder', () => {
  it('reads a card number sent in one report, and keeps the symbology', () => {
    const decoder = new HidPosDecoder(options)
    expect(feed(decoder, [scanned('0012345678', { aim: ']C0' })])).toEqual([{ kind: 'read', text: '0012345678', symbology: ']C0' }])
    expect(decoder.reading).toBe(false)
  })

  it('joins an EAN-13 split over two reports by the "continued" bit', () => {
    const decoder = new HidPosDecoder(options)
    const first = scanned('5790000', { continued: true })
    expect(decoder.push(first, 0)).toEqual([])
    expect(decoder.reading).toBe(true)
    expect(decoder.push(scanned('000012'), 3)).toEqual([{ kind: 'read', text: '5790000000012', symbology: ']E0' }])
  })

  it('reads a code longer than one report, as the Access-IS manual shows it (56 + 4 bytes)', () => {
    const decoder = new HidPosDecoder({ gapMs: 100, maxLength: 64 })
    const text = 'KANTINE-0123456789-'.repeat(3) + 'END'
    expect(text.length).toBe(60)
    const events = feed(decoder, [scanned(text.slice(0, 56), { aim: ']Q0', continued: true }), scanned(text.slice(56), { aim: ']Q0' })])
    expect(events).toEqual([{ kind: 'read', text, symbology: ']Q0' }])
  })

  it('reads only `length` bytes: the padding after them, zeros or not, is never data', () => {
    const decoder = new HidPosDecoder(options)
    expect(feed(decoder, [scanned('4711', { pad: 0x20 })])).toEqual([{ kind: 'read', text: '4711', symbology: ']E0' }])
    expect(feed(decoder, [scanned('4712', { pad: 0x39 })], 1000)).toEqual([{ kind: 'read', text: '4712', symbology: ']E0' }])
  })

  it('drops the CR LF suffix a scanner may be set to add (as the recorded Honeywell reports end)', () => {
    const decoder = new HidPosDecoder(options)
    expect(feed(decoder, [scanned('DEMO0001\r\n', { aim: ']A0' })])).toEqual([{ kind: 'read', text: 'DEMO0001', symbology: ']A0' }])
  })

  it('ignores a report of another id in the middle of a split code', () => {
    const decoder = new HidPosDecoder(options)
    const keyboard = Uint8Array.from([0x01, 0, 0, 0x1e, 0, 0, 0, 0, 0]) // another collection's key report
    const status = scanned('XXXX', { id: 0x03 })
    const events = feed(decoder, [scanned('57900', { continued: true }), keyboard, status, scanned('00000012')])
    expect(events).toEqual([{ kind: 'read', text: '5790000000012', symbology: ']E0' }])
    expect(feed(decoder, [keyboard, status], 1000)).toEqual([])
  })

  it('accepts a scanner that sends no AIM identifier (three zero bytes), with an empty symbology', () => {
    const decoder = new HidPosDecoder(options)
    expect(feed(decoder, [scanned('80808080', { aim: '\0\0\0' })])).toEqual([{ kind: 'read', text: '80808080', symbology: '' }])
  })

  it('refuses a length byte larger than the report can hold, and emits no number', () => {
    const decoder = new HidPosDecoder(options)
    expect(feed(decoder, [scanned('0012345678', { length: 57 })])).toEqual([{ kind: 'discarded', reason: 'garbage' }])
    // In the middle of a split code it spoils the whole code, not only its own part.
    expect(feed(decoder, [scanned('57900', { continued: true }), scanned('00000012', { length: 200 })], 1000)).toEqual([{ kind: 'discarded', reason: 'garbage' }])
    // The next scan reads again.
    expect(feed(decoder, [scanned('4711')], 2000)).toEqual([{ kind: 'read', text: '4711', symbology: ']E0' }])
  })

  it('refuses non-printable bytes inside the data', () => {
    const decoder = new HidPosDecoder(options)
    expect(feed(decoder, [scanned('0012\x0045678')])).toEqual([{ kind: 'discarded', reason: 'garbage' }])
    expect(feed(decoder, [scanned('(01)\x1d0012', { aim: ']C1' })], 1000)).toEqual([{ kind: 'discarded', reason: 'garbage' }])
    expect(feed(decoder, [scanned('caf\xe9')], 2000)).toEqual([{ kind: 'discarded', reason: 'garbage' }])
  })

  it('refuses a truncated report, and the code it belongs to, rather than read part of a number', () => {
    const decoder = new HidPosDecoder(options)
    const truncated = scanned('5790000000012').subarray(0, 14) // its flag byte is gone
    expect(feed(decoder, [truncated])).toEqual([])
    expect(decoder.reading).toBe(true)
    expect(decoder.idle(50)).toEqual([])
    expect(decoder.idle(200)).toEqual([{ kind: 'discarded', reason: 'garbage' }])

    // Truncated first part of a split code: the final part arriving after it is no number either.
    const first = scanned('57900', { continued: true }).subarray(0, 20)
    expect(feed(decoder, [first, scanned('00000012')], 1000)).toEqual([{ kind: 'discarded', reason: 'garbage' }])
  })

  it('refuses garbage: random bytes, a bad AIM identifier, a flags byte with unknown bits, a symbology changing mid-code', () => {
    const decoder = new HidPosDecoder(options)
    let seed = 7
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 256
    const garbage = Array.from({ length: 200 }, () => {
      const r = Uint8Array.from({ length: REPORT_BYTES }, random)
      r[0] = SCANNED_DATA_REPORT
      return r
    })
    const events = feed(decoder, garbage, 0, 5)
    expect(events.some((e) => e.kind === 'read')).toBe(false)

    const fresh = new HidPosDecoder(options)
    expect(feed(fresh, [scanned('4711', { aim: 'E0]' })])).toEqual([{ kind: 'discarded', reason: 'garbage' }])
    const flags = scanned('4711')
    flags[63] = 0x80
    expect(feed(fresh, [flags], 1000)).toEqual([])
    expect(fresh.idle(1200)).toEqual([{ kind: 'discarded', reason: 'garbage' }])
    expect(feed(fresh, [scanned('5790', { continued: true }), scanned('000000012', { aim: ']C0' })], 2000)).toEqual([{ kind: 'discarded', reason: 'garbage' }])
    // Empty and short chunks of the scanned-data id: no crash, no read.
    expect(feed(fresh, [Uint8Array.from([SCANNED_DATA_REPORT]), new Uint8Array(0)], 3000)).toEqual([])
    expect(fresh.idle(3500)).toEqual([{ kind: 'discarded', reason: 'garbage' }])
  })

  it('ends a split code whose final part never comes, as incomplete, and reads the next scan', () => {
    const decoder = new HidPosDecoder(options)
    expect(feed(decoder, [scanned('5790000', { continued: true })])).toEqual([])
    expect(decoder.idle(150)).toEqual([{ kind: 'discarded', reason: 'incomplete' }])
    expect(decoder.reading).toBe(false)
    expect(feed(decoder, [scanned('5790000000012')], 300)).toEqual([{ kind: 'read', text: '5790000000012', symbology: ']E0' }])
  })

  it('refuses a read longer than the longest card or barcode, even split over many reports', () => {
    const decoder = new HidPosDecoder({ gapMs: 100, maxLength: 20 })
    const parts = Array.from({ length: 10 }, (_, i) => scanned('1'.repeat(DATA_BYTES), { continued: i < 9 }))
    expect(feed(decoder, parts)).toEqual([{ kind: 'discarded', reason: 'too-long' }])
    expect(feed(decoder, [scanned('1'.repeat(21))], 1000)).toEqual([{ kind: 'discarded', reason: 'too-long' }])
    expect(feed(decoder, [scanned('1'.repeat(20))], 2000)).toEqual([{ kind: 'read', text: '1'.repeat(20), symbology: ']E0' }])
  })

  it('emits nothing for an empty final report with no code under way (a no-read)', () => {
    const decoder = new HidPosDecoder(options)
    expect(feed(decoder, [scanned('')])).toEqual([])
    expect(decoder.reading).toBe(false)
  })
})
