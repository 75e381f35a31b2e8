import { createHash, createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import type { Sql } from '../db'

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/** A bearer secret: 32 random bytes, base64url (43 characters). */
export function randomToken(): string {
  return randomBytes(32).toString('base64url')
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** scrypt parameters shared with the till, which verifies PINs offline (StaffData.pinHash). */
export const PIN_SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 } as const

function scryptAsync(secret: string, salt: Buffer): Promise<Buffer> {
  const { N, r, p, keylen } = PIN_SCRYPT
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, keylen, { N, r, p }, (err, key) => (err ? reject(err) : resolve(key))),
  )
}

/** `scrypt$<salt b64>$<hash b64>` */
export async function hashPin(pin: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await scryptAsync(pin, salt)
  return `scrypt$${salt.toString('base64')}$${key.toString('base64')}`
}

export async function verifyPin(pin: string, pinHash: string): Promise<boolean> {
  const [scheme, salt, hash] = pinHash.split('$')
  if (scheme !== 'scrypt' || !salt || !hash) return false
  const key = await scryptAsync(pin, Buffer.from(salt, 'base64'))
  const expected = Buffer.from(hash, 'base64')
  return key.length === expected.length && timingSafeEqual(key, expected)
}

const CPR_KEY_SECRET = 'cpr-hmac-key'

/**
 * The key for CPR hashes: env KANTINE_CPR_KEY when set (operations keep it outside the
 * database), otherwise a random key generated once and kept in server_secrets.
 */
export async function cprKey(tx: Sql, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const fromEnv = env.KANTINE_CPR_KEY
  if (fromEnv) return fromEnv
  await tx.query('INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [
    CPR_KEY_SECRET,
    randomBytes(32).toString('base64'),
  ])
  const { rows } = await tx.query<{ value: string }>('SELECT value FROM server_secrets WHERE name = $1', [CPR_KEY_SECRET])
  const value = rows[0]?.value
  if (!value) throw new Error('cprKey: server_secrets has no CPR key')
  return value
}

/** CPR numbers are never stored: a keyed hash to find the holder, and the last four digits to show. */
export function cprDigest(key: string, cpr: string): { hmac: string; last4: string } {
  const digits = cpr.replace(/-/g, '')
  if (!/^[0-9]{10}$/.test(digits)) throw new RangeError('a CPR number has 10 digits')
  return { hmac: createHmac('sha256', key).update(digits).digest('hex'), last4: digits.slice(6) }
}
