/**
 * The guardian API: what a parent does at the kiosk (and, later, in a web portal on the same
 * routes). Thin: each route validates its input with zod, calls the service function tests also
 * call, and maps a refusal to an answer. Every non-2xx answer is `{ error, message }`.
 *
 *   POST /guardian/device                     kiosk: start a sign-in (RFC 8628 device authorization)
 *   GET  /guardian/verify?user_code=          phone: the code -> where to sign in (the identity provider)
 *   GET  /guardian/callback?code=&state=      phone: the identity provider's answer; approves the kiosk
 *   POST /guardian/token                      kiosk: polls; RFC 8628 errors, then the session token
 *   POST /guardian/pin-session                kiosk only (Kantine-Kiosk): card + PIN → the same session (pin-routes.ts)
 *   DELETE /guardian/session                  sign-out
 *   GET/POST /guardian/accounts, GET /guardian/accounts/:id, POST .../block|unblock,
 *   PUT .../limits|permissions|places         guardian session
 * and, while the simulated identity provider is chosen, its stand-in broker page:
 *   GET/POST /guardian/simulated-idp/authorize
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { bearerToken, kioskOf } from '../platform/auth'
import type { ServerContext } from '../platform/context'
import { HttpError, badRequest, parseInput } from '../platform/errors'
import { guardianAreas } from './areas'
import { AccountParams, answer, perGuardian, rateLimit } from './http'
import { getAccount, linkAccount, listAccounts, setAllowedPlaces, setBlocked, setLimits, setPermissions, type GuardianAccount } from './accounts'
import { codeForm, kioskConfirmation, paragraph, sendPage, simulatedSignInForm, wantsHtml } from './phone-pages'
import { pinSessionRoutes } from './pin-routes'
import { SIMULATED_AUTHORIZE_PATH, SimulatedIdentity, identityProvider, type IdentityOption, type IdentityProvider } from './identity'
import { createDeviceGrant, decideGrant, guardianOf, pollDeviceGrant, requireGuardian, revokeSession, startVerification, tokenAnswer } from './session'

export interface GuardianRateLimits {
  /** POST /guardian/device: grants started. */
  device: number
  /** POST /guardian/token: a kiosk polls every 5 s; several kiosks may share an address. */
  token: number
  /** The phone's side: verify, callback and the simulated broker's page (guessing user codes). */
  verify: number
  /** POST /guardian/accounts, per guardian: guessing CPR and card pairs. */
  link: number
  /** POST /guardian/pin-session, per address (the per-card lock is the real brake: pin.ts). */
  pin: number
}

/** Requests per minute and client address (linking: per guardian). */
export const GUARDIAN_RATE_LIMITS: GuardianRateLimits = { device: 30, token: 120, verify: 30, link: 10, pin: 30 }

export interface GuardianOptions {
  /** 'off' (default): no sign-in (POST /guardian/device answers 503); 'simulated': the demo's stand-in broker; or a provider. */
  identity?: IdentityOption
  rateLimits?: Partial<GuardianRateLimits>
}

const CALLBACK_PATH = '/guardian/callback'
const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'

const DeviceRequest = z.object({ client_id: z.string().max(100).optional() }).strict()
const VerifyQuery = z.object({ user_code: z.string().max(20).optional() })
const CallbackQuery = z.union([
  z.object({ code: z.string().min(1).max(200), state: z.string().min(1).max(200) }),
  z.object({ error: z.string().min(1).max(100), state: z.string().min(1).max(200), error_description: z.string().max(500).optional() }),
])
const TokenRequest = z.object({ grant_type: z.literal(DEVICE_CODE_GRANT), device_code: z.string().min(1).max(200), client_id: z.string().max(100).optional() })
const SimulatedAuthorizeQuery = z.looseObject({ state: z.string().min(1).max(200), nonce: z.string().min(1).max(200), redirect_uri: z.string().max(500) })
const SimulatedSignIn = z.union([
  z.object({ state: z.string().min(1).max(200), nonce: z.string().min(1).max(200), guardianId: z.string().min(1).max(64) }).strict(),
  // A form posts the text 'true'.
  z.object({ state: z.string().min(1).max(200), deny: z.union([z.literal(true), z.literal('true')]) }).strict(),
])
const LinkRequest = z.object({ cpr: z.string().max(20), cardNumber: z.string().max(40) }).strict()
const LimitOre = z.number().int().min(0).max(100_000_000).nullable()
const LimitsRequest = z.object({ day: LimitOre, week: LimitOre, month: LimitOre }).strict()
const PermissionsRequest = z.object({ deniedCategoryIds: z.array(z.string().min(1).max(64)).max(200) }).strict()
const PlacesRequest = z.object({ allowedLocationIds: z.array(z.string().min(1).max(64)).min(1).max(200).nullable() }).strict()

function baseUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`
}

export async function guardianRoutes(app: FastifyInstance, opts: { ctx: ServerContext } & GuardianOptions): Promise<void> {
  const { ctx } = opts
  const limits = { ...GUARDIAN_RATE_LIMITS, ...opts.rateLimits }
  const identity = identityProvider(opts.identity, () => ctx.clock.now().getTime())
  app.decorateRequest('guardian', null)
  // The phone pages post forms (this plugin's scope only).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  )

  // --- sign-in: RFC 8628, the identity provider behind identity.ts ------------------------------

  const identityOrOff = () => {
    if (!identity) throw new HttpError(503, 'identity-off', 'guardian sign-in is not configured on this server (no identity provider)')
    return identity
  }

  app.post('/guardian/device', { config: rateLimit(limits.device) }, async (request) => {
    parseInput(DeviceRequest, request.body ?? {}, 'device authorization request')
    identityOrOff()
    // A kiosk names itself (Kantine-Kiosk): the phone then says which kiosk it signs in at.
    const kiosk = await kioskOf(ctx.db, request)
    const grant = await createDeviceGrant(ctx, kiosk?.id ?? null)
    const verification = `${baseUrl(request)}/guardian/verify`
    return {
      device_code: grant.deviceCode,
      user_code: grant.userCode,
      verification_uri: verification,
      verification_uri_complete: `${verification}?user_code=${encodeURIComponent(grant.userCode)}`,
      expires_in: grant.expiresIn,
      interval: grant.interval,
    }
  })

  app.get('/guardian/verify', { config: rateLimit(limits.verify) }, async (request, reply) => {
    const query = parseInput(VerifyQuery, request.query, 'user code')
    const provider = identityOrOff()
    const html = wantsHtml(request)
    if (query.user_code === undefined || query.user_code === '') {
      if (html) return sendPage(reply, 200, SIGN_IN_TITLE, codeForm('/guardian/verify', null))
      throw badRequest('invalid user code: user_code: required')
    }
    const started = await startVerification(ctx, query.user_code)
    if (!started.ok && html) return sendPage(reply, 404, SIGN_IN_TITLE, codeForm('/guardian/verify', CODE_UNKNOWN_TEXT))
    const { state, nonce, kiosk } = answer(started)
    const authorizationUrl = provider.authorizationUrl({ state, nonce, redirectUri: `${baseUrl(request)}${CALLBACK_PATH}` })
    if (!html) return { authorizationUrl, kiosk }
    // The parent sees which kiosk they are about to let in before they sign in.
    return kiosk ? sendPage(reply, 200, SIGN_IN_TITLE, kioskConfirmation(kiosk, authorizationUrl)) : reply.redirect(authorizationUrl, 302)
  })

  app.get(CALLBACK_PATH, { config: rateLimit(limits.verify) }, async (request, reply) => {
    const query = parseInput(CallbackQuery, request.query, 'sign-in answer')
    const provider = identityOrOff()
    const decided = await callback(provider, query)
    if (wantsHtml(request)) {
      const text = decided.ok ? CALLBACK_TEXT[decided.value.status] : decided.error.code === 'guardian-unknown' ? NOT_A_GUARDIAN_TEXT : SIGN_IN_FAILED_TEXT
      return sendPage(reply, decided.ok ? 200 : decided.error.status, SIGN_IN_TITLE, paragraph(text))
    }
    if (!decided.ok) throw decided.error
    return decided.value
  })

  async function callback(provider: IdentityProvider, query: z.infer<typeof CallbackQuery>) {
    let decided
    if ('error' in query) {
      decided = await decideGrant(ctx, query.state, { denied: true })
    } else {
      const claims = await provider.exchange(query.code)
      if (!claims.ok) return { ok: false as const, error: new HttpError(400, 'sign-in-failed', 'the sign-in could not be verified: start again at the kiosk') }
      decided = await decideGrant(ctx, query.state, { claims: claims.value })
    }
    if (decided.ok) return { ok: true as const, value: decided.value }
    const error =
      decided.reason === 'guardian-unknown'
        ? new HttpError(403, 'guardian-unknown', 'you are not registered as a guardian in Kantine')
        : new HttpError(400, 'sign-in-failed', 'the sign-in could not be verified: start again at the kiosk')
    return { ok: false as const, error }
  }

  app.post('/guardian/token', { config: rateLimit(limits.token) }, async (request, reply) => {
    const body = parseInput(TokenRequest, request.body, 'token request')
    const polled = await pollDeviceGrant(ctx, body.device_code)
    if (!polled.ok) {
      // RFC 8628 3.5: 400 with the error code; ours also carries a message (ErrorBody).
      return reply.code(400).send({ error: polled.reason, message: pollMessages[polled.reason] })
    }
    return tokenAnswer(polled.value)
  })

  pinSessionRoutes(app, ctx, limits.pin)

  app.delete('/guardian/session', async (request, reply) => {
    const token = bearerToken(request)
    if (token) await revokeSession(ctx, token)
    return reply.code(204).send()
  })

  if (identity instanceof SimulatedIdentity) simulatedBroker(app, ctx, identity, limits.verify)

  // --- the guardian's own routes ----------------------------------------------------------------

  await app.register(async (own) => {
    own.addHook('onRequest', requireGuardian(ctx))

    own.get('/guardian/accounts', async (request) => ({ accounts: await listAccounts(ctx, guardianOf(request)) }))

    own.post('/guardian/accounts', { config: perGuardian(limits.link) }, async (request): Promise<GuardianAccount> => {
      const body = parseInput(LinkRequest, request.body, 'add account request')
      return answer(await linkAccount(ctx, guardianOf(request), body))
    })

    own.get('/guardian/accounts/:id', async (request) => {
      const { id } = parseInput(AccountParams, request.params, 'account id')
      return answer(await getAccount(ctx, guardianOf(request), id))
    })

    for (const [action, blocked] of [['block', true], ['unblock', false]] as const) {
      own.post(`/guardian/accounts/:id/${action}`, async (request) => {
        const { id } = parseInput(AccountParams, request.params, 'account id')
        return answer(await setBlocked(ctx, guardianOf(request), id, blocked))
      })
    }

    own.put('/guardian/accounts/:id/limits', async (request) => {
      const { id } = parseInput(AccountParams, request.params, 'account id')
      const body = parseInput(LimitsRequest, request.body, 'limits')
      return answer(await setLimits(ctx, guardianOf(request), id, body))
    })

    own.put('/guardian/accounts/:id/permissions', async (request) => {
      const { id } = parseInput(AccountParams, request.params, 'account id')
      const body = parseInput(PermissionsRequest, request.body, 'permissions')
      return answer(await setPermissions(ctx, guardianOf(request), id, body.deniedCategoryIds))
    })

    own.put('/guardian/accounts/:id/places', async (request) => {
      const { id } = parseInput(AccountParams, request.params, 'account id')
      const body = parseInput(PlacesRequest, request.body, 'allowed places')
      return answer(await setAllowedPlaces(ctx, guardianOf(request), id, body.allowedLocationIds))
    })

    for (const area of guardianAreas) await own.register(area, { ctx })
  })
}

const SIGN_IN_TITLE = { da: 'Log ind på kiosken', en: 'Sign in at the kiosk' }
const CODE_UNKNOWN_TEXT = { da: 'Koden findes ikke eller er udløbet. Start forfra på kiosken.', en: 'Unknown or expired code. Start again at the kiosk.' }
const CALLBACK_TEXT = {
  approved: { da: 'Du er logget ind. Gå tilbage til kiosken.', en: 'You are signed in. Go back to the kiosk.' },
  denied: { da: 'Du har afvist at logge ind. Kiosken er ikke logget ind.', en: 'You declined. The kiosk is not signed in.' },
}
const NOT_A_GUARDIAN_TEXT = { da: 'Du er ikke registreret som værge i Kantine.', en: 'You are not registered as a guardian in Kantine.' }
const SIGN_IN_FAILED_TEXT = { da: 'Login kunne ikke bekræftes. Start forfra på kiosken.', en: 'The sign-in could not be verified. Start again at the kiosk.' }

const pollMessages: Record<string, string> = {
  authorization_pending: 'waiting for the guardian to approve on their phone',
  slow_down: 'polling too fast: wait the interval (now 5 seconds longer) between polls',
  expired_token: 'the code has expired: start again',
  access_denied: 'the guardian declined the sign-in',
  invalid_grant: 'unknown or already used device code',
}

/**
 * The simulated broker: "signing in" is picking a demo guardian (JSON for now; the phone's HTML
 * page comes with the kiosk UI). Never registered with a real provider.
 */
function simulatedBroker(app: FastifyInstance, ctx: ServerContext, idp: SimulatedIdentity, max: number): void {
  app.get(SIMULATED_AUTHORIZE_PATH, { config: rateLimit(max) }, async (request, reply) => {
    const query = parseInput(SimulatedAuthorizeQuery, request.query, 'authorization request')
    const { rows } = await ctx.db.query<{ id: string; name: string; municipality: string }>(
      // The guardians of the first accounts first (the demo's documented cards), then by name.
      `SELECT g.id, g.name, m.name AS municipality FROM guardians g JOIN municipalities m ON m.id = g.municipality_id
        ORDER BY (SELECT min(ga.account_id) FROM guardian_accounts ga WHERE ga.guardian_id = g.id) NULLS LAST, m.name, g.name LIMIT 50`,
    )
    if (wantsHtml(request)) return sendPage(reply, 200, { da: 'Log ind (simuleret MitID)', en: 'Sign in (simulated MitID)' }, simulatedSignInForm(SIMULATED_AUTHORIZE_PATH, query.state, query.nonce, rows))
    return { simulated: true, state: query.state, nonce: query.nonce, guardians: rows }
  })

  app.post(SIMULATED_AUTHORIZE_PATH, { config: rateLimit(max) }, async (request, reply) => {
    const body = parseInput(SimulatedSignIn, request.body, 'simulated sign-in')
    const callback = `${baseUrl(request)}${CALLBACK_PATH}`
    const redirect =
      'deny' in body
        ? `${callback}?${new URLSearchParams({ error: 'access_denied', state: body.state }).toString()}`
        : `${callback}?${new URLSearchParams({ code: idp.signIn(body.guardianId, body.nonce), state: body.state }).toString()}`
    // A phone's form post follows the broker's redirect; a JSON client is told where to go.
    return request.headers['content-type']?.startsWith('application/x-www-form-urlencoded') ? reply.redirect(redirect, 303) : { redirect }
  })
}

