/**
 * The one reading of a staff PIN hash, shared by the server (which makes them) and the till
 * (which checks them offline). Pure: the scrypt call itself lives where node:crypto does.
 *
 * Current form: `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>`. The cost travels with the hash, so
 * raising it later locks nobody out: an old hash is still checked with the cost it was made with.
 * Legacy form (before the cost was stored): `scrypt$<salt b64>$<hash b64>`, made with
 * N=16384, r=8, p=1.
 */

export interface ScryptParams {
  N: number
  r: number
  p: number
}

export interface PinHash extends ScryptParams {
  salt: string
  hash: string
}

/** The cost new hashes are made with. */
export const PIN_SCRYPT: ScryptParams & { keylen: number } = { N: 16384, r: 8, p: 1, keylen: 32 }

/** What hashes without stored parameters were made with. */
export const LEGACY_PIN_SCRYPT: ScryptParams = { N: 16384, r: 8, p: 1 }

/**
 * Bounds on what a stored hash may ask for: a hash is data, and one with N = 2^30 would make the
 * till allocate gigabytes per PIN attempt. 128·N·r is the memory scrypt needs.
 */
const MAX_MEMORY = 256 * 1024 * 1024
const B64 = /^[A-Za-z0-9+/]+={0,2}$/
const INT = /^[1-9][0-9]{0,9}$/

function sane({ N, r, p }: ScryptParams): boolean {
  const powerOfTwo = N >= 2 && (N & (N - 1)) === 0
  return powerOfTwo && N <= 2 ** 24 && r >= 1 && r <= 64 && p >= 1 && p <= 16 && 128 * N * r <= MAX_MEMORY
}

/** Null: not a hash we can check (unknown scheme, malformed, or a cost outside the bounds). */
export function parsePinHash(stored: string): PinHash | null {
  const parts = stored.split('$')
  if (parts[0] !== 'scrypt') return null
  let parsed: PinHash
  if (parts.length === 3) {
    parsed = { ...LEGACY_PIN_SCRYPT, salt: parts[1]!, hash: parts[2]! }
  } else if (parts.length === 6) {
    const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string]
    if (!INT.test(n) || !INT.test(r) || !INT.test(p)) return null
    parsed = { N: Number(n), r: Number(r), p: Number(p), salt, hash }
  } else {
    return null
  }
  if (!B64.test(parsed.salt) || !B64.test(parsed.hash) || !sane(parsed)) return null
  return parsed
}

export function formatPinHash(h: PinHash): string {
  return `scrypt$${h.N}$${h.r}$${h.p}$${h.salt}$${h.hash}`
}

/** The `maxmem` node's scrypt needs for these parameters (its default, 32 MB, is below our bound). */
export function scryptMaxmem({ N, r }: ScryptParams): number {
  return 128 * N * r + 1024 * 1024
}
