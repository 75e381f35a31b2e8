/**
 * The guardian API (issue 13): the kiosk's sign-in by the OAuth device-authorization pattern
 * (RFC 8628) and the sessions it starts.
 *
 * - A device grant is what a kiosk asked for: its device code (only its sha256: it is a bearer
 *   secret until used), the short user code the phone types, the OIDC state and nonce of the
 *   identity provider's round trip, and who approved it.
 * - A session is an opaque bearer token (only its sha256), sliding expiry, revocable.
 */
export const name = 'guardian'

export const sql = /* sql */ `
CREATE TABLE guardian_device_grants (
  device_code_hash text PRIMARY KEY,
  user_code text NOT NULL UNIQUE CHECK (user_code ~ '^[A-Z]{4}-[A-Z]{4}$'),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied', 'used')),
  guardian_id text REFERENCES guardians (id),
  -- The identity provider's round trip (OIDC state and nonce), set when the phone opens the code.
  oidc_state text UNIQUE,
  oidc_nonce text,
  interval_seconds integer NOT NULL CHECK (interval_seconds > 0),
  last_polled_at timestamptz,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  CHECK ((status = 'approved' OR status = 'used') = (guardian_id IS NOT NULL))
);

CREATE TABLE guardian_sessions (
  token_hash text PRIMARY KEY,
  guardian_id text NOT NULL REFERENCES guardians (id),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  created_at timestamptz NOT NULL
);
CREATE INDEX guardian_sessions_guardian ON guardian_sessions (guardian_id);
`
