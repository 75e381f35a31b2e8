/**
 * The till's first schema. Synced tables (locations … staff) mirror the server's change log and
 * hold no foreign keys between them: pages arrive in the server's commit order, not in
 * dependency order. Local tables (sales, sale_lines, outbox) are linked by foreign keys.
 */
export default /* sql */ `
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

CREATE TABLE locations (id TEXT PRIMARY KEY, name TEXT NOT NULL) STRICT;

CREATE TABLE categories (id TEXT PRIMARY KEY, name TEXT NOT NULL, sort INTEGER NOT NULL) STRICT;

CREATE TABLE products (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  category_id TEXT NOT NULL,
  prices TEXT NOT NULL,          -- JSON {locationId: øre}
  barcode TEXT,
  available INTEGER NOT NULL,
  image TEXT,
  sort INTEGER NOT NULL
) STRICT;
CREATE INDEX products_barcode ON products(barcode) WHERE barcode IS NOT NULL;

CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  holder_name TEXT NOT NULL,
  photo TEXT,
  status TEXT NOT NULL CHECK (status IN ('active', 'blocked')),
  balance INTEGER NOT NULL,      -- øre, as of the last pull
  limit_day INTEGER,
  limit_week INTEGER,
  limit_month INTEGER,
  spent TEXT NOT NULL,           -- JSON {day|week|month: {key, amount}}, as of the last pull
  denied_categories TEXT NOT NULL,
  allowed_locations TEXT,        -- JSON array, NULL = every canteen
  synced_at TEXT NOT NULL        -- when the till last received this account from the server
) STRICT;

CREATE TABLE cards (
  number TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'replaced', 'lost'))
) STRICT;
CREATE INDEX cards_account ON cards(account_id);

CREATE TABLE staff (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  pin_hash TEXT NOT NULL,
  roles TEXT NOT NULL,
  location_ids TEXT NOT NULL,
  active INTEGER NOT NULL
) STRICT;

-- seq strictly increases per till and is never reused (AUTOINCREMENT), even after pruning.
CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  mutation_id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'applied', 'rejected')),
  reason TEXT,
  flags TEXT,
  account_id TEXT,
  delta INTEGER NOT NULL DEFAULT 0  -- the balance change this mutation makes, until the server's balance includes it
);
CREATE INDEX outbox_pending ON outbox(status, seq);
CREATE INDEX outbox_account ON outbox(account_id, seq);

CREATE TABLE sales (
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL UNIQUE REFERENCES outbox(seq),
  at TEXT NOT NULL,
  card_number TEXT NOT NULL,
  account_id TEXT NOT NULL,
  staff_id TEXT NOT NULL,
  total INTEGER NOT NULL,
  offline INTEGER NOT NULL,
  day_key TEXT NOT NULL,
  week_key TEXT NOT NULL,
  month_key TEXT NOT NULL
) STRICT;
CREATE INDEX sales_at ON sales(at);

CREATE TABLE sale_lines (
  sale_id TEXT NOT NULL REFERENCES sales(id),
  line_no INTEGER NOT NULL,
  product_id TEXT NOT NULL,
  name TEXT NOT NULL,
  category_id TEXT NOT NULL,
  qty INTEGER NOT NULL,
  unit_price INTEGER NOT NULL,
  PRIMARY KEY (sale_id, line_no)
) STRICT;
`
