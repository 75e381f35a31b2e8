/**
 * One card, one number. Readers print the same card's UID differently: hex or decimal, byte
 * order as on the wire or reversed, padded to 4, 7 or 10 bytes or not. Each reader gets a
 * setting that says how it prints; the UID is taken apart into bytes and printed again the way
 * the canteen's card numbers are kept. Readers that print the number on the card (magstripe,
 * printed numbers) use 'text': passed through as read.
 */
import { z } from 'zod'

export const Normalisation = z
  .object({
    /** How this reader prints a card. */
    prints: z.enum(['text', 'hex', 'decimal']),
    /** The reader prints the UID's bytes in the reverse order of the canteen's numbers. */
    reverseBytes: z.boolean(),
    /** The UID's length in bytes (4, 7 or 10); null: as many as the reader printed. */
    uidBytes: z.union([z.literal(4), z.literal(7), z.literal(10)]).nullable(),
    /** How the canteen's card numbers print a UID. */
    output: z.enum(['hex', 'decimal']),
  })
  .strict()
export type Normalisation = z.infer<typeof Normalisation>

export const AS_READ: Normalisation = { prints: 'text', reverseBytes: false, uidBytes: null, output: 'hex' }

export type Normalised = { ok: true; text: string } | { ok: false; reason: 'not-hex' | 'not-decimal' | 'too-long' }

const HEX = /^[0-9A-F]+$/
const DECIMAL = /^[0-9]+$/

/**
 * The card number (PAN) of a magstripe read: track 2 (`;PAN=…?`) or track 1 (`%BPAN^NAME^…?`);
 * null when the text holds no track.
 */
export function magstripeNumber(raw: string): string | null {
  const track2 = /;([0-9]{1,37})[=?]/.exec(raw)
  if (track2) return track2[1] ?? null
  const track1 = /%B([0-9]{1,19})\^/i.exec(raw)
  return track1 ? (track1[1] ?? null) : null
}

export function normaliseCard(raw: string, n: Normalisation): Normalised {
  if (n.prints === 'text') return { ok: true, text: (magstripeNumber(raw) ?? raw).replace(/[\s:-]/g, '').toUpperCase() }
  const compact = raw.replace(/[\s:-]/g, '').toUpperCase()
  const bytes = n.prints === 'hex' ? hexBytes(compact) : decimalBytes(compact)
  if (bytes === null) return { ok: false, reason: n.prints === 'hex' ? 'not-hex' : 'not-decimal' }
  const sized = fit(bytes, n.uidBytes)
  if (sized === null) return { ok: false, reason: 'too-long' }
  if (n.reverseBytes) sized.reverse()
  return { ok: true, text: n.output === 'hex' ? toHex(sized) : toDecimal(sized, n.uidBytes !== null) }
}

function hexBytes(text: string): number[] | null {
  if (!HEX.test(text)) return null
  const even = text.length % 2 === 0 ? text : `0${text}`
  const bytes: number[] = []
  for (let i = 0; i < even.length; i += 2) bytes.push(parseInt(even.slice(i, i + 2), 16))
  return bytes
}

function decimalBytes(text: string): number[] | null {
  if (!DECIMAL.test(text) || text.length > 30) return null
  let value = BigInt(text)
  const bytes: number[] = []
  while (value > 0n) {
    bytes.unshift(Number(value & 0xffn))
    value >>= 8n
  }
  return bytes.length === 0 ? [0] : bytes
}

/** Big-endian bytes padded (or stripped of leading zeros) to `size`; null when they do not fit. */
function fit(bytes: number[], size: number | null): number[] | null {
  if (size === null) return [...bytes]
  const out = [...bytes]
  while (out.length > size) {
    if (out[0] !== 0) return null
    out.shift()
  }
  while (out.length < size) out.unshift(0)
  return out
}

function toHex(bytes: number[]): string {
  return bytes.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join('')
}

/** Decimal, zero-padded to the width of the largest UID of that length when the length is set. */
function toDecimal(bytes: number[], padded: boolean): string {
  const value = bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n)
  const width = padded ? ((1n << BigInt(bytes.length * 8)) - 1n).toString().length : 0
  return value.toString().padStart(width, '0')
}
