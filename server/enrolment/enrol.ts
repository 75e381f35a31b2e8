/**
 * Enrolment: an administrator creates a one-time code for a canteen; a new till trades it for a
 * terminal id and a device token. The token is returned once and stored only as its sha256.
 * The code says what the terminal will be: a till (sells) or a parent kiosk (relays the guardian
 * API, holds no pupil data); a terminal started as the other kind is refused.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { normalizeEnrolmentCode, type EnrolResponse, type TerminalKind } from '../../domain/sync'
import type { ServerContext } from '../platform/context'
import { randomToken, sha256Hex } from '../platform/crypto'
import { audit } from '../platform/audit'
import type { Sql } from '../db'
import { ok, refuse, type Result } from '../platform/result'
import { write } from '../platform/tx'

/** No 0/O, 1/I/L: the code is read off a screen and typed at the till. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789'
const CODE_LENGTH = 10
export const DEFAULT_CODE_TTL_MS = 24 * 60 * 60 * 1000

function newCode(): string {
  const bytes = randomBytes(CODE_LENGTH)
  const chars = [...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join('')
  return `${chars.slice(0, 5)}-${chars.slice(5)}`
}

/** Case, spaces and dashes do not matter when the code is typed. */
export async function createEnrolmentCode(
  ctx: ServerContext,
  locationId: string,
  ttlMs: number = DEFAULT_CODE_TTL_MS,
  kind: TerminalKind = 'till',
): Promise<Result<{ code: string; expiresAt: string; kind: TerminalKind }, 'location-unknown'>> {
  return write(ctx, async (tx) => {
    const { rows } = await tx.query('SELECT 1 FROM locations WHERE id = $1', [locationId])
    if (rows.length === 0) return refuse('location-unknown')
    const code = newCode()
    const expiresAt = new Date(tx.now.getTime() + ttlMs)
    await tx.query('INSERT INTO enrolment_codes (code_hash, location_id, created_at, expires_at, kind) VALUES ($1, $2, $3, $4, $5)', [
      sha256Hex(normalizeEnrolmentCode(code)),
      locationId,
      tx.now,
      expiresAt,
      kind,
    ])
    return ok({ code, expiresAt: expiresAt.toISOString(), kind })
  })
}

export type EnrolRefusal = 'code-unknown' | 'code-used' | 'code-expired' | 'kind-mismatch'

/**
 * Trades a one-time code for a terminal and its device token.
 *
 * The same enrolment asked again — the same code and the same `requestId`, because the till
 * never heard the answer — gets the same terminal again, with a fresh token: the first one never
 * reached anyone, and its hash is replaced, so it stops working. Only while the code would still
 * be valid, and never for a revoked terminal. A different request id (or none) gets "already used".
 *
 * `nextSeq` is the first seq the till will push: a till enrolled again keeps its outbox, and the
 * new terminal starts just below it instead of at 0 (its unsent sales would be a seq gap forever).
 */
export async function enrolTerminal(
  ctx: ServerContext,
  req: { code: string; name: string; requestId?: string; nextSeq?: number; kind?: TerminalKind },
): Promise<Result<EnrolResponse, EnrolRefusal>> {
  return write(ctx, async (tx) => {
    const codeHash = sha256Hex(normalizeEnrolmentCode(req.code))
    // FOR UPDATE: two tills racing with one code; the second waits and then sees it used.
    const { rows } = await tx.query<{
      location_id: string
      municipality_id: string
      expires_at: Date
      used_at: Date | null
      request_id: string | null
      terminal_id: string | null
      kind: TerminalKind
      location_name: string
    }>(
      `SELECT e.location_id, l.municipality_id, l.name AS location_name, e.expires_at, e.used_at, e.request_id, e.terminal_id, e.kind
         FROM enrolment_codes e JOIN locations l ON l.id = e.location_id
        WHERE e.code_hash = $1
          FOR UPDATE OF e`,
      [codeHash],
    )
    const code = rows[0]
    if (!code) return refuse('code-unknown')
    if (code.expires_at.getTime() <= tx.now.getTime()) return refuse(code.used_at ? 'code-used' : 'code-expired')
    // A till given a kiosk's code (or the reverse) is refused before the code is spent.
    if (req.kind !== undefined && req.kind !== code.kind) return refuse('kind-mismatch')
    const token = randomToken()
    if (code.used_at) {
      const repeat = req.requestId !== undefined && code.request_id === req.requestId && code.terminal_id !== null
      if (!repeat) return refuse('code-used')
      const renewed = await tx.query('UPDATE terminals SET token_hash = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING id', [code.terminal_id, sha256Hex(token)])
      if (renewed.rows.length === 0) return refuse('code-used')
      return ok({ terminalId: code.terminal_id!, token, locationId: code.location_id, municipalityId: code.municipality_id, kind: code.kind, locationName: code.location_name })
    }

    const terminalId = randomUUID()
    await tx.query(
      `INSERT INTO terminals (id, municipality_id, location_id, name, token_hash, created_at, last_applied_seq, kind)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [terminalId, code.municipality_id, code.location_id, req.name, sha256Hex(token), tx.now, (req.nextSeq ?? 1) - 1, code.kind],
    )
    await tx.query('UPDATE enrolment_codes SET used_at = $2, terminal_id = $3, request_id = $4 WHERE code_hash = $1', [
      codeHash,
      tx.now,
      terminalId,
      req.requestId ?? null,
    ])
    return ok({ terminalId, token, locationId: code.location_id, municipalityId: code.municipality_id, kind: code.kind, locationName: code.location_name })
  })
}

export interface Terminal {
  id: string
  municipalityId: string
  locationId: string
  name: string
  kind: TerminalKind
}

/**
 * A lost or stolen till: its device token stops working at once (every sync call checks it).
 * What it sold and pushed stays; what it holds unpushed reaches the server only if it is
 * enrolled again (its data folder keeps the outbox). Revoking twice keeps the first instant.
 */
export async function revokeTerminal(ctx: ServerContext, terminalId: string, actor = 'admin'): Promise<Result<{ terminalId: string; revokedAt: string }, 'terminal-unknown'>> {
  return write(ctx, async (tx) => {
    const { rows } = await tx.query<{ municipality_id: string; revoked_at: Date; was_revoked: boolean }>(
      `UPDATE terminals t SET revoked_at = coalesce(t.revoked_at, $2)
         FROM terminals before WHERE before.id = t.id AND t.id = $1
       RETURNING t.municipality_id, t.revoked_at, before.revoked_at IS NOT NULL AS was_revoked`,
      [terminalId, tx.now],
    )
    const t = rows[0]
    if (!t) return refuse('terminal-unknown')
    if (!t.was_revoked) await audit(tx, { municipalityId: t.municipality_id, actor, action: 'terminal.revoked', entity: 'terminal', entityId: terminalId, at: tx.now })
    return ok({ terminalId, revokedAt: t.revoked_at.toISOString() })
  })
}

/** The terminal (till or kiosk) behind a device token, or null (unknown or revoked). */
export async function terminalByToken(sql: Sql, token: string): Promise<Terminal | null> {
  const { rows } = await sql.query<{ id: string; municipality_id: string; location_id: string; name: string; kind: TerminalKind }>(
    'SELECT id, municipality_id, location_id, name, kind FROM terminals WHERE token_hash = $1 AND revoked_at IS NULL',
    [sha256Hex(token)],
  )
  const t = rows[0]
  return t ? { id: t.id, municipalityId: t.municipality_id, locationId: t.location_id, name: t.name, kind: t.kind } : null
}
