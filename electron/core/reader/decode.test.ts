import { describe, expect, it } from 'vitest'
import { KeyboardReportDecoder, type DecodeEvent, type DecoderOptions } from './decode'

/** HID usage of a character as a US-configured reader sends it (the OS layout never enters). */
function usageOf(ch: string): { usage: number; shift: boolean } {
  if (/[A-Z]/.test(ch)) return { usage: 0x04 + ch.charCodeAt(0) - 65, shift: true }
  if (/[a-z]/.test(ch)) return { usage: 0x04 + ch.charCodeAt(0) - 97, shift: false }
  if (ch === '0') return { usage: 0x27, shift: false }
  if (/[1-9]/.test(ch)) return { usage: 0x1d + Number(ch), shift: false }
  if (ch === '\n') return { usage: 0x28, shift: false }
  throw new Error(`no usage for ${ch}`)
}

const report = (modifiers: number, ...keys: number[]) => Uint8Array.from([modifiers, 0, ...keys, ...Array(6 - keys.length).fill(0)])
const RELEASE = report(0)
const ROLLOVER = report(0, 1, 1, 1, 1, 1, 1)

/** The reports a reader sends for `text`: press, release, press, release… (the usual way). */
function typed(text: string): Uint8Array[] {
  return [...text].flatMap((ch) => {
    const { usage, shift } = usageOf(ch)
    return [report(shift ? 0x02 : 0, usage), RELEASE]
  })
}

/** Reports of a fast reader that presses the next key before releasing the previous one. */
function overlapped(text: string): Uint8Array[] {
  const usages = [...text].map((ch) => usageOf(ch).usage)
  const out: Uint8Array[] = []
  let last: number | null = null
  for (const u of usages) {
    out.push(last === null ? report(0, u) : report(0, last, u))
    last = u
  }
  if (last !== null) out.push(report(0, last))
  out.push(RELEASE)
  return out
}

const options: DecoderOptions = { terminator: 'enter', gapMs: 100 }

/** Feeds reports `stepMs` apart; returns what the decoder said. */
function feed(decoder: KeyboardReportDecoder, reports: Uint8Array[], start = 0, stepMs = 4): DecodeEvent[] {
  return reports.flatMap((r, i) => decoder.push(r, start + i * stepMs))
}

const reads = (events: DecodeEvent[]) => events.filter((e) => e.kind === 'read').map((e) => (e as { text: string }).text)

describe('the HID key-report decoder', () => {
  it('reads a card number typed key by key and ended by Enter', () => {
    const decoder = new KeyboardReportDecoder(options)
    expect(feed(decoder, typed('0012345678\n'))).toEqual([{ kind: 'read', text: '0012345678' }])
  })

  it('upper-cases letters with or without shift, so a card number is one number', () => {
    const decoder = new KeyboardReportDecoder(options)
    expect(reads(feed(decoder, typed('DEMO0001\n')))).toEqual(['DEMO0001'])
    expect(reads(feed(decoder, typed('demo0001\n'), 1000))).toEqual(['DEMO0001'])
  })

  it('reads keypad digits and a keypad Enter like the number row', () => {
    const decoder = new KeyboardReportDecoder(options)
    const kp = [0x59, 0x62, 0x5a, 0x58].flatMap((u) => [report(0, u), RELEASE]) // 1 0 2 keypad-Enter
    expect(reads(feed(decoder, kp))).toEqual(['102'])
  })

  it('decodes a key when it goes down: a held key and repeated reports never double a digit', () => {
    const decoder = new KeyboardReportDecoder(options)
    const held = [report(0, 0x1e), report(0, 0x1e), report(0, 0x1e), RELEASE, report(0, 0x1f), report(0, 0x1f), RELEASE, report(0, 0x28), RELEASE]
    expect(reads(feed(decoder, held))).toEqual(['12'])
  })

  it('reads the same number when the reader overlaps its key presses', () => {
    const decoder = new KeyboardReportDecoder(options)
    expect(reads(feed(decoder, overlapped('4710\n')))).toEqual(['4710'])
    const other = new KeyboardReportDecoder(options)
    expect(reads(feed(other, overlapped('90817263\n')))).toEqual(['90817263'])
  })

  it('counts a repeated digit again once it was released in between', () => {
    const decoder = new KeyboardReportDecoder(options)
    expect(reads(feed(decoder, typed('1100\n')))).toEqual(['1100'])
  })

  it('joins reports split over chunks, and several reports in one chunk', () => {
    const decoder = new KeyboardReportDecoder(options)
    const bytes = Buffer.concat(typed('2468\n'))
    const cuts = [0, 5, 8, 24, 28, 32, bytes.length]
    const chunks = cuts.slice(1).map((end, i) => bytes.subarray(cuts[i], end))
    expect(reads(feed(decoder, chunks))).toEqual(['2468'])
  })

  it('reads a number spread over many reports arriving in bursts (within the gap)', () => {
    const decoder = new KeyboardReportDecoder(options)
    const reports = typed('55501234\n')
    const first = feed(decoder, reports.slice(0, 7), 0, 2)
    const second = feed(decoder, reports.slice(7), 60, 2)
    expect([...first, ...second]).toEqual([{ kind: 'read', text: '55501234' }])
  })

  it('drops an odd chunk whole without shifting the reports after it', () => {
    const decoder = new KeyboardReportDecoder(options)
    const events = feed(decoder, [...typed('12'), Uint8Array.from([0, 0, 0x20]), Uint8Array.from(Array(11).fill(0)), ...typed('3\n'), ...typed('4567\n')])
    expect(events).toEqual([
      { kind: 'discarded', reason: 'garbage' },
      { kind: 'read', text: '4567' },
    ])
  })

  it('strips a leading report id (9-byte reports)', () => {
    const decoder = new KeyboardReportDecoder(options)
    const withId = typed('31\n').map((r) => Uint8Array.from([0x01, ...r]))
    expect(reads(feed(decoder, withId))).toEqual(['31'])
  })

  it('a rollover error mid-number spoils the read instead of emitting a number short of a digit', () => {
    const decoder = new KeyboardReportDecoder(options)
    const reports = [...typed('123'), ROLLOVER, report(0, 0x21), RELEASE, ...typed('5\n')]
    expect(feed(decoder, reports)).toEqual([{ kind: 'discarded', reason: 'rollover' }])
    // The next card reads whole.
    expect(reads(feed(decoder, typed('777\n'), 1000))).toEqual(['777'])
  })

  it('a rollover report keeps the held keys held: nothing doubles after it', () => {
    const decoder = new KeyboardReportDecoder(options)
    const events = feed(decoder, [report(0, 0x1e), ROLLOVER, report(0, 0x1e), RELEASE])
    expect(reads(events)).toEqual([])
    // The read is spoiled; it ends in nothing after the gap.
    expect(decoder.idle(500)).toEqual([{ kind: 'discarded', reason: 'rollover' }])
  })

  it('an inter-key gap ends a read: a partial number is dropped, the next card reads whole', () => {
    const decoder = new KeyboardReportDecoder(options)
    const part = feed(decoder, typed('1234'), 0)
    expect(part).toEqual([])
    expect(decoder.reading).toBe(true)
    const next = feed(decoder, typed('98765\n'), 400)
    expect(next).toEqual([
      { kind: 'discarded', reason: 'incomplete' },
      { kind: 'read', text: '98765' },
    ])
  })

  it('with no terminator, a gap ends and emits the read', () => {
    const decoder = new KeyboardReportDecoder({ terminator: 'gap', gapMs: 50 })
    expect(feed(decoder, typed('0451'))).toEqual([])
    expect(decoder.idle(20)).toEqual([])
    expect(decoder.idle(200)).toEqual([{ kind: 'read', text: '0451' }])
    expect(decoder.reading).toBe(false)
  })

  it('a shifted digit (a symbol) or Ctrl spoils the read', () => {
    const decoder = new KeyboardReportDecoder(options)
    expect(feed(decoder, [report(0, 0x1e), RELEASE, report(0x02, 0x1f), RELEASE, report(0, 0x28), RELEASE])).toEqual([{ kind: 'discarded', reason: 'garbage' }])
    expect(feed(decoder, [report(0, 0x1e), RELEASE, report(0x01, 0x1f), RELEASE, report(0, 0x28), RELEASE], 1000)).toEqual([{ kind: 'discarded', reason: 'garbage' }])
  })

  it('reads a magstripe swipe with its sentinels (; = ? as the reader shifts them)', () => {
    const decoder = new KeyboardReportDecoder(options)
    const swipe = [
      report(0, 0x33), RELEASE, // ;
      ...typed('0012345678').slice(0),
      report(0, 0x2e), RELEASE, // =
      ...typed('2912'),
      report(0x02, 0x38), RELEASE, // ?
      report(0, 0x28), RELEASE,
    ]
    expect(reads(feed(decoder, swipe))).toEqual([';0012345678=2912?'])
  })

  it('refuses a read longer than any card number or barcode', () => {
    const decoder = new KeyboardReportDecoder({ ...options, maxLength: 8 })
    expect(feed(decoder, typed('123456789\n'))).toEqual([{ kind: 'discarded', reason: 'too-long' }])
  })

  it('garbage reports inside a number spoil it; they never produce another number', () => {
    const bad = [
      Uint8Array.from([0, 7, 0x1e, 0, 0, 0, 0, 0]), // reserved byte set
      Uint8Array.from([0, 0, 0, 0x1e, 0, 0, 0, 0]), // keys not packed
      Uint8Array.from([0, 0, 0x1e, 0x1e, 0, 0, 0, 0]), // a key twice
      Uint8Array.from([0, 0, 0xe0, 0, 0, 0, 0, 0]), // a modifier as a key
      Uint8Array.from([0, 0, 0x3a, 0, 0, 0, 0, 0]), // F1
      Uint8Array.from(Array(20).fill(0x41)), // no report length
    ]
    for (const garbage of bad) {
      const decoder = new KeyboardReportDecoder(options)
      const events = feed(decoder, [...typed('12'), garbage, RELEASE, ...typed('34\n')])
      expect(reads(events), `garbage ${Buffer.from(garbage).toString('hex')}`).toEqual([])
      expect(events).toEqual([{ kind: 'discarded', reason: 'garbage' }])
    }
  })

  it('survives random bytes without a crash or a number, then reads the next card', () => {
    let seed = 0x2545f491
    const random = () => {
      seed ^= seed << 13
      seed ^= seed >>> 17
      seed ^= seed << 5
      return (seed >>> 0) / 2 ** 32
    }
    const decoder = new KeyboardReportDecoder(options)
    const events: DecodeEvent[] = []
    for (let i = 0; i < 20_000; i++) {
      const bytes = Uint8Array.from({ length: 1 + Math.floor(random() * 12) }, () => Math.floor(random() * 256))
      events.push(...decoder.push(bytes, i))
    }
    expect(reads(events)).toEqual([])
    expect(reads(feed(decoder, typed('4242\n'), 100_000))).toEqual(['4242'])
  })
})
