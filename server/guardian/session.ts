/**
 * A guardian's sign-in at a kiosk, by the OAuth device-authorization pattern (RFC 8628): the
 * kiosk asks for a grant and shows its user code (and a QR code of the verification URL); the
 * parent opens it on their phone, signs in with the identity provider (identity.ts), and the
 * grant is approved; the kiosk, polling with the device code, then receives a session token.
 *
 * Sessions are opaque bearer tokens, stored as their sha256, valid for SESSION_TTL_MS after
 * their last use (sliding), revocable (sign-out). Device codes are stored hashed too.
 */
import { randomBytes } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { audit } from '../platform/audit'
import { bearerToken } from '../platform/auth'
import type { ServerContext } from '../platform/context'
import { randomToken, sha256Hex } from '../platform/crypto'
import { unauthorized } from '../platform/errors'
import { ok, refuse, type Result } from '../platform/result'
import { write, type Tx } from '../platform/tx'
import type { IdentityClaims } from './identity'

export const SESSION_TTL_MS = 15 * 60_000
export const DEVICE_GRANT_TTL_MS = 10 * 60_000
export const POLL_INTERVAL_SECONDS = 5
/** RFC 8628 3.5: each slow_down adds 5 seconds to the interval. */
const SLOW_DOWN_STEP_SECONDS = 5

export interface GuardianPrincipal {
  id: string
  municipalityId: string
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `requireGuardian` on the guardian's own routes. */
    guardian: GuardianPrincipal | null
  }
}

// --- the kiosk's grant --------------------------------------------------------------------------

/** Consonants only, no look-alikes: a code a parent types on a phone and that spells no word. */
const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ'

function userCode(): string {
  const bytes = randomBytes(8)
  const letters = [...bytes].map((b) => USER_CODE_ALPHABET[b % USER_CODE_ALPHABET.length]).join('')
  return `${letters.slice(0, 4)}-${letters.slice(4)}`
}

export interface DeviceGrant {
  deviceCode: string
  userCode: string
  expiresIn: number
  interval: number
}

/** `kioskId`: the kiosk that asked (its Kantine-Kiosk header), so the phone can name where it signs in. */
export async function createDeviceGrant(ctx: ServerContext, kioskId: string | null = null): Promise<DeviceGrant> {
  const deviceCode = randomToken()
  const code = userCode()
  await write(ctx, (tx) =>
    tx.query(
      `INSERT INTO guardian_device_grants (device_code_hash, user_code, interval_seconds, expires_at, created_at, kiosk_terminal_id)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [sha256Hex(deviceCode), code, POLL_INTERVAL_SECONDS, new Date(tx.now.getTime() + DEVICE_GRANT_TTL_MS), tx.now, kioskId],
    ),
  )
  return { deviceCode, userCode: code, expiresIn: DEVICE_GRANT_TTL_MS / 1000, interval: POLL_INTERVAL_SECONDS }
}

/** A user code as typed on a phone: upper case, the dash optional. */
export function normalizeUserCode(input: string): string | null {
  const letters = input.toUpperCase().replace(/[\s-]/g, '')
  return /^[A-Z]{8}$/.test(letters) ? `${letters.slice(0, 4)}-${letters.slice(4)}` : null
}

/** The kiosk a sign-in happens at, as the phone names it: the kiosk's name and its school's canteen. */
export interface KioskPlace {
  name: string
  location: string
}

/**
 * The phone opened a user code: the grant gets the OIDC state and nonce of its sign-in. A code
 * that is unknown, expired or already decided is refused alike. The kiosk that asked for the
 * code (null: one that did not name itself) is named to the parent before they sign in.
 */
export async function startVerification(
  ctx: ServerContext,
  code: string,
): Promise<Result<{ state: string; nonce: string; kiosk: KioskPlace | null }, 'code-unknown'>> {
  const normalized = normalizeUserCode(code)
  if (!normalized) return refuse('code-unknown')
  const state = randomToken()
  const nonce = randomToken()
  const { rows } = await write(ctx, (tx) =>
    tx.query<{ kiosk_name: string | null; location_name: string | null }>(
      `UPDATE guardian_device_grants g SET oidc_state = $2, oidc_nonce = $3
         FROM guardian_device_grants before
         LEFT JOIN terminals t ON t.id = before.kiosk_terminal_id
         LEFT JOIN locations l ON l.id = t.location_id
        WHERE before.device_code_hash = g.device_code_hash
          AND g.user_code = $1 AND g.status = 'pending' AND g.expires_at > $4
        RETURNING t.name AS kiosk_name, l.name AS location_name`,
      [normalized, state, nonce, tx.now],
    ),
  )
  const row = rows[0]
  if (!row) return refuse('code-unknown')
  const kiosk = row.kiosk_name !== null && row.location_name !== null ? { name: row.kiosk_name, location: row.location_name } : null
  return ok({ state, nonce, kiosk })
}

/**
 * The identity provider's answer for a state: claims (approve, if the subject is a guardian) or a
 * refusal (the parent cancelled: deny). Only a pending, unexpired grant is decided.
 */
export async function decideGrant(
  ctx: ServerContext,
  state: string,
  answer: { claims: IdentityClaims } | { denied: true },
): Promise<Result<{ status: 'approved' | 'denied'; guardianName: string | null }, 'state-unknown' | 'nonce-mismatch' | 'guardian-unknown'>> {
  return write(ctx, async (tx) => {
    const { rows } = await tx.query<{ device_code_hash: string; oidc_nonce: string | null }>(
      `SELECT device_code_hash, oidc_nonce FROM guardian_device_grants
        WHERE oidc_state = $1 AND status = 'pending' AND expires_at > $2 FOR UPDATE`,
      [state, tx.now],
    )
    const grant = rows[0]
    if (!grant) return refuse('state-unknown')
    if ('denied' in answer) {
      await tx.query(`UPDATE guardian_device_grants SET status = 'denied', oidc_state = NULL WHERE device_code_hash = $1`, [grant.device_code_hash])
      return ok({ status: 'denied' as const, guardianName: null })
    }
    if (answer.claims.nonce !== grant.oidc_nonce) return refuse('nonce-mismatch')
    // The simulated provider's subject is the guardian's id; a real broker needs a mapping of its subjects.
    const guardian = await tx.query<{ id: string; name: string }>('SELECT id, name FROM guardians WHERE id = $1', [answer.claims.subject])
    const g = guardian.rows[0]
    if (!g) return refuse('guardian-unknown')
    await tx.query(`UPDATE guardian_device_grants SET status = 'approved', guardian_id = $2, oidc_state = NULL WHERE device_code_hash = $1`, [
      grant.device_code_hash,
      g.id,
    ])
    return ok({ status: 'approved' as const, guardianName: g.name })
  })
}

/** RFC 8628 3.5 error codes, answered to the polling kiosk. */
export type PollRefusal = 'authorization_pending' | 'slow_down' | 'expired_token' | 'access_denied' | 'invalid_grant'

export interface Session {
  token: string
  expiresIn: number
  guardian: { id: string; name: string; municipalityId: string }
}

/**
 * The kiosk polls with its device code. Too fast: slow_down (and the interval grows). Approved:
 * the session, once; the grant is then used up and answers invalid_grant.
 */
export async function pollDeviceGrant(ctx: ServerContext, deviceCode: string): Promise<Result<Session, PollRefusal>> {
  return write(ctx, async (tx) => {
    const { rows } = await tx.query<{ device_code_hash: string; status: string; guardian_id: string | null; interval_seconds: number; last_polled_at: Date | null; expires_at: Date }>(
      `SELECT device_code_hash, status, guardian_id, interval_seconds, last_polled_at, expires_at
         FROM guardian_device_grants WHERE device_code_hash = $1 FOR UPDATE`,
      [sha256Hex(deviceCode)],
    )
    const grant = rows[0]
    if (!grant || grant.status === 'used') return refuse('invalid_grant')
    if (grant.status === 'denied') return refuse('access_denied')
    if (grant.expires_at <= tx.now) return refuse('expired_token')
    const tooSoon = grant.last_polled_at !== null && tx.now.getTime() - grant.last_polled_at.getTime() < grant.interval_seconds * 1000
    if (tooSoon) {
      await tx.query('UPDATE guardian_device_grants SET last_polled_at = $2, interval_seconds = interval_seconds + $3 WHERE device_code_hash = $1', [
        grant.device_code_hash,
        tx.now,
        SLOW_DOWN_STEP_SECONDS,
      ])
      return refuse('slow_down')
    }
    if (grant.status === 'pending' || grant.guardian_id === null) {
      await tx.query('UPDATE guardian_device_grants SET last_polled_at = $2 WHERE device_code_hash = $1', [grant.device_code_hash, tx.now])
      return refuse('authorization_pending')
    }
    await tx.query(`UPDATE guardian_device_grants SET status = 'used', last_polled_at = $2 WHERE device_code_hash = $1`, [grant.device_code_hash, tx.now])
    const session = await startSession(tx, grant.guardian_id, { method: 'device' })
    return session ? ok(session) : refuse('invalid_grant')
  })
}

/**
 * A new session for a guardian (null: no such guardian), audited with how they signed in. Shared
 * by the device grant and the kiosk PIN (pin.ts).
 */
export async function startSession(tx: Tx, guardianId: string, details: { method: 'device' | 'pin'; kioskId?: string }): Promise<Session | null> {
  const g = await tx.query<{ id: string; name: string; municipality_id: string }>('SELECT id, name, municipality_id FROM guardians WHERE id = $1', [guardianId])
  const guardian = g.rows[0]
  if (!guardian) return null
  const token = randomToken()
  await audit(tx, { municipalityId: guardian.municipality_id, actor: `guardian:${guardian.id}`, action: 'guardian.sign-in', details, at: tx.now })
  await tx.query('INSERT INTO guardian_sessions (token_hash, guardian_id, expires_at, created_at) VALUES ($1, $2, $3, $4)', [
    sha256Hex(token),
    guardian.id,
    new Date(tx.now.getTime() + SESSION_TTL_MS),
    tx.now,
  ])
  return { token, expiresIn: SESSION_TTL_MS / 1000, guardian: { id: guardian.id, name: guardian.name, municipalityId: guardian.municipality_id } }
}

/** The answer of POST /guardian/token and POST /guardian/pin-session (RFC 6749 5.1, plus who signed in). */
export function tokenAnswer(s: Session) {
  return { access_token: s.token, token_type: 'Bearer' as const, expires_in: s.expiresIn, guardian: { id: s.guardian.id, name: s.guardian.name } }
}

// --- sessions -----------------------------------------------------------------------------------

/** The guardian of a live session, whose expiry moves on by SESSION_TTL_MS (sliding). */
export async function guardianBySession(ctx: ServerContext, token: string): Promise<GuardianPrincipal | null> {
  const now = ctx.clock.now()
  const { rows } = await ctx.db.query<{ id: string; municipality_id: string }>(
    `UPDATE guardian_sessions s SET expires_at = $3
       FROM guardians g
      WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND g.id = s.guardian_id
      RETURNING g.id, g.municipality_id`,
    [sha256Hex(token), now, new Date(now.getTime() + SESSION_TTL_MS)],
  )
  const row = rows[0]
  return row ? { id: row.id, municipalityId: row.municipality_id } : null
}

/** Sign-out: the token stops working at once. Idempotent. */
export async function revokeSession(ctx: ServerContext, token: string): Promise<void> {
  await ctx.db.query('UPDATE guardian_sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL', [sha256Hex(token), ctx.clock.now()])
}

/** onRequest hook of the guardian's own routes: runs before the body is read. */
export function requireGuardian(ctx: ServerContext) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = bearerToken(request)
    if (!token) throw unauthorized('guardian session required (Authorization: Bearer <token>)')
    const guardian = await guardianBySession(ctx, token)
    if (!guardian) throw unauthorized('unknown, expired or revoked guardian session')
    request.guardian = guardian
  }
}

/** The guardian set by `requireGuardian`; a route that forgot the hook is a bug. */
export function guardianOf(request: FastifyRequest): GuardianPrincipal {
  if (!request.guardian) throw new Error('route is missing the requireGuardian hook')
  return request.guardian
}
