/**
 * Admin tokens: each one named to a person and scoped to one municipality (or, for the operator's
 * own people, to every municipality). Only a sha256 of a token is stored; the token is shown once.
 *
 * Ways to get one (server/README.md, "Admin tokens"):
 * - `npm run server -- create-admin-token --person "…" --municipality <id>` on the server itself;
 * - the bootstrap token (KANTINE_ADMIN_BOOTSTRAP_TOKEN), which can do nothing but create named
 *   tokens (POST /admin/tokens), so a deployment can hand out the first ones without a shell;
 * - the launch token of a demo or test server (`ServerOptions.adminToken`), held in memory only.
 */
import { randomUUID } from 'node:crypto'
import type { Db, Sql } from '../db'
import { randomToken, sha256Hex } from '../platform/crypto'
import { audit } from '../platform/audit'
import { ok, refuse, type Result } from '../platform/result'
import { write } from '../platform/tx'
import type { WriteDeps } from '../platform/tx'

export interface AdminPrincipal {
  /** null: the launch or bootstrap token (not in the table). */
  tokenId: string | null
  person: string
  /** null: every municipality. */
  municipalityId: string | null
  /** The bootstrap token may only create named tokens. */
  bootstrapOnly: boolean
}

/** The audit log's actor for what this admin does. */
export function adminActor(a: AdminPrincipal): string {
  return `admin:${a.person}`
}

/** May this admin act on something of `municipalityId`? */
export function adminMayTouch(a: AdminPrincipal, municipalityId: string | null | undefined): boolean {
  if (a.bootstrapOnly) return false
  if (municipalityId === null || municipalityId === undefined) return a.municipalityId === null
  return a.municipalityId === null || a.municipalityId === municipalityId
}

export async function adminByToken(sql: Sql, token: string): Promise<AdminPrincipal | null> {
  const { rows } = await sql.query<{ id: string; person: string; municipality_id: string | null }>(
    'SELECT id, person, municipality_id FROM admin_tokens WHERE token_hash = $1 AND revoked_at IS NULL',
    [sha256Hex(token)],
  )
  const row = rows[0]
  return row ? { tokenId: row.id, person: row.person, municipalityId: row.municipality_id, bootstrapOnly: false } : null
}

export interface NewAdminToken {
  id: string
  token: string
  person: string
  municipalityId: string | null
}

/**
 * A new named token. `createdBy` is who asked (an admin's actor, 'bootstrap', 'cli'); an admin
 * scoped to one municipality can only create tokens for that municipality.
 */
export async function createAdminToken(
  deps: WriteDeps,
  req: { person: string; municipalityId: string | null; createdBy: AdminPrincipal | 'cli' },
): Promise<Result<NewAdminToken, 'municipality-unknown' | 'person-invalid' | 'forbidden'>> {
  const person = req.person.trim()
  if (person.length === 0 || person.length > 200) return refuse('person-invalid')
  const by = req.createdBy
  if (by !== 'cli' && !by.bootstrapOnly && !adminMayTouch(by, req.municipalityId)) return refuse('forbidden')
  const createdBy = by === 'cli' ? 'cli' : by.bootstrapOnly ? 'bootstrap' : adminActor(by)
  return write(deps, async (tx) => {
    if (req.municipalityId !== null) {
      const { rows } = await tx.query('SELECT 1 FROM municipalities WHERE id = $1', [req.municipalityId])
      if (rows.length === 0) return refuse('municipality-unknown')
    }
    const id = randomUUID()
    const token = randomToken()
    await tx.query('INSERT INTO admin_tokens (id, person, municipality_id, token_hash, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [
      id,
      person,
      req.municipalityId,
      sha256Hex(token),
      createdBy,
      tx.now,
    ])
    await audit(tx, {
      municipalityId: req.municipalityId,
      actor: createdBy,
      action: 'admin-token.create',
      entity: 'admin_token',
      entityId: id,
      details: { person },
      at: tx.now,
    })
    return ok({ id, token, person, municipalityId: req.municipalityId })
  })
}

/** The municipality a back-office target belongs to (null: no such target). */
export async function municipalityOf(db: Db, entity: 'location' | 'terminal' | 'account', id: string): Promise<string | null> {
  const table = { location: 'locations', terminal: 'terminals', account: 'accounts' }[entity]
  const { rows } = await db.query<{ municipality_id: string }>(`SELECT municipality_id FROM ${table} WHERE id = $1`, [id])
  return rows[0]?.municipality_id ?? null
}
