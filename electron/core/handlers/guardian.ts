import type { GuardianResults } from '../api/areas/guardian'
import { RpcFault } from '../api/dispatch'
import { getSetting } from '../store/settings'
import { relayGuardianRequest } from '../sync/relay'
import type { AreaHandlers } from './area'
import type { HandlerContext } from './context'

/**
 * The parent kiosk's one door to the server: the guardian API, relayed (sync/relay.ts). Only a
 * kiosk serves it, and without a staff sign-in: the guardian's own session (held by the page)
 * is what the server checks. A till refuses it: its page has no business with parents' sessions.
 */
export function guardianHandlers(ctx: HandlerContext): AreaHandlers<GuardianResults> {
  return {
    'guardian.request': async (req) => {
      if (ctx.terminalKind !== 'kiosk') throw new RpcFault('forbidden', 'Only a parent kiosk relays the guardian API')
      const serverUrl = getSetting(ctx.db, 'server_url')
      const deviceToken = getSetting(ctx.db, 'device_token')
      if (!serverUrl || !deviceToken) {
        return { status: 0, body: { error: 'not-enrolled', message: 'The kiosk is not enrolled with a server yet' } }
      }
      const answer = await relayGuardianRequest(req, { serverUrl, deviceToken })
      if (!answer) throw new RpcFault('bad-argument', 'guardian.request: the path must stay under /guardian/')
      return answer
    },
  }
}
