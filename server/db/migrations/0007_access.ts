/**
 * Personal data and access (issue 12):
 * - CPR: no digits in clear, and no key beside the hashes. The last four digits go. A hash made
 *   under the key the server used to keep in server_secrets protects nothing against a copy of
 *   the database (key and hash travel together), and an HMAC cannot be re-keyed without the
 *   number: those hashes are cleared (the guardian enters the CPR again when adding the
 *   account) and the old key is deleted. Hashes made under KANTINE_CPR_KEY stay.
 * - Admin tokens: named to a person, scoped to a municipality (NULL: every municipality, the
 *   operator's own people), stored as a sha256 of the token.
 * - Auto top-up jobs: a provider call that throws is retried with backoff (attempts, next try).
 * - The simulated payment provider keeps its state here, so a restart forgets no saved card.
 */
export const name = 'access'

export const sql = /* sql */ `
UPDATE holders SET cpr_hmac = NULL
 WHERE cpr_hmac IS NOT NULL AND EXISTS (SELECT 1 FROM server_secrets WHERE name = 'cpr-hmac-key');
DELETE FROM server_secrets WHERE name = 'cpr-hmac-key';
ALTER TABLE holders DROP COLUMN cpr_last4;

CREATE TABLE admin_tokens (
  id uuid PRIMARY KEY,
  person text NOT NULL CHECK (length(person) BETWEEN 1 AND 200),
  municipality_id text REFERENCES municipalities (id),
  token_hash text NOT NULL UNIQUE,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);

ALTER TABLE topup_jobs ADD COLUMN attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0);
ALTER TABLE topup_jobs ADD COLUMN next_attempt_at timestamptz;
ALTER TABLE topup_jobs ADD COLUMN last_error text;

CREATE TABLE sim_provider_payments (
  id text PRIMARY KEY,
  amount bigint NOT NULL,
  status text NOT NULL,
  decline_reason text,
  card_token text NOT NULL,
  refunded bigint NOT NULL DEFAULT 0
);
CREATE TABLE sim_provider_agreements (
  id text PRIMARY KEY,
  card_token text NOT NULL,
  active boolean NOT NULL
);
-- Idempotency: the first answer to each (call, key), repeated for every retry.
CREATE TABLE sim_provider_answers (
  key text PRIMARY KEY,
  answer jsonb NOT NULL
);
`
