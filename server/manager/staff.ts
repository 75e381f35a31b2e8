/**
 * Staff, as a manager keeps them (issue 16 "Staff: add, retire, reset PIN, role, the canteens
 * they work at"). The tills check PINs offline, so every change is written to the change log
 * (entity 'staff', the row as the till stores it) in the same transaction: an online till has it
 * within a second (the live poke follows the commit), an offline one at its next pull.
 *
 * Scope: a manager reads every staff member of their municipality; they change only staff who
 * work at one of the manager's canteens, and only the manager's part of a staff member's canteens
 * (another manager's canteens on the list stay as they were). Another municipality's staff id is
 * answered like a missing one. A PIN is hashed with scrypt before the transaction (the till's
 * format, domain/pin-hash.ts) and never stored, audited or logged in clear.
 */
import { randomUUID } from 'node:crypto'
import type { StaffRole } from '../../domain/enums'
import { lockEntities, lockKey } from '../money/locks'
import { audit } from '../platform/audit'
import type { ServerContext } from '../platform/context'
import { hashPin, verifyPin } from '../platform/crypto'
import { ok, refuse, type Result } from '../platform/result'
import type { Sql } from '../db'
import { write, type Tx } from '../platform/tx'
import { recordChanges } from '../sync/changes'
import type { ManagerPrincipal } from './auth'
import { createdBefore } from './create-once'

export const PIN_PATTERN = /^[0-9]{4,8}$/

export interface StaffMember {
  id: string
  name: string
  roles: StaffRole[]
  locationIds: string[]
  active: boolean
}

export type StaffRefusal =
  | 'staff-unknown'
  | 'canteen-not-yours'
  | 'location-unknown'
  | 'own-account'
  | 'pin-invalid'
  | 'pin-taken'
  | 'name-invalid'
  | 'roles-invalid'
  | 'locations-invalid'
  | 'id-taken'

interface StaffRow {
  id: string
  name: string
  roles: StaffRole[]
  location_ids: string[]
  active: boolean
}

const member = (r: StaffRow): StaffMember => ({ id: r.id, name: r.name, roles: r.roles, locationIds: r.location_ids, active: r.active })

/** Roles in a fixed order, once each. */
function normaliseRoles(roles: readonly StaffRole[]): StaffRole[] {
  const order: StaffRole[] = ['cashier', 'pickup', 'manager']
  return order.filter((r) => roles.includes(r))
}

function normaliseName(name: string): string | null {
  const trimmed = name.trim().replace(/\s+/g, ' ')
  return trimmed.length >= 1 && trimmed.length <= 120 ? trimmed : null
}

export async function listStaff(ctx: ServerContext, manager: ManagerPrincipal): Promise<StaffMember[]> {
  const { rows } = await ctx.db.query<StaffRow>(
    'SELECT id, name, roles, location_ids, active FROM staff WHERE municipality_id = $1 ORDER BY active DESC, name, id',
    [manager.municipalityId],
  )
  return rows.map(member)
}

export async function getStaff(ctx: ServerContext, manager: ManagerPrincipal, id: string): Promise<Result<StaffMember, 'staff-unknown'>> {
  const { rows } = await ctx.db.query<StaffRow>('SELECT id, name, roles, location_ids, active FROM staff WHERE id = $1 AND municipality_id = $2', [
    id,
    manager.municipalityId,
  ])
  return rows[0] ? ok(member(rows[0])) : refuse('staff-unknown')
}

/** Checks canteen ids a manager names: each one of the municipality's (else location-unknown) and one of theirs (else canteen-not-yours). */
async function checkOwnCanteens(tx: Sql, manager: ManagerPrincipal, ids: readonly string[]): Promise<Result<void, 'location-unknown' | 'canteen-not-yours'>> {
  const { rows } = await tx.query<{ id: string }>('SELECT id FROM locations WHERE municipality_id = $1 AND id = ANY($2::text[])', [manager.municipalityId, ids])
  const known = new Set(rows.map((r) => r.id))
  if (ids.some((id) => !known.has(id))) return refuse('location-unknown')
  if (ids.some((id) => !manager.locationIds.includes(id))) return refuse('canteen-not-yours')
  return ok(undefined)
}

const actor = (manager: ManagerPrincipal) => `staff:${manager.staffId}`

/**
 * Whether another active staff member at one of `locationIds` already has this PIN. A till signs
 * staff in by the PIN alone (electron/core/handlers/staff.ts: the first of its canteen's staff
 * whose hash matches), so two alike would be one person to it, and a cashier given a manager's
 * PIN would sign in as the manager. Checked where a PIN is given (a hash cannot be compared with a
 * hash). Not under a lock: scrypt is too slow to hold the database for; two managers giving the
 * same new PIN in the same second is not guarded against.
 */
async function pinTaken(ctx: ServerContext, municipalityId: string, locationIds: readonly string[], pin: string, exceptId: string | null): Promise<boolean> {
  const { rows } = await ctx.db.query<{ pin_hash: string }>(
    'SELECT pin_hash FROM staff WHERE municipality_id = $1 AND active AND location_ids && $2::text[] AND id IS DISTINCT FROM $3',
    [municipalityId, locationIds, exceptId],
  )
  const matches = await Promise.all(rows.map((r) => verifyPin(pin, r.pin_hash)))
  return matches.includes(true)
}

export interface NewStaff {
  /** Chosen by the screen, so a retry finds the first try's colleague (create-once.ts). */
  id?: string
  name: string
  pin: string
  roles: StaffRole[]
  locationIds: string[]
}

export async function createStaff(ctx: ServerContext, manager: ManagerPrincipal, input: NewStaff): Promise<Result<StaffMember, StaffRefusal>> {
  const name = normaliseName(input.name)
  if (name === null) return refuse('name-invalid')
  if (!PIN_PATTERN.test(input.pin)) return refuse('pin-invalid')
  const roles = normaliseRoles(input.roles)
  if (roles.length === 0) return refuse('roles-invalid')
  const locationIds = [...new Set(input.locationIds)].sort()
  if (locationIds.length === 0) return refuse('locations-invalid')
  // The canteens first: whether a PIN is taken is no business of a manager outside them.
  const places = await checkOwnCanteens(ctx.db, manager, locationIds)
  if (!places.ok) return places
  const id = input.id ?? randomUUID()
  // A retry of a create that went through answers that colleague (whose PIN this now is), not pin-taken.
  const retry = await createdBefore(ctx.db, 'staff', id, manager.municipalityId)
  if (retry === 'taken') return refuse('id-taken')
  if (retry === 'no' && (await pinTaken(ctx, manager.municipalityId, locationIds, input.pin, null))) return refuse('pin-taken')
  // scrypt is slow on purpose: hashed before the transaction, so it does not hold the database.
  const pinHash = await hashPin(input.pin)
  return write(ctx, async (tx) => {
    await lockEntities(tx, [lockKey.entity('staff', id)])
    const before = await createdBefore(tx, 'staff', id, manager.municipalityId)
    if (before === 'taken') return refuse('id-taken')
    if (before === 'ours') {
      const { rows } = await tx.query<StaffRow>('SELECT id, name, roles, location_ids, active FROM staff WHERE id = $1', [id])
      return ok(member(rows[0]!))
    }
    await tx.query(
      `INSERT INTO staff (id, municipality_id, name, pin_hash, roles, location_ids, active, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, true, $7)`,
      [id, manager.municipalityId, name, pinHash, roles, locationIds, tx.now],
    )
    await recordChanges(tx, 'staff', [id])
    await audit(tx, { municipalityId: manager.municipalityId, actor: actor(manager), action: 'staff.created', entity: 'staff', entityId: id, details: { name, roles, locationIds }, at: tx.now })
    return ok({ id, name, roles, locationIds, active: true })
  })
}

/**
 * Locks and reads a staff member the manager may change: of their municipality (else staff-unknown,
 * also for another municipality's id) and working at one of their canteens (else canteen-not-yours).
 */
async function ownStaff(tx: Tx, manager: ManagerPrincipal, id: string): Promise<Result<StaffRow, 'staff-unknown' | 'canteen-not-yours'>> {
  await lockEntities(tx, [lockKey.entity('staff', id)])
  const { rows } = await tx.query<StaffRow>('SELECT id, name, roles, location_ids, active FROM staff WHERE id = $1 AND municipality_id = $2 FOR UPDATE', [
    id,
    manager.municipalityId,
  ])
  const row = rows[0]
  if (!row) return refuse('staff-unknown')
  if (!row.location_ids.some((l) => manager.locationIds.includes(l))) return refuse('canteen-not-yours')
  return ok(row)
}

export interface StaffChange {
  name?: string
  roles?: StaffRole[]
  locationIds?: string[]
}

export async function updateStaff(ctx: ServerContext, manager: ManagerPrincipal, id: string, change: StaffChange): Promise<Result<StaffMember, StaffRefusal>> {
  const name = change.name === undefined ? undefined : normaliseName(change.name)
  if (name === null) return refuse('name-invalid')
  const roles = change.roles === undefined ? undefined : normaliseRoles(change.roles)
  if (roles !== undefined && roles.length === 0) return refuse('roles-invalid')
  const wanted = change.locationIds === undefined ? undefined : [...new Set(change.locationIds)].sort()
  if (wanted !== undefined && wanted.length === 0) return refuse('locations-invalid')
  return write(ctx, async (tx) => {
    const found = await ownStaff(tx, manager, id)
    if (!found.ok) return found
    const before = found.value
    if (id === manager.staffId && roles !== undefined && !roles.includes('manager')) return refuse('own-account')
    let locationIds = before.location_ids
    if (wanted !== undefined) {
      // The manager's canteens are theirs to set; any other canteen on the list must stay as it was.
      const notMine = (ids: readonly string[]) => ids.filter((l) => !manager.locationIds.includes(l)).sort()
      const kept = notMine(before.location_ids)
      const added = wanted.filter((l) => !before.location_ids.includes(l))
      const checked = await checkOwnCanteens(tx, manager, added)
      if (!checked.ok) return checked
      if (JSON.stringify(notMine(wanted)) !== JSON.stringify(kept)) return refuse('canteen-not-yours')
      locationIds = wanted
    }
    const after: StaffRow = { ...before, name: name ?? before.name, roles: roles ?? before.roles, location_ids: locationIds }
    await tx.query('UPDATE staff SET name = $2, roles = $3, location_ids = $4 WHERE id = $1', [id, after.name, after.roles, after.location_ids])
    await recordChanges(tx, 'staff', [id])
    await audit(tx, {
      municipalityId: manager.municipalityId,
      actor: actor(manager),
      action: 'staff.updated',
      entity: 'staff',
      entityId: id,
      details: { before: { name: before.name, roles: before.roles, locationIds: before.location_ids }, after: { name: after.name, roles: after.roles, locationIds: after.location_ids } },
      at: tx.now,
    })
    return ok(member(after))
  })
}

/** A new PIN for a staff member. Their other manager sessions end: they were opened with the old PIN. */
export async function resetPin(ctx: ServerContext, manager: ManagerPrincipal, id: string, pin: string): Promise<Result<StaffMember, StaffRefusal>> {
  if (!PIN_PATTERN.test(pin)) return refuse('pin-invalid')
  const target = await getStaff(ctx, manager, id)
  if (!target.ok) return target
  if (!target.value.locationIds.some((l) => manager.locationIds.includes(l))) return refuse('canteen-not-yours')
  if (await pinTaken(ctx, manager.municipalityId, target.value.locationIds, pin, id)) return refuse('pin-taken')
  const pinHash = await hashPin(pin)
  return write(ctx, async (tx) => {
    const found = await ownStaff(tx, manager, id)
    if (!found.ok) return found
    await tx.query('UPDATE staff SET pin_hash = $2 WHERE id = $1', [id, pinHash])
    await tx.query('DELETE FROM manager_pin_failures WHERE staff_id = $1', [id])
    await tx.query('UPDATE manager_sessions SET ended_at = $3 WHERE staff_id = $1 AND ended_at IS NULL AND token_hash <> $2', [id, manager.sessionId, tx.now])
    await recordChanges(tx, 'staff', [id])
    await audit(tx, { municipalityId: manager.municipalityId, actor: actor(manager), action: 'staff.pin-reset', entity: 'staff', entityId: id, at: tx.now })
    return ok(member(found.value))
  })
}

/** Retire (active false: the tills refuse their PIN) or reinstate. Retiring yourself is refused. */
export async function setActive(ctx: ServerContext, manager: ManagerPrincipal, id: string, active: boolean): Promise<Result<StaffMember, StaffRefusal>> {
  return write(ctx, async (tx) => {
    const found = await ownStaff(tx, manager, id)
    if (!found.ok) return found
    if (!active && id === manager.staffId) return refuse('own-account')
    const after = { ...found.value, active }
    if (found.value.active !== active) {
      await tx.query('UPDATE staff SET active = $2 WHERE id = $1', [id, active])
      if (!active) await tx.query('UPDATE manager_sessions SET ended_at = $2 WHERE staff_id = $1 AND ended_at IS NULL', [id, tx.now])
      await recordChanges(tx, 'staff', [id])
      await audit(tx, { municipalityId: manager.municipalityId, actor: actor(manager), action: active ? 'staff.reinstated' : 'staff.retired', entity: 'staff', entityId: id, at: tx.now })
    }
    return ok(member(after))
  })
}
