/**
 * Test support for the manager API (tests only): a staff member added straight to a municipality,
 * a manager session at a till, and requests made as a till in manager mode makes them.
 *
 *   const m = await managerSession(s)                   // new municipality, till at its first canteen
 *   const r = await managerApi(s.server, m, 'GET', '/manager/staff')
 *   fetch(url, { headers: m.headers })                  // authorization + kantine-manager
 *
 * The session is opened through the service (startManagerSession), not POST /manager/session, so
 * a test file opening many sessions does not run into that route's per-address rate limit.
 */
import { randomInt, randomUUID } from 'node:crypto'
import type { StaffRole } from '../../domain/enums'
import type { RunningServer } from '../../server/app'
import { terminalByToken } from '../../server/enrolment/enrol'
import { hashPin } from '../../server/platform/crypto'
import { write } from '../../server/platform/tx'
import { recordChanges } from '../../server/sync/changes'
import type { ServerSuite } from './server-suite'
import type { Fixture, Till } from './server'
import { MANAGER_HEADER, startManagerSession } from '../../server/manager/auth'

export interface NewStaffOptions {
  name?: string
  pin?: string
  roles?: StaffRole[]
  /** Default: the fixture's first canteen (where its till is). */
  locationIds?: string[]
  active?: boolean
}

/** Adds a staff member to the fixture's municipality (and to its change log, as the tills would get them). */
export async function addStaff(s: ServerSuite, f: Fixture, o: NewStaffOptions = {}): Promise<{ staffId: string; pin: string; name: string }> {
  const staffId = `staff-${randomUUID()}`
  // A PIN of its own by default: a till signs in by PIN alone, so staff of one canteen do not share one.
  const pin = o.pin ?? String(randomInt(10_000_000, 100_000_000))
  const name = o.name ?? 'Leder Lise'
  const pinHash = await hashPin(pin)
  await write(s.server.ctx, async (tx) => {
    await tx.query('INSERT INTO staff (id, municipality_id, name, pin_hash, roles, location_ids, active) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      staffId,
      f.municipalityId,
      name,
      pinHash,
      o.roles ?? ['manager'],
      o.locationIds ?? [f.locationId],
      o.active ?? true,
    ])
    await recordChanges(tx, 'staff', [staffId])
  })
  return { staffId, pin, name }
}

export interface ManagerSession {
  /** Both headers a till in manager mode sends: its device token and the session token. */
  headers: Record<string, string>
  token: string
  staffId: string
  pin: string
  /** The till the session is bound to (at `locationId`). */
  terminal: Till
  locationId: string
  municipalityId: string
  /** The session's canteens. */
  locationIds: string[]
  f: Fixture
}

export interface ManagerSessionOptions extends NewStaffOptions {
  /** An existing municipality and till (s.canteen()); default: a fresh one. */
  canteen?: { f: Fixture; till: Till }
}

/** A manager (roles default ['manager'], canteens default the till's) and a session at the till. */
export async function managerSession(s: ServerSuite, o: ManagerSessionOptions = {}): Promise<ManagerSession> {
  const { f, till } = o.canteen ?? (await s.canteen())
  const staff = await addStaff(s, f, o)
  const terminal = await terminalByToken(s.server.db, till.token)
  if (!terminal) throw new Error('managerSession: the till is not enrolled')
  const signed = await startManagerSession(s.server.ctx, terminal, { staffId: staff.staffId, pin: staff.pin })
  if (!signed.ok) throw new Error(`managerSession: ${signed.reason}`)
  const token = signed.value.token
  return {
    headers: { authorization: `Bearer ${till.token}`, [MANAGER_HEADER]: token },
    token,
    staffId: staff.staffId,
    pin: staff.pin,
    terminal: till,
    locationId: till.locationId,
    municipalityId: f.municipalityId,
    locationIds: signed.value.locationIds,
    f,
  }
}

/** A request as a till in manager mode sends it; the body is parsed JSON, or the text when it is not JSON (CSV). */
export async function managerApi(server: RunningServer, m: { headers: Record<string, string> }, method: string, path: string, opts: { body?: unknown } = {}) {
  const headers: Record<string, string> = { ...m.headers }
  let body: string | undefined
  if (opts.body !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(opts.body)
  }
  const response = await fetch(server.url + path, { method, headers, body })
  const text = await response.text()
  const json = (response.headers.get('content-type') ?? '').includes('application/json')
  return { status: response.status, body: (json && text ? JSON.parse(text) : text || null) as any, headers: response.headers } // eslint-disable-line @typescript-eslint/no-explicit-any
}
