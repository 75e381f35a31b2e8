/**
 * Payments at the provider (top-ups by payment card, auto top-up charges) and the queue of
 * auto top-up attempts that a till purchase triggers.
 */
export const name = 'payments'

export const sql = /* sql */ `
CREATE TABLE payments (
  id uuid PRIMARY KEY,
  account_id text NOT NULL REFERENCES accounts (id),
  kind text NOT NULL CHECK (kind IN ('deposit', 'auto_topup')),
  amount bigint NOT NULL CHECK (amount > 0 AND amount % 100 = 0),
  -- The provider's id for this payment; the ledger entry carries it as payment_ref.
  provider_ref text UNIQUE,
  status text NOT NULL CHECK (status IN ('created', 'authorized', 'captured', 'declined', 'failed', 'refunded')),
  failure text,
  receipt_email text,
  -- The caller's key (a kiosk retrying "pay"): one payment per key.
  idempotency_key text UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_account ON payments (account_id, created_at);

-- Written in the sale's transaction, worked off after it commits: the provider is never called
-- while a sale holds its locks, and a crash between the two leaves a queued row, not a lost top-up.
CREATE TABLE topup_jobs (
  id uuid PRIMARY KEY,
  account_id text NOT NULL REFERENCES accounts (id),
  sale_id uuid NOT NULL REFERENCES sales (id),
  amount bigint NOT NULL CHECK (amount > 0 AND amount % 100 = 0),
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'done', 'failed')),
  failure text,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX topup_jobs_queued ON topup_jobs (created_at) WHERE status = 'queued';
`
