import type { FastifyRequest } from 'fastify'
import { safeEqual } from './crypto'
import type { Db } from '../db'
import { terminalByToken, type Terminal } from '../enrolment/enrol'
import { HttpError, forbidden, unauthorized } from './errors'
import { adminByToken, type AdminPrincipal } from '../admin/tokens'

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the device-token hook on /sync/* routes. */
    terminal: Terminal | null
    /** Set by the admin-token hook on /admin/* routes. */
    admin: AdminPrincipal | null
  }
}

export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization
  if (typeof header !== 'string') return null
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match?.[1] ?? null
}

/** onRequest hook: runs before the body is read, so an unauthenticated client cannot make us parse 4 MB. */
export function requireTerminal(db: Db) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = bearerToken(request)
    if (!token) throw unauthorized('missing device token (Authorization: Bearer <token>)')
    const terminal = await terminalByToken(db, token)
    if (!terminal) throw unauthorized('unknown or revoked device token')
    request.terminal = terminal
  }
}

/**
 * A parent kiosk names itself on the guardian routes with its own device token in this header
 * (the Authorization header carries the guardian's session). The core adds it; a browser
 * elsewhere has no kiosk token to send.
 */
export const KIOSK_HEADER = 'kantine-kiosk'

/** The kiosk behind the request's kiosk header; null when there is none, or it is unknown, revoked or a till's. */
export async function kioskOf(db: Db, request: FastifyRequest): Promise<Terminal | null> {
  const header = request.headers[KIOSK_HEADER]
  if (typeof header !== 'string' || header.length === 0 || header.length > 200) return null
  const terminal = await terminalByToken(db, header.trim())
  return terminal?.kind === 'kiosk' ? terminal : null
}

/** The kiosk behind the header, or 401 kiosk-required: for what only a kiosk may do (the PIN sign-in). */
export async function requireKiosk(db: Db, request: FastifyRequest): Promise<Terminal> {
  const kiosk = await kioskOf(db, request)
  if (!kiosk) throw new HttpError(401, 'kiosk-required', 'only a parent kiosk may do this (Kantine-Kiosk: <its device token>)')
  return kiosk
}

/** onRequest hook after `requireTerminal` where a kiosk has no business: sales, pupil data. */
export async function refuseKiosk(request: FastifyRequest): Promise<void> {
  if (request.terminal?.kind === 'kiosk') {
    throw new HttpError(403, 'kiosk-terminal', 'a parent kiosk neither sells nor holds pupil data: it has no sync')
  }
}

export interface AdminAuth {
  db: Db
  /** A demo's or test's token for every municipality, held in memory only (null: none). */
  launchToken: string | null
  /** Can only create named tokens (POST /admin/tokens); null: none. */
  bootstrapToken: string | null
}

export const BOOTSTRAP_ROUTE = '/admin/tokens'

/** onRequest hook of /admin/*: who is asking. What they may touch is checked per route (admin/routes.ts). */
export function requireAdmin(auth: AdminAuth) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = bearerToken(request)
    if (!token) throw unauthorized('admin token required (Authorization: Bearer <adminToken>)')
    if (auth.launchToken && safeEqual(token, auth.launchToken)) {
      request.admin = { tokenId: null, person: 'launch', municipalityId: null, bootstrapOnly: false }
      return
    }
    if (auth.bootstrapToken && safeEqual(token, auth.bootstrapToken)) {
      if (request.method !== 'POST' || request.routeOptions.url !== BOOTSTRAP_ROUTE) {
        throw forbidden(`the bootstrap token can only create named admin tokens (POST ${BOOTSTRAP_ROUTE})`)
      }
      request.admin = { tokenId: null, person: 'bootstrap', municipalityId: null, bootstrapOnly: true }
      return
    }
    const admin = await adminByToken(auth.db, token)
    if (!admin) throw unauthorized('unknown or revoked admin token')
    request.admin = admin
  }
}

/** The admin set by `requireAdmin`; a route that forgot the hook is a bug. */
export function adminOf(request: FastifyRequest): AdminPrincipal {
  if (!request.admin) throw new Error('route is missing the requireAdmin hook')
  return request.admin
}

/** The terminal set by `requireTerminal`; a route that forgot the hook is a bug. */
export function terminalOf(request: FastifyRequest): Terminal {
  if (!request.terminal) throw new Error('route is missing the requireTerminal hook')
  return request.terminal
}
