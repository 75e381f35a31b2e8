/**
 * Who the parent is: an identity provider behind an interface shaped like a MitID broker's
 * OpenID Connect authorization-code flow. The server sends the phone to `authorizationUrl` with a
 * state and a nonce; the broker sends it back to the callback with a code (or an error); the
 * server exchanges the code for verified claims. A real broker implements this interface; the
 * demo and tests use `SimulatedIdentity`, which lets the phone pick a demo guardian.
 *
 * There is no silent default: `IdentityOption` is chosen explicitly, like payments
 * (platform/context-factory.ts): 'off' (no sign-in), 'simulated', or a provider.
 */
import { randomToken } from '../platform/crypto'
import { ok, refuse, type Result } from '../platform/result'

export interface IdentityClaims {
  /** The provider's stable subject id. The simulated provider's subject is the guardian's id. */
  subject: string
  /** The nonce sent with the authorization request, echoed in the ID token. */
  nonce: string
}

export interface IdentityProvider {
  readonly kind: 'simulated' | 'provider'
  /** Where the phone goes to sign in (the broker's authorization endpoint with its parameters). */
  authorizationUrl(request: { state: string; nonce: string; redirectUri: string }): string
  /** The callback's code, exchanged once for verified claims (a real broker: the token endpoint and ID-token checks). */
  exchange(code: string): Promise<Result<IdentityClaims, 'code-invalid'>>
}

export type IdentityOption = IdentityProvider | 'simulated' | 'off'

/** The simulated broker's page (served by guardian/routes.ts while the simulated provider is chosen). */
export const SIMULATED_AUTHORIZE_PATH = '/guardian/simulated-idp/authorize'

/**
 * A stand-in for a MitID broker: "signing in" is choosing a demo guardian. Its codes live in
 * memory for a minute, single use: a restart only makes a phone start again.
 */
export class SimulatedIdentity implements IdentityProvider {
  readonly kind = 'simulated' as const
  private readonly codes = new Map<string, { claims: IdentityClaims; expiresAt: number }>()

  constructor(private readonly now: () => number = Date.now) {}

  authorizationUrl(request: { state: string; nonce: string; redirectUri: string }): string {
    const query = new URLSearchParams({ response_type: 'code', scope: 'openid', state: request.state, nonce: request.nonce, redirect_uri: request.redirectUri })
    return `${SIMULATED_AUTHORIZE_PATH}?${query.toString()}`
  }

  /** The broker's side of the sign-in: the person is `subject`; returns the code for the callback. */
  signIn(subject: string, nonce: string): string {
    const code = randomToken()
    this.codes.set(code, { claims: { subject, nonce }, expiresAt: this.now() + 60_000 })
    return code
  }

  async exchange(code: string): Promise<Result<IdentityClaims, 'code-invalid'>> {
    const entry = this.codes.get(code)
    this.codes.delete(code)
    if (!entry || entry.expiresAt < this.now()) return refuse('code-invalid')
    return ok(entry.claims)
  }
}

export function identityProvider(option: IdentityOption | undefined, now?: () => number): IdentityProvider | null {
  if (option === undefined || option === 'off') return null
  return option === 'simulated' ? new SimulatedIdentity(now) : option
}
