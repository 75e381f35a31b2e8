/**
 * Who may call /manager/*: a manager who unlocked manager mode at a till of one of their canteens
 * with their PIN (issue 16). The till relays for them; the API never
 * sees a PIN after the unlock.
 *
 * - The unlock (`startManagerSession`) needs the till's own device token (a kiosk has no manager
 *   mode) and the staff member's id and PIN, checked with scrypt against `staff.pin_hash` (the
 *   hash the tills check offline). Unknown staff, a wrong PIN and a retired staff member are one
 *   refusal after the same scrypt work; a right PIN without the manager role, or at a till of a
 *   canteen that is not theirs, is `not-a-manager`.
 * - Wrong PINs are counted per staff member before the PIN is checked, so parallel guesses are
 *   each counted (the row is inserted first: FOR UPDATE does not lock an absent row). The 5th
 *   wrong PIN within 15 minutes locks the staff member for 15 minutes; a right PIN clears the count.
 * - A session token is 32 random bytes, kept only as its sha256, bound to the till it was opened
 *   at. It lives 30 minutes, each use moves that on, never past 8 hours after the unlock. Each
 *   request re-reads the staff row: retired, no longer a manager or no longer at the till's
 *   canteen, and the session stops working at once.
 */
import type { FastifyRequest } from 'fastify'
import type { Terminal } from '../enrolment/enrol'
import { terminalByToken } from '../enrolment/enrol'
import { audit } from '../platform/audit'
import { bearerToken } from '../platform/auth'
import type { ServerContext } from '../platform/context'
import { hashPin, randomToken, sha256Hex, verifyPin } from '../platform/crypto'
import { HttpError } from '../platform/errors'
import { ok } from '../platform/result'
import { write } from '../platform/tx'

/** The header that carries the manager session token (Authorization carries the till's device token). */
export const MANAGER_HEADER = 'kantine-manager'

export const SESSION_IDLE_MS = 30 * 60_000
export const SESSION_MAX_MS = 8 * 60 * 60_000
/** Wrong PINs within FAILURE_WINDOW_MS that lock a staff member for LOCK_MS. */
export const MAX_FAILURES = 5
export const FAILURE_WINDOW_MS = 15 * 60_000
export const LOCK_MS = 15 * 60_000

export interface ManagerPrincipal {
  staffId: string
  staffName: string
  municipalityId: string
  /** The canteens the manager may change: theirs at the unlock, and still theirs now. */
  locationIds: string[]
  terminalId: string
  /** The session's token hash (never the token). */
  sessionId: string
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `requireManager` on the /manager/* routes behind a session. */
    manager: ManagerPrincipal | null
  }
}

export interface ManagerSessionAnswer {
  token: string
  expiresAt: string
  staff: { id: string; name: string }
  municipalityId: string
  locationIds: string[]
}

export type ManagerSignIn =
  | { ok: true; value: ManagerSessionAnswer }
  | { ok: false; reason: 'sign-in-refused' | 'not-a-manager' }
  | { ok: false; reason: 'locked'; retryAfterSeconds: number }

const refused = { ok: false, reason: 'sign-in-refused' } as const
const locked = (ms: number) => ({ ok: false, reason: 'locked', retryAfterSeconds: Math.max(1, Math.ceil(ms / 1000)) }) as const

/** A hash nobody's PIN matches: an unknown staff id costs the same scrypt work as a known one. */
let decoy: Promise<string> | null = null
const decoyHash = () => (decoy ??= hashPin(`decoy-${randomToken()}`))

interface StaffRow {
  id: string
  name: string
  pin_hash: string
  roles: string[]
  location_ids: string[]
  active: boolean
}

/**
 * Counts one try on the staff member, unless they are locked. Returns the milliseconds left of a
 * lock (the try is then not made), or whether this try locks them should it fail. The lock is
 * written with the try: parallel guesses behind it find it.
 */
async function chargeTry(ctx: ServerContext, staffId: string): Promise<{ lockedMs: number } | { locks: boolean }> {
  return write(ctx, async (tx) => {
    await tx.query(
      `INSERT INTO manager_pin_failures (staff_id, failures, first_failure_at, locked_until) VALUES ($1, 0, $2, NULL)
       ON CONFLICT (staff_id) DO NOTHING`,
      [staffId, tx.now],
    )
    const { rows } = await tx.query<{ failures: number; first_failure_at: Date; locked_until: Date | null }>(
      'SELECT failures, first_failure_at, locked_until FROM manager_pin_failures WHERE staff_id = $1 FOR UPDATE',
      [staffId],
    )
    const row = rows[0]!
    const now = tx.now.getTime()
    if (row.locked_until && row.locked_until.getTime() > now) return { lockedMs: row.locked_until.getTime() - now }
    // A lock that has ended, or failures older than the window, are forgotten.
    const fresh = !row.locked_until && now - row.first_failure_at.getTime() < FAILURE_WINDOW_MS && row.failures > 0
    const failures = (fresh ? row.failures : 0) + 1
    const locks = failures >= MAX_FAILURES
    await tx.query('UPDATE manager_pin_failures SET failures = $2, first_failure_at = $3, locked_until = $4 WHERE staff_id = $1', [
      staffId,
      failures,
      fresh ? row.first_failure_at : tx.now,
      locks ? new Date(now + LOCK_MS) : null,
    ])
    return { locks }
  })
}

/** The unlock: a session for a manager of the till's canteen, or the refusal. `till` is a till (not a kiosk), checked by the route. */
export async function startManagerSession(ctx: ServerContext, till: Terminal, input: { staffId: string; pin: string }): Promise<ManagerSignIn> {
  const { rows } = await ctx.db.query<StaffRow>(
    'SELECT id, name, pin_hash, roles, location_ids, active FROM staff WHERE id = $1 AND municipality_id = $2',
    [input.staffId, till.municipalityId],
  )
  const staff = rows[0]
  if (!staff) {
    await verifyPin(input.pin, await decoyHash())
    return refused
  }
  const charged = await chargeTry(ctx, staff.id)
  if ('lockedMs' in charged) return locked(charged.lockedMs)
  const right = await verifyPin(input.pin, staff.pin_hash)
  if (!right || !staff.active) return charged.locks ? locked(LOCK_MS) : refused

  return write(ctx, async (tx): Promise<ManagerSignIn> => {
    await tx.query('DELETE FROM manager_pin_failures WHERE staff_id = $1', [staff.id])
    // Read again under the transaction: the role or the canteens may have changed during scrypt.
    const current = await tx.query<StaffRow>('SELECT id, name, pin_hash, roles, location_ids, active FROM staff WHERE id = $1', [staff.id])
    const s = current.rows[0]
    if (!s || !s.active || s.pin_hash !== staff.pin_hash) return refused
    if (!s.roles.includes('manager') || !s.location_ids.includes(till.locationId)) return { ok: false, reason: 'not-a-manager' }
    const places = await tx.query<{ id: string }>('SELECT id FROM locations WHERE municipality_id = $1 AND id = ANY($2::text[]) ORDER BY id', [
      till.municipalityId,
      s.location_ids,
    ])
    const locationIds = places.rows.map((r) => r.id)
    const token = randomToken()
    const expiresAt = new Date(tx.now.getTime() + SESSION_IDLE_MS)
    await tx.query(
      `INSERT INTO manager_sessions (token_hash, staff_id, terminal_id, municipality_id, location_ids, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [sha256Hex(token), s.id, till.id, till.municipalityId, locationIds, tx.now, expiresAt],
    )
    await audit(tx, {
      municipalityId: till.municipalityId,
      actor: `staff:${s.id}`,
      action: 'manager.unlocked',
      entity: 'terminal',
      entityId: till.id,
      at: tx.now,
    })
    return ok({ token, expiresAt: expiresAt.toISOString(), staff: { id: s.id, name: s.name }, municipalityId: till.municipalityId, locationIds })
  })
}

/**
 * The manager behind a session token used at `till`, with the session's expiry moved on; null when
 * the session is unknown, ended, expired, opened at another till, or its staff member is retired,
 * no longer a manager, or no longer at the till's canteen.
 */
export async function managerBySession(ctx: ServerContext, till: Terminal, token: string): Promise<ManagerPrincipal | null> {
  const now = ctx.clock.now()
  const { rows } = await ctx.db.query<{ token_hash: string; staff_id: string; name: string; municipality_id: string; location_ids: string[]; staff_location_ids: string[] }>(
    `UPDATE manager_sessions s SET expires_at = least($3::timestamptz, s.created_at + $6::bigint * interval '1 millisecond')
       FROM staff st
      WHERE s.token_hash = $1 AND s.terminal_id = $2 AND s.ended_at IS NULL AND s.expires_at > $4
        AND st.id = s.staff_id AND st.active AND 'manager' = ANY (st.roles)
        AND st.municipality_id = s.municipality_id AND $5 = ANY (st.location_ids)
      RETURNING s.token_hash, s.staff_id, st.name, s.municipality_id, s.location_ids, st.location_ids AS staff_location_ids`,
    [sha256Hex(token), till.id, new Date(now.getTime() + SESSION_IDLE_MS), now, till.locationId, SESSION_MAX_MS],
  )
  const r = rows[0]
  if (!r) return null
  const still = new Set(r.staff_location_ids)
  return {
    staffId: r.staff_id,
    staffName: r.name,
    municipalityId: r.municipality_id,
    locationIds: r.location_ids.filter((id) => still.has(id)),
    terminalId: till.id,
    sessionId: r.token_hash,
  }
}

/** Ends a session opened at `till` (the manager locks manager mode, or signs out). Idempotent; another till's session is left alone. */
export async function endManagerSession(ctx: ServerContext, till: Terminal, token: string): Promise<void> {
  await ctx.db.query('UPDATE manager_sessions SET ended_at = $3 WHERE token_hash = $1 AND terminal_id = $2 AND ended_at IS NULL', [
    sha256Hex(token),
    till.id,
    ctx.clock.now(),
  ])
}

export const sessionRequired = () =>
  new HttpError(401, 'manager-session-required', 'manager mode is locked: unlock it with a manager PIN at this till (Kantine-Manager: <session token>)')

/** The session token in the Kantine-Manager header, or null. */
export function managerToken(request: FastifyRequest): string | null {
  const header = request.headers[MANAGER_HEADER]
  if (typeof header !== 'string') return null
  const token = header.trim()
  return token.length > 0 && token.length <= 200 ? token : null
}

/** The terminal behind the request's device token (a till or a kiosk: the caller checks), or null (none, unknown, revoked). */
export async function terminalOfRequest(ctx: ServerContext, request: FastifyRequest): Promise<Terminal | null> {
  const token = bearerToken(request)
  return token ? terminalByToken(ctx.db, token) : null
}

/** onRequest hook of every /manager/* route behind a session: before the body is read. */
export function requireManager(ctx: ServerContext) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = managerToken(request)
    if (!token) throw sessionRequired()
    const till = await terminalOfRequest(ctx, request)
    if (!till || till.kind !== 'till') throw sessionRequired()
    const manager = await managerBySession(ctx, till, token)
    if (!manager) throw sessionRequired()
    request.manager = manager
  }
}

/** The manager set by `requireManager`; a route that forgot the hook is a bug. */
export function managerOf(request: FastifyRequest): ManagerPrincipal {
  if (!request.manager) throw new Error('route is missing the requireManager hook')
  return request.manager
}
