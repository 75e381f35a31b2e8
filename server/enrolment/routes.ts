import type { FastifyInstance } from 'fastify'
import { EnrolRequest } from '../../domain/sync'
import type { ServerContext } from '../platform/context'
import { enrolTerminal } from './enrol'
import { HttpError, parseInput } from '../platform/errors'

const messages = {
  'code-unknown': 'unknown enrolment code',
  'code-used': 'this enrolment code was already used; ask for a new one',
  'code-expired': 'this enrolment code has expired; ask for a new one',
  'kind-mismatch': 'this enrolment code is for another kind of terminal (a till or a parent kiosk); ask for a code of the right kind',
} as const

/** POST /enrol: a one-time code buys a device token. No other credential exists yet, so a bad code is 401. */
export async function enrolRoutes(app: FastifyInstance, opts: { ctx: ServerContext }): Promise<void> {
  app.post('/enrol', async (request) => {
    const body = parseInput(EnrolRequest, request.body, 'enrol request')
    const result = await enrolTerminal(opts.ctx, body)
    if (!result.ok && result.reason === 'kind-mismatch') throw new HttpError(409, 'kind-mismatch', messages[result.reason])
    // The reason as the error code: the first-run screen says what to do about each.
    if (!result.ok) throw new HttpError(401, result.reason, messages[result.reason])
    // The till id is what an administrator needs to revoke it later (never the token).
    request.log.info({ terminalId: result.value.terminalId, locationId: result.value.locationId, name: body.name, kind: result.value.kind }, 'terminal enrolled')
    return result.value
  })
}
