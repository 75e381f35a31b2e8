import { createHash, createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { PIN_SCRYPT, formatPinHash, parsePinHash, scryptMaxmem, type ScryptParams } from '../../domain/pin-hash'
import type { Sql } from '../db'
import { ok, refuse, type Result } from './result'

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

/** scrypt for PIN hashes; the format and its parameters are domain/pin-hash.ts (the till reads the same). */
function scryptAsync(secret: string, salt: Buffer, params: ScryptParams, keylen: number): Promise<Buffer> {
  const { N, r, p } = params
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, keylen, { N, r, p, maxmem: scryptMaxmem(params) }, (err, key) => (err ? reject(err) : resolve(key))),
  )
}

/** `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>`, at the current cost (PIN_SCRYPT). */
export async function hashPin(pin: string, params: ScryptParams & { keylen: number } = PIN_SCRYPT): Promise<string> {
  const salt = randomBytes(16)
  const key = await scryptAsync(pin, salt, params, params.keylen)
  return formatPinHash({ N: params.N, r: params.r, p: params.p, salt: salt.toString('base64'), hash: key.toString('base64') })
}

/** Checks a PIN against a hash in either form (domain/pin-hash.ts), at the cost stored with it. */
export async function verifyPin(pin: string, pinHash: string): Promise<boolean> {
  const h = parsePinHash(pinHash)
  if (!h) return false
  const expected = Buffer.from(h.hash, 'base64')
  const key = await scryptAsync(pin, Buffer.from(h.salt, 'base64'), h, expected.length)
  return key.length === expected.length && timingSafeEqual(key, expected)
}

/**
 * The demo's CPR key: the demo data is invented, so its key may sit in the source. Never used
 * outside --demo and tests (cli.ts refuses to start without a real key otherwise).
 */
export const DEMO_CPR_KEY = 'kantine-DEMO-ONLY-cpr-key-not-secret-do-not-use-in-production'

/** A CPR key shorter than this is refused: an HMAC key must not be guessable. */
export const MIN_CPR_KEY_LENGTH = 32

export type CprKeySource = { env?: NodeJS.ProcessEnv; keyFile?: string; demo: boolean }

/**
 * The key for CPR hashes, from outside the database: KANTINE_CPR_KEY, or a key file
 * (--cpr-key-file / KANTINE_CPR_KEY_FILE). The demo uses DEMO_CPR_KEY, and says so. Without a
 * key outside the demo the server must not start: a key kept beside the hashes protects nothing.
 */
export async function resolveCprKey(src: CprKeySource): Promise<Result<{ key: string; source: string }, string>> {
  const env = src.env ?? process.env
  const file = src.keyFile || env.KANTINE_CPR_KEY_FILE
  let key: string | undefined
  let source: string
  if (env.KANTINE_CPR_KEY) {
    key = env.KANTINE_CPR_KEY
    source = 'KANTINE_CPR_KEY'
  } else if (file) {
    try {
      key = (await readFile(file, 'utf8')).trim()
    } catch (error) {
      return refuse(`cannot read the CPR key file ${file}: ${(error as Error).message}`)
    }
    source = `key file ${file}`
  } else if (src.demo) {
    return ok({ key: DEMO_CPR_KEY, source: 'the built-in DEMO key (demo data only)' })
  } else {
    return refuse(
      'no CPR key: set KANTINE_CPR_KEY or point --cpr-key-file (KANTINE_CPR_KEY_FILE) at a file holding the key ' +
        `(at least ${MIN_CPR_KEY_LENGTH} characters, e.g. \`openssl rand -base64 48\`); it must be kept outside the database`,
    )
  }
  if (key.length < MIN_CPR_KEY_LENGTH) return refuse(`the CPR key from ${source} is too short: at least ${MIN_CPR_KEY_LENGTH} characters`)
  return ok({ key, source })
}

const CPR_KEY_CHECK = 'cpr-key-check'

/**
 * Keeps a fingerprint of the CPR key (an HMAC of a fixed text: it does not reveal the key), so a
 * server started with another key refuses, instead of silently finding no holder by CPR.
 */
export async function checkCprKey(sql: Sql, key: string): Promise<Result<void, 'cpr-key-changed'>> {
  const fingerprint = createHmac('sha256', key).update('kantine cpr key check').digest('hex')
  await sql.query('INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [CPR_KEY_CHECK, fingerprint])
  const { rows } = await sql.query<{ value: string }>('SELECT value FROM server_secrets WHERE name = $1', [CPR_KEY_CHECK])
  return rows[0]?.value === fingerprint ? ok(undefined) : refuse('cpr-key-changed')
}

/** CPR numbers are never stored, nor any of their digits: only a keyed hash to find the holder by. */
export function cprDigest(key: string, cpr: string): { hmac: string } {
  const digits = cpr.replace(/-/g, '')
  if (!/^[0-9]{10}$/.test(digits)) throw new RangeError('a CPR number has 10 digits')
  return { hmac: createHmac('sha256', key).update(digits).digest('hex') }
}
