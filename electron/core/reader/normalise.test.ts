import { describe, expect, it } from 'vitest'
import { AS_READ, magstripeNumber, normaliseCard, type Normalisation } from './normalise'

// One MIFARE card, UID 04 A2 3B 1C, as four readers print it.
const HEX_AS_WIRE = '04A23B1C'
const HEX_REVERSED = '1C3BA204'
const DEC_AS_WIRE = '0077740828' // 0x04A23B1C
const DEC_REVERSED = '0473670148' // 0x1C3BA204

const canteen = { uidBytes: 4, output: 'hex' } as const

describe('per-reader normalisation: one card gives one number', () => {
  it('four readers printing the same card four ways give the canteen one number', () => {
    const readers: [string, Normalisation][] = [
      [HEX_AS_WIRE, { ...canteen, prints: 'hex', reverseBytes: false }],
      [HEX_REVERSED, { ...canteen, prints: 'hex', reverseBytes: true }],
      [DEC_AS_WIRE, { ...canteen, prints: 'decimal', reverseBytes: false }],
      [DEC_REVERSED, { ...canteen, prints: 'decimal', reverseBytes: true }],
    ]
    for (const [printed, setting] of readers) expect(normaliseCard(printed, setting), printed).toEqual({ ok: true, text: '04A23B1C' })
  })

  it('prints decimal padded to the width of the UID length', () => {
    expect(normaliseCard(HEX_REVERSED, { prints: 'hex', reverseBytes: true, uidBytes: 4, output: 'decimal' })).toEqual({ ok: true, text: DEC_AS_WIRE })
    expect(normaliseCard('77740828', { prints: 'decimal', reverseBytes: false, uidBytes: 4, output: 'decimal' })).toEqual({ ok: true, text: DEC_AS_WIRE })
  })

  it('pads a short UID and strips leading zero bytes to the set length', () => {
    expect(normaliseCard('A23B1C', { prints: 'hex', reverseBytes: false, uidBytes: 4, output: 'hex' })).toEqual({ ok: true, text: '00A23B1C' })
    expect(normaliseCard('0004A23B1C', { prints: 'hex', reverseBytes: false, uidBytes: 4, output: 'hex' })).toEqual({ ok: true, text: '04A23B1C' })
    expect(normaliseCard('04:a2:3b:1c:80:5d:90', { prints: 'hex', reverseBytes: true, uidBytes: 7, output: 'hex' })).toEqual({ ok: true, text: '905D801C3BA204' })
  })

  it('refuses what does not fit the setting instead of guessing', () => {
    expect(normaliseCard('04A23B1C99', { prints: 'hex', reverseBytes: false, uidBytes: 4, output: 'hex' })).toEqual({ ok: false, reason: 'too-long' })
    expect(normaliseCard('DEMO0001', { prints: 'hex', reverseBytes: false, uidBytes: 4, output: 'hex' })).toEqual({ ok: false, reason: 'not-hex' })
    expect(normaliseCard('12AB', { prints: 'decimal', reverseBytes: false, uidBytes: 4, output: 'hex' })).toEqual({ ok: false, reason: 'not-decimal' })
    expect(normaliseCard('9999999999', { prints: 'decimal', reverseBytes: false, uidBytes: 4, output: 'hex' })).toEqual({ ok: false, reason: 'too-long' })
  })

  it('passes printed card numbers through as read (upper case, no spaces)', () => {
    expect(normaliseCard('demo 0001', AS_READ)).toEqual({ ok: true, text: 'DEMO0001' })
  })
})

describe('magstripe cards', () => {
  it('reads the card number from track 2, from track 1, or from both tracks in one swipe', () => {
    expect(normaliseCard(';0012345678=2912?', AS_READ)).toEqual({ ok: true, text: '0012345678' })
    expect(normaliseCard(';0012345678?', AS_READ)).toEqual({ ok: true, text: '0012345678' })
    expect(normaliseCard('%B0012345678^NIELSEN/FREJA^2912?', AS_READ)).toEqual({ ok: true, text: '0012345678' })
    expect(normaliseCard('%B0012345678^NIELSEN/FREJA^2912?;0012345678=2912?', AS_READ)).toEqual({ ok: true, text: '0012345678' })
  })

  it('leaves text with no track as it was', () => {
    expect(magstripeNumber('DEMO0001')).toBeNull()
    expect(magstripeNumber(';=?')).toBeNull()
  })
})
