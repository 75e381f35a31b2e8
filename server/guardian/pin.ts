/**
 * The quicker way in at a kiosk: the child's card and the guardian's own PIN. A guardian who
 * signed in with MitID once chooses a PIN (4–8 digits; only its scrypt hash is kept); at the
 * kiosk they then scan the card and type the PIN.
 *
 * A card and a PIN are far weaker than MitID, so:
 * - only a kiosk may ask (its device token in Kantine-Kiosk: routes), of its own municipality;
 * - every refusal is the same: unknown card, a replaced or lost card, a guardian without a PIN
 *   and a wrong PIN all answer 'refused' after the same scrypt work, so nobody learns which
 *   cards exist or whose guardian has a PIN;
 * - tries are counted per card number (its sha256; unknown numbers too), and from the third
 *   failure on the number is locked for a growing while (30 s, 60 s, ... at most an hour). The
 *   try is counted before the PIN is checked, so parallel guesses cannot all slip past the count.
 */
import { normalizeCardNumber } from '../../domain/card'
import { audit } from '../platform/audit'
import type { ServerContext } from '../platform/context'
import { hashPin, sha256Hex, verifyPin } from '../platform/crypto'
import { ok, refuse, type Result } from '../platform/result'
import { write } from '../platform/tx'
import type { Terminal } from '../enrolment/enrol'
import { startSession, type GuardianPrincipal, type Session } from './session'

/** Failures on one card number before it is locked. */
export const FREE_FAILURES = 2
export const FIRST_LOCK_SECONDS = 30
export const MAX_LOCK_SECONDS = 60 * 60
/** Failures further apart than this start the count again: a slip a month ago is not held against anyone. */
export const FAILURE_MEMORY_MS = 24 * 60 * 60 * 1000

export const PIN_PATTERN = /^[0-9]{4,8}$/

/** The lock after the `failures`-th failure in a row: none for the first two, then 30 s, doubling, at most an hour. */
export function lockSeconds(failures: number): number {
  if (failures <= FREE_FAILURES) return 0
  return Math.min(MAX_LOCK_SECONDS, FIRST_LOCK_SECONDS * 2 ** Math.min(failures - FREE_FAILURES - 1, 20))
}

/** A hash nobody's PIN matches: an unknown card or a guardian without a PIN costs the same scrypt work. */
let decoy: Promise<string> | null = null
const decoyHash = () => (decoy ??= hashPin(`decoy-${sha256Hex(String(Math.random()))}`))

export interface Me {
  id: string
  name: string
  hasPin: boolean
}

export async function guardianMe(ctx: ServerContext, guardian: GuardianPrincipal): Promise<Me> {
  const { rows } = await ctx.db.query<{ id: string; name: string; has_pin: boolean }>('SELECT id, name, pin_hash IS NOT NULL AS has_pin FROM guardians WHERE id = $1', [guardian.id])
  const g = rows[0]
  if (!g) throw new Error(`guardian ${guardian.id} of a live session is gone`)
  return { id: g.id, name: g.name, hasPin: g.has_pin }
}

/** Sets (or changes) the guardian's kiosk PIN. The session is the proof: it came from MitID. */
export async function setPin(ctx: ServerContext, guardian: GuardianPrincipal, pin: string): Promise<Result<void, 'pin-invalid'>> {
  if (!PIN_PATTERN.test(pin)) return refuse('pin-invalid')
  // scrypt is slow on purpose: hashed before the transaction, so it does not hold the database.
  const hash = await hashPin(pin)
  return write(ctx, async (tx) => {
    const { rows } = await tx.query<{ had_pin: boolean }>(
      `UPDATE guardians g SET pin_hash = $2 FROM guardians before
        WHERE before.id = g.id AND g.id = $1 RETURNING before.pin_hash IS NOT NULL AS had_pin`,
      [guardian.id, hash],
    )
    await audit(tx, {
      municipalityId: guardian.municipalityId,
      actor: `guardian:${guardian.id}`,
      action: rows[0]?.had_pin ? 'guardian.pin-changed' : 'guardian.pin-set',
      entity: 'guardian',
      entityId: guardian.id,
      at: tx.now,
    })
    return ok(undefined)
  })
}

/** A session, the one refusal, or a lock on the card number. */
export type PinSignIn = { ok: true; value: Session } | { ok: false; reason: 'refused' } | { ok: false; reason: 'locked'; retryAfterSeconds: number }

const refused = { ok: false, reason: 'refused' } as const
const locked = (retryAfterSeconds: number) => ({ ok: false, reason: 'locked', retryAfterSeconds }) as const

/** The key a card number's tries are counted under: its normalised form when it has one, hashed. */
function cardKey(cardNumber: string): string {
  const card = normalizeCardNumber(cardNumber)
  return sha256Hex(card.ok ? card.number : cardNumber.trim().toUpperCase())
}

/**
 * Counts one try on the card number, unless it is locked. Returns the seconds left of a lock
 * (the try is then not made), or the lock this try starts should it fail (0: none).
 */
async function chargeTry(ctx: ServerContext, key: string): Promise<{ locked: number } | { startsLock: number }> {
  return write(ctx, async (tx) => {
    // A row to lock first: two first tries on a number would otherwise both find nothing to lock
    // (FOR UPDATE locks rows, not their absence) and both write "1 failure". The insert waits for
    // a parallel one to commit, so the SELECT below sees and locks the one row. Its failure is
    // dated 1970, too old to be remembered, so it counts as none.
    await tx.query(
      `INSERT INTO guardian_pin_failures (card_hash, failures, locked_until, last_failure_at) VALUES ($1, 1, NULL, $2)
       ON CONFLICT (card_hash) DO NOTHING`,
      [key, new Date(0)],
    )
    const { rows } = await tx.query<{ failures: number; locked_until: Date | null; last_failure_at: Date }>(
      'SELECT failures, locked_until, last_failure_at FROM guardian_pin_failures WHERE card_hash = $1 FOR UPDATE',
      [key],
    )
    const row = rows[0]
    if (row?.locked_until && row.locked_until > tx.now) return { locked: Math.ceil((row.locked_until.getTime() - tx.now.getTime()) / 1000) }
    const remembered = row && tx.now.getTime() - row.last_failure_at.getTime() < FAILURE_MEMORY_MS ? row.failures : 0
    const failures = remembered + 1
    const lock = lockSeconds(failures)
    await tx.query(
      `INSERT INTO guardian_pin_failures (card_hash, failures, locked_until, last_failure_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (card_hash) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until, last_failure_at = excluded.last_failure_at`,
      [key, failures, lock > 0 ? new Date(tx.now.getTime() + lock * 1000) : null, tx.now],
    )
    return { startsLock: lock }
  })
}

/** The guardians of the card's account who chose a PIN, in the kiosk's municipality; an inactive card has none. */
async function candidates(ctx: ServerContext, kiosk: Terminal, cardNumber: string): Promise<{ id: string; pin_hash: string }[]> {
  const card = normalizeCardNumber(cardNumber)
  if (!card.ok) return []
  const { rows } = await ctx.db.query<{ id: string; pin_hash: string }>(
    `SELECT g.id, g.pin_hash
       FROM cards c
       JOIN guardian_accounts ga ON ga.account_id = c.account_id
       JOIN guardians g ON g.id = ga.guardian_id
      WHERE c.number = $1 AND c.status = 'active' AND g.municipality_id = $2 AND g.pin_hash IS NOT NULL
      ORDER BY g.id`,
    [card.number, kiosk.municipalityId],
  )
  return rows
}

/** Card + PIN at a kiosk → a session like the MitID sign-in's, or the one refusal (or a lock). */
export async function pinSession(ctx: ServerContext, kiosk: Terminal, input: { cardNumber: string; pin: string }): Promise<PinSignIn> {
  const key = cardKey(input.cardNumber)
  const charged = await chargeTry(ctx, key)
  if ('locked' in charged) return locked(charged.locked)
  const found = await candidates(ctx, kiosk, input.cardNumber)
  // The same work whether or not there is anyone to check: at least one scrypt, every time.
  const hashes = found.length > 0 ? found.map((g) => g.pin_hash) : [await decoyHash()]
  let match: string | null = null
  for (const [i, hash] of hashes.entries()) {
    const right = await verifyPin(input.pin, hash)
    if (right && found[i] && match === null) match = found[i].id
  }
  if (match === null) {
    return charged.startsLock > 0 ? locked(charged.startsLock) : refused
  }
  const guardianId = match
  const session = await write(ctx, async (tx) => {
    await tx.query('DELETE FROM guardian_pin_failures WHERE card_hash = $1', [key])
    return startSession(tx, guardianId, { method: 'pin', kioskId: kiosk.id })
  })
  return session ? ok(session) : refused
}
