/**
 * The guardian's money at the kiosk (issue 13): payouts, new cards, the auto top-up agreement's
 * retry key, and the mail outbox a receipt goes to.
 *
 * - payouts (table from 0001, unused until now): to the guardian's NemKonto or to a bank account
 *   (reg. no. + account no. + name + message); 'pending' from the moment the ledger entry is
 *   made (the money has left the account) until the back office settles it. The status words
 *   change to the ones the API speaks; the request's retry key is unique per account.
 * - card_orders: one row per new card ordered, by its retry key, so a retried order answers the
 *   first order's card and never charges the fee twice.
 * - accounts.topup_idempotency_key: the key the current auto top-up agreement was made with, so
 *   a retried "create" answers the agreement it made instead of "one exists already".
 * - mail_outbox: the mails of the 'outbox' mailer (demo, tests); dedupe_key makes a mail once.
 */
export const name = 'guardian-money'

export const sql = /* sql */ `
ALTER TABLE payouts DROP CONSTRAINT payouts_status_check;
UPDATE payouts SET status = CASE status WHEN 'requested' THEN 'pending' WHEN 'paid' THEN 'settled' ELSE status END;
ALTER TABLE payouts ALTER COLUMN status SET DEFAULT 'pending';
ALTER TABLE payouts ADD CONSTRAINT payouts_status_check CHECK (status IN ('pending', 'settled', 'rejected'));
ALTER TABLE payouts ADD COLUMN kind text NOT NULL DEFAULT 'bank' CHECK (kind IN ('nemkonto', 'bank'));
ALTER TABLE payouts ALTER COLUMN kind DROP DEFAULT;
ALTER TABLE payouts ALTER COLUMN name DROP NOT NULL;
ALTER TABLE payouts ALTER COLUMN reg_no DROP NOT NULL;
ALTER TABLE payouts ALTER COLUMN account_no DROP NOT NULL;
ALTER TABLE payouts ADD CONSTRAINT payouts_bank_details CHECK (
  (kind = 'bank') = (name IS NOT NULL AND reg_no IS NOT NULL AND account_no IS NOT NULL));
ALTER TABLE payouts ADD COLUMN requested_by text;
ALTER TABLE payouts ADD COLUMN idempotency_key text;
ALTER TABLE payouts ADD COLUMN settled_at timestamptz;
ALTER TABLE payouts ADD COLUMN settled_by text;
-- Paid before this migration: when is not known; the request's time stands in.
UPDATE payouts SET settled_at = created_at WHERE status = 'settled';
ALTER TABLE payouts ADD CONSTRAINT payouts_settled CHECK ((status = 'settled') = (settled_at IS NOT NULL));
CREATE UNIQUE INDEX payouts_retry_once ON payouts (account_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX payouts_account ON payouts (account_id, created_at);
CREATE INDEX payouts_pending ON payouts (created_at) WHERE status = 'pending';

CREATE TABLE card_orders (
  account_id text NOT NULL REFERENCES accounts (id),
  idempotency_key text NOT NULL,
  card_number text NOT NULL REFERENCES cards (number),
  replaced text[] NOT NULL,
  ledger_id bigint NOT NULL REFERENCES ledger (id),
  ordered_by text NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (account_id, idempotency_key)
);

ALTER TABLE accounts ADD COLUMN topup_idempotency_key text;

CREATE TABLE mail_outbox (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  to_address text NOT NULL,
  subject text NOT NULL,
  body text NOT NULL,
  kind text NOT NULL,
  dedupe_key text UNIQUE,
  created_at timestamptz NOT NULL
);
CREATE INDEX mail_outbox_to ON mail_outbox (to_address, created_at);
`
