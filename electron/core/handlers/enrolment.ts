/**
 * First run (api/areas/enrolment.ts): the address and code typed at an unenrolled terminal's
 * screen go through the engine's own enrolment (sync/engine.ts enrolNow: the same request id
 * discipline and the same settings as a command-line enrolment), and whatever goes wrong is told
 * back as the one mistake a person can act on: a typo in the address, a server that does not
 * answer, a certificate the till cannot trust, something that is not Kantine, or the code.
 */
import type { EnrolmentAnswer, EnrolmentRefusal, EnrolmentResults } from '../api/areas/enrolment'
import { checkServerUrl } from '../server-url'
import { getSetting, setSetting } from '../store/settings'
import { SyncHttpError, SyncNetworkError } from '../sync/http'
import type { AreaHandlers } from './area'
import type { HandlerContext } from './context'
import type { TerminalKind } from '../../../domain/sync'

/** A person waits at the screen: the whole attempt gets this long, then "unreachable". */
export const ENROL_TIMEOUT_MS = 8000

const DEFAULT_NAME: Record<TerminalKind, string> = { till: 'Kasse 1', kiosk: 'Kiosk 1' }

export function enrolmentHandlers(ctx: HandlerContext): AreaHandlers<EnrolmentResults> {
  /** One attempt at a time: a double tap on "Tilmeld" must not spend the code twice. */
  let attempt: Promise<EnrolmentAnswer> | null = null

  const enrolled = () => getSetting(ctx.db, 'device_token') !== null

  async function enrol(serverUrl: string, code: string, kind: TerminalKind): Promise<EnrolmentAnswer> {
    if (enrolled()) return { ok: false, reason: 'already-enrolled' }
    const address = checkServerUrl(serverUrl)
    if (!address.ok) return { ok: false, reason: 'address-invalid' }
    // The server takes 6 to 64 characters; a shorter one cannot be any code it made.
    if (code.length < 6) return { ok: false, reason: 'code-unknown' }
    // A folder named after the other kind by default ("Kasse 1" for a kiosk) takes its new kind's name.
    const name = ctx.tillName === DEFAULT_NAME[ctx.terminalKind] ? DEFAULT_NAME[kind] : ctx.tillName
    let e
    try {
      e = await ctx.sync.enrolNow(address.url, code, { kind, name, timeoutMs: ENROL_TIMEOUT_MS })
    } catch (err) {
      const reason = enrolmentRefusal(err)
      ctx.log('warn', 'first-run enrolment refused', { reason, error: err instanceof Error ? err.message : String(err) })
      return { ok: false, reason }
    }
    setSetting(ctx.db, 'till_name', name)
    // The handlers read the kind at each call (handlers/index.ts counterOnly, guardian, app.info):
    // from this answer on, a kiosk refuses the counter and a till refuses the guardian relay.
    ctx.terminalKind = e.kind
    ctx.tillName = name
    ctx.log('info', 'enrolled at first run', { kind: e.kind, serverUrl: address.url })
    return { ok: true, value: { terminalKind: e.kind, ...(e.locationName ? { locationName: e.locationName } : {}) } }
  }

  return {
    'enrolment.status': () => {
      const isEnrolled = enrolled()
      return {
        enrolled: isEnrolled,
        // A store that already holds a canteen (a test till seeded locally) is not a fresh install,
        // and a code from the command line is being tried by the engine: neither asks at first run.
        firstRun: !isEnrolled && !ctx.sync.hasEnrolmentCode() && getSetting(ctx.db, 'location_id') === null,
        serverUrl: getSetting(ctx.db, 'server_url') ?? ctx.sync.configuredServerUrl(),
        terminalKind: ctx.terminalKind,
      }
    },
    'enrolment.enrol': async ({ serverUrl, code, kind }) => {
      if (attempt) return attempt
      attempt = enrol(serverUrl, code, kind)
      try {
        return await attempt
      } finally {
        attempt = null
      }
    },
  }
}

/** TLS errors of Node's tls module and undici: the certificate, not the network. */
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'HOSTNAME_MISMATCH',
])

/** Which mistake an enrolment that threw was. */
export function enrolmentRefusal(err: unknown): EnrolmentRefusal {
  if (err instanceof SyncHttpError) {
    if (err.status === 409 && err.code === 'kind-mismatch') return 'kind-mismatch'
    if (err.status === 426) return 'app-too-old'
    if (err.status === 429 || err.status >= 500) return 'server-busy'
    // The server names each code refusal in its `error` field (server/enrolment/routes.ts).
    if (err.status === 401 && (err.code === 'code-unknown' || err.code === 'code-used' || err.code === 'code-expired')) return err.code
    // Answered, but not as Kantine answers /enrol: a web server's 404 page, a login proxy.
    return 'not-kantine'
  }
  if (err instanceof SyncNetworkError) {
    const code = causeCode(err)
    if (code !== null && CERTIFICATE_CODES.has(code)) return 'certificate'
    // A 2xx answer that is not JSON (a web page at /enrol): http.ts says the answer was cut off.
    if (code === null && /^Answer cut off: .*JSON/.test(err.message)) return 'not-kantine'
    return 'unreachable'
  }
  // A timeout (AbortSignal) and anything else that left no answer.
  return 'unreachable'
}

/**
 * The system error code under a network failure (ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT): from
 * the cause chain when the error keeps one, else from the "(CODE)" http.ts writes into its message.
 */
function causeCode(err: Error): string | null {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as Error & { code?: unknown }).code
    if (typeof code === 'string' && code.length > 0) return code
  }
  return /\(([A-Z][A-Z0-9_]+)\)$/.exec(err.message)?.[1] ?? null
}
