import type { FastifyRequest } from 'fastify'
import { safeEqual } from './crypto'
import type { Db } from '../db'
import { terminalByToken, type Terminal } from '../enrolment/enrol'
import { unauthorized } from './errors'

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the device-token hook on /sync/* routes. */
    terminal: Terminal | null
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

export function requireAdmin(adminToken: string) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = bearerToken(request)
    if (!token || !safeEqual(token, adminToken)) throw unauthorized('admin token required (Authorization: Bearer <adminToken>)')
  }
}

/** The terminal set by `requireTerminal`; a route that forgot the hook is a bug. */
export function terminalOf(request: FastifyRequest): Terminal {
  if (!request.terminal) throw new Error('route is missing the requireTerminal hook')
  return request.terminal
}
