/**
 * Webshop orders and pickup (issue 15, server/orders/README.md).
 *
 * - What a canteen sells in the webshop (`orderable_products`: a product with a price at the
 *   canteen, switched on for ordering), the days it is closed (`order_closed_days`), the cut-off
 *   per ISO weekday of the pickup day (`order_cutoffs`: `days_before` 0 = on the pickup day,
 *   1 = the day before, at `at` Copenhagen time) and its settings (`order_settings`: when the
 *   pickup window ends, whether lines not picked up are credited back).
 * - `orders`: `number` is short enough to say aloud and unique per canteen and pickup day (the
 *   unique index is what makes it so, whoever checks out at the same moment). `status` is the
 *   committed payment state: the counter and the kitchen follow it only. `released`: the order's
 *   change rows go to the canteen's tills (from the day before its pickup day on).
 * - `order_lines.handed_out` never exceeds `quantity` (a CHECK, beside the applier's own check):
 *   two tills handing out the same line cannot both win.
 * - `changes.location_id`: an order's change row belongs to one canteen; a pull sends it only to
 *   that canteen's tills. NULL for every other entity (the whole municipality, as before).
 */
export const name = 'orders'

export const sql = /* sql */ `
CREATE TABLE order_settings (
  location_id text PRIMARY KEY REFERENCES locations (id),
  -- When the pickup window of a day ends (Copenhagen time): lines not picked up are listed then.
  pickup_end time NOT NULL DEFAULT '14:00',
  -- Whether those lines are credited back to the account (through the ledger).
  credit_uncollected boolean NOT NULL DEFAULT false
);

CREATE TABLE orderable_products (
  location_id text NOT NULL REFERENCES locations (id),
  product_id text NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  PRIMARY KEY (location_id, product_id)
);

CREATE TABLE order_closed_days (
  location_id text NOT NULL REFERENCES locations (id),
  day date NOT NULL,
  reason text NOT NULL DEFAULT '' CHECK (length(reason) <= 200),
  PRIMARY KEY (location_id, day)
);

CREATE TABLE order_cutoffs (
  location_id text NOT NULL REFERENCES locations (id),
  -- ISO weekday of the pickup day: 1 Monday … 7 Sunday.
  weekday smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
  days_before smallint NOT NULL CHECK (days_before BETWEEN 0 AND 14),
  at time NOT NULL,
  PRIMARY KEY (location_id, weekday)
);

CREATE TABLE orders (
  id uuid PRIMARY KEY,
  municipality_id text NOT NULL REFERENCES municipalities (id),
  location_id text NOT NULL REFERENCES locations (id),
  account_id text NOT NULL REFERENCES accounts (id),
  guardian_id text NOT NULL,
  pickup_day date NOT NULL,
  number integer NOT NULL CHECK (number BETWEEN 1 AND 999),
  total bigint NOT NULL CHECK (total >= 0),
  payment text NOT NULL CHECK (payment IN ('canteen-card', 'payment-card')),
  status text NOT NULL CHECK (status IN ('pending', 'declined', 'awaiting-payment', 'paid', 'payment-failed', 'cancelled')),
  cutoff_at timestamptz NOT NULL,
  capture_at timestamptz,
  capture_requested_at timestamptz,
  provider_ref text,
  -- A cancelled payment-card order: when the provider released the authorisation (or refunded
  -- the capture). NULL on a cancelled one: the worker asks the provider again.
  provider_closed_at timestamptz,
  -- When it became paid (canteen card: at checkout; payment card: the capture event).
  paid_at timestamptz,
  failure text,
  idempotency_key text NOT NULL,
  released boolean NOT NULL DEFAULT false,
  window_closed_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  cancelled_at timestamptz,
  UNIQUE (location_id, pickup_day, number),
  UNIQUE (account_id, idempotency_key)
);
CREATE INDEX orders_account ON orders (account_id, pickup_day);
CREATE INDEX orders_location_day ON orders (location_id, pickup_day);
CREATE INDEX orders_provider_ref ON orders (provider_ref) WHERE provider_ref IS NOT NULL;
CREATE INDEX orders_capture_due ON orders (capture_at) WHERE status = 'awaiting-payment' AND capture_requested_at IS NULL;

CREATE TABLE order_lines (
  order_id uuid NOT NULL REFERENCES orders (id),
  line_no smallint NOT NULL CHECK (line_no >= 1),
  product_id text NOT NULL,
  name text NOT NULL,
  category_id text NOT NULL,
  unit_price bigint NOT NULL CHECK (unit_price >= 0),
  quantity integer NOT NULL CHECK (quantity BETWEEN 1 AND 20),
  handed_out integer NOT NULL DEFAULT 0 CHECK (handed_out >= 0 AND handed_out <= quantity),
  handed_out_by text,
  handed_out_at timestamptz,
  handed_out_terminal text,
  PRIMARY KEY (order_id, line_no)
);

ALTER TABLE changes ADD COLUMN location_id text;
ALTER TABLE changes DROP CONSTRAINT IF EXISTS changes_entity_check;
ALTER TABLE changes ADD CONSTRAINT changes_entity_check CHECK (entity IN ('account', 'card', 'category', 'product', 'location', 'staff', 'order'));
ALTER TABLE changes ADD CONSTRAINT changes_order_located CHECK ((entity = 'order') = (location_id IS NOT NULL));
`
