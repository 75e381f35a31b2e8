/**
 * Turns away a till whose protocol (domain/protocol.ts, header `Kantine-Protocol`) is older than
 * the previous one, or newer than this server, on every request under /sync/ and /enrol, before
 * its body is read: 426 with a message the till shows as it is, and nothing stored. A request
 * without the header is a till from before the header (protocol 1).
 *
 * Registered on the root instance (server/app.ts) with addHook, so it runs in front of the
 * routes of every plugin, before authentication, body parsing and the handlers.
 */
import type { FastifyRequest } from 'fastify'
import { checkProtocolHeader, PROTOCOL_HEADER } from '../../domain/protocol'
import { HttpError } from '../platform/errors'

/** The paths a till speaks to; admin, guardian and health have callers of their own. */
export function isTillPath(url: string): boolean {
  const path = url.split('?', 1)[0] ?? ''
  return path === '/enrol' || path.startsWith('/enrol/') || path.startsWith('/sync/')
}

export async function checkTillProtocol(request: FastifyRequest): Promise<void> {
  if (!isTillPath(request.url)) return
  const check = checkProtocolHeader(request.headers[PROTOCOL_HEADER])
  if (check.ok) return
  throw new HttpError(check.reason === 'bad-protocol-header' ? 400 : 426, check.reason, check.message)
}
