/**
 * The core schema: municipalities and their canteens, tills, staff, catalogue, holders and their
 * accounts and cards, the money ledger, sales, and the change log tills pull from.
 *
 * Conventions: ids are text (demo ids are readable; new ones are uuids); money is bigint øre;
 * every row a till holds belongs to one municipality, the unit that scopes sync.
 */
export const name = 'init'

export const sql = /* sql */ `
CREATE TABLE municipalities (
  id text PRIMARY KEY,
  name text NOT NULL,
  -- How far below zero an offline till may let one card go (øre); see DESIGN.md "Offline-first sync".
  offline_allowance bigint NOT NULL DEFAULT 5000 CHECK (offline_allowance >= 0),
  settings jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE locations (
  id text PRIMARY KEY,
  municipality_id text NOT NULL REFERENCES municipalities (id),
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX locations_municipality ON locations (municipality_id);

CREATE TABLE terminals (
  id text PRIMARY KEY,
  municipality_id text NOT NULL REFERENCES municipalities (id),
  location_id text NOT NULL REFERENCES locations (id),
  name text NOT NULL,
  -- sha256 (hex) of the device token; the token itself is shown once, at enrolment.
  token_hash text NOT NULL UNIQUE,
  -- The highest seq of this till's outbox that was answered (applied or rejected).
  last_applied_seq bigint NOT NULL DEFAULT 0 CHECK (last_applied_seq >= 0),
  last_seen_at timestamptz,
  revoked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE enrolment_codes (
  code_hash text PRIMARY KEY,
  location_id text NOT NULL REFERENCES locations (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  terminal_id text REFERENCES terminals (id)
);

CREATE TABLE staff (
  id text PRIMARY KEY,
  municipality_id text NOT NULL REFERENCES municipalities (id),
  name text NOT NULL,
  -- scrypt$<salt b64>$<hash b64> (N=16384, r=8, p=1, 32 bytes): tills check PINs offline.
  pin_hash text NOT NULL CHECK (pin_hash LIKE 'scrypt$%$%'),
  roles text[] NOT NULL DEFAULT '{}' CHECK (roles <@ ARRAY['cashier', 'pickup', 'manager']),
  location_ids text[] NOT NULL DEFAULT '{}',
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX staff_municipality ON staff (municipality_id);

CREATE TABLE categories (
  id text PRIMARY KEY,
  municipality_id text NOT NULL REFERENCES municipalities (id),
  name text NOT NULL,
  sort integer NOT NULL DEFAULT 0
);
CREATE INDEX categories_municipality ON categories (municipality_id);

CREATE TABLE products (
  id text PRIMARY KEY,
  municipality_id text NOT NULL REFERENCES municipalities (id),
  category_id text NOT NULL REFERENCES categories (id),
  name text NOT NULL,
  barcode text,
  image text,
  available boolean NOT NULL DEFAULT true,
  sort integer NOT NULL DEFAULT 0
);
CREATE INDEX products_municipality ON products (municipality_id);

-- A product without a price at a location is not sold there.
CREATE TABLE product_prices (
  product_id text NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  location_id text NOT NULL REFERENCES locations (id),
  price bigint NOT NULL CHECK (price >= 0),
  PRIMARY KEY (product_id, location_id)
);

CREATE TABLE holders (
  id text PRIMARY KEY,
  municipality_id text NOT NULL REFERENCES municipalities (id),
  name text NOT NULL,
  photo text,
  -- Never the CPR number itself: HMAC-SHA256 under a server-held key, plus the last four digits.
  cpr_hmac text,
  cpr_last4 text CHECK (cpr_last4 ~ '^[0-9]{4}$'),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX holders_cpr ON holders (municipality_id, cpr_hmac);

CREATE TABLE accounts (
  id text PRIMARY KEY,
  holder_id text NOT NULL REFERENCES holders (id),
  municipality_id text NOT NULL REFERENCES municipalities (id),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked')),
  -- Materialised sum of this account's ledger entries, updated in the same transaction as each entry.
  balance bigint NOT NULL DEFAULT 0,
  limit_day bigint CHECK (limit_day >= 0),
  limit_week bigint CHECK (limit_week >= 0),
  limit_month bigint CHECK (limit_month >= 0),
  denied_category_ids text[] NOT NULL DEFAULT '{}',
  -- NULL: every canteen of the municipality.
  allowed_location_ids text[],
  -- Auto top-up agreement: a saved payment card at the provider, charged whole kroner.
  topup_agreement_id text,
  topup_amount bigint CHECK (topup_amount > 0 AND topup_amount % 100 = 0),
  topup_status text CHECK (topup_status IN ('active', 'failed', 'cancelled')),
  topup_updated_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (topup_status IS NULL OR (topup_agreement_id IS NOT NULL AND topup_amount IS NOT NULL))
);
CREATE INDEX accounts_municipality ON accounts (municipality_id);
CREATE INDEX accounts_holder ON accounts (holder_id);

-- Spend per limit period: 'd:2026-11-24', 'w:2026-W48', 'm:2026-11' (Copenhagen calendar).
CREATE TABLE account_spend (
  account_id text NOT NULL REFERENCES accounts (id),
  period text NOT NULL CHECK (period ~ '^[dwm]:'),
  amount bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, period)
);

CREATE TABLE cards (
  number text PRIMARY KEY CHECK (number ~ '^[0-9A-Z]{4,24}$'),
  account_id text NOT NULL REFERENCES accounts (id),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'replaced', 'lost')),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cards_account ON cards (account_id);

CREATE TABLE guardians (
  id text PRIMARY KEY,
  municipality_id text NOT NULL REFERENCES municipalities (id),
  name text NOT NULL,
  email text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE guardian_accounts (
  guardian_id text NOT NULL REFERENCES guardians (id),
  account_id text NOT NULL REFERENCES accounts (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (guardian_id, account_id)
);
CREATE INDEX guardian_accounts_account ON guardian_accounts (account_id);

-- The money. Append-only: a correction is a new entry, never an edit (see the trigger below).
CREATE TABLE ledger (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id text NOT NULL REFERENCES accounts (id),
  kind text NOT NULL CHECK (kind IN ('deposit', 'purchase', 'refund', 'payout', 'fee', 'auto_topup', 'adjustment')),
  amount bigint NOT NULL,
  sale_id uuid,
  payment_ref text,
  note text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (CASE kind
    WHEN 'deposit' THEN amount > 0
    WHEN 'auto_topup' THEN amount > 0
    WHEN 'refund' THEN amount > 0
    WHEN 'purchase' THEN amount <= 0
    WHEN 'payout' THEN amount < 0
    WHEN 'fee' THEN amount < 0
    ELSE amount <> 0 END)
);
CREATE INDEX ledger_account ON ledger (account_id, id);
-- One money movement per provider payment, however often its capture is reported.
CREATE UNIQUE INDEX ledger_payment_once ON ledger (payment_ref) WHERE payment_ref IS NOT NULL;

CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger is append-only: % is not allowed', TG_OP USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER ledger_no_update_delete BEFORE UPDATE OR DELETE ON ledger
  FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ledger
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();

CREATE TABLE sales (
  id uuid PRIMARY KEY,
  municipality_id text NOT NULL REFERENCES municipalities (id),
  terminal_id text NOT NULL REFERENCES terminals (id),
  seq bigint NOT NULL,
  account_id text NOT NULL REFERENCES accounts (id),
  card_number text NOT NULL,
  location_id text NOT NULL REFERENCES locations (id),
  staff_id text NOT NULL,
  total bigint NOT NULL CHECK (total >= 0),
  offline boolean NOT NULL,
  -- e.g. 'overdraft', 'blocked', 'day-limit': rules the sale broke, accepted because the food is gone.
  flags text[] NOT NULL DEFAULT '{}',
  sold_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (terminal_id, seq)
);
CREATE INDEX sales_account ON sales (account_id, sold_at);
CREATE INDEX sales_location ON sales (location_id, sold_at);

CREATE TABLE sale_lines (
  sale_id uuid NOT NULL REFERENCES sales (id),
  line_no integer NOT NULL,
  product_id text NOT NULL,
  name text NOT NULL,
  category_id text NOT NULL,
  qty integer NOT NULL CHECK (qty > 0),
  unit_price bigint NOT NULL CHECK (unit_price >= 0),
  PRIMARY KEY (sale_id, line_no)
);

CREATE TABLE webshop_orders (
  id uuid PRIMARY KEY,
  municipality_id text NOT NULL REFERENCES municipalities (id),
  account_id text NOT NULL REFERENCES accounts (id),
  location_id text NOT NULL REFERENCES locations (id),
  guardian_id text REFERENCES guardians (id),
  payment_method text NOT NULL CHECK (payment_method IN ('canteen-card', 'payment-card')),
  status text NOT NULL CHECK (status IN ('awaiting-payment', 'paid', 'partly-picked-up', 'picked-up', 'cancelled')),
  total bigint NOT NULL CHECK (total >= 0),
  payment_ref text,
  pickup_date date,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webshop_orders_location ON webshop_orders (location_id, status);

CREATE TABLE webshop_order_lines (
  order_id uuid NOT NULL REFERENCES webshop_orders (id),
  line_no integer NOT NULL,
  product_id text NOT NULL,
  name text NOT NULL,
  qty integer NOT NULL CHECK (qty > 0),
  unit_price bigint NOT NULL CHECK (unit_price >= 0),
  picked_qty integer NOT NULL DEFAULT 0 CHECK (picked_qty BETWEEN 0 AND qty),
  PRIMARY KEY (order_id, line_no)
);

CREATE TABLE payouts (
  id uuid PRIMARY KEY,
  account_id text NOT NULL REFERENCES accounts (id),
  name text NOT NULL,
  reg_no text NOT NULL CHECK (reg_no ~ '^[0-9]{4}$'),
  account_no text NOT NULL CHECK (account_no ~ '^[0-9]{1,10}$'),
  message text NOT NULL DEFAULT '',
  amount bigint NOT NULL CHECK (amount > 0 AND amount % 100 = 0),
  status text NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'paid', 'rejected')),
  ledger_id bigint REFERENCES ledger (id),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  municipality_id text,
  actor text NOT NULL,
  action text NOT NULL,
  entity text,
  entity_id text,
  details jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);

-- The answer to each pushed mutation, so a repeated push is answered, never applied again.
CREATE TABLE mutation_results (
  terminal_id text NOT NULL REFERENCES terminals (id),
  seq bigint NOT NULL,
  mutation_id uuid NOT NULL,
  kind text NOT NULL,
  status text NOT NULL CHECK (status IN ('applied', 'rejected')),
  reason text,
  flags text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (terminal_id, seq)
);

-- The change log tills pull. payload = the full entity as the till stores it (NULL: deleted).
-- Ordered by (txid, id) and read only below the oldest running transaction (see sync/pull.ts),
-- so a row that commits late is never skipped by a cursor.
CREATE TABLE changes (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  municipality_id text NOT NULL,
  entity text NOT NULL CHECK (entity IN ('account', 'card', 'category', 'product', 'location', 'staff')),
  entity_id text NOT NULL,
  payload jsonb,
  -- The pushed mutation that caused this row, so a pull page can acknowledge it (ackSeq).
  origin_terminal text,
  origin_seq bigint,
  txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((origin_terminal IS NULL) = (origin_seq IS NULL))
);
CREATE INDEX changes_cursor ON changes (municipality_id, txid, id);

CREATE TABLE server_secrets (
  name text PRIMARY KEY,
  value text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
`
