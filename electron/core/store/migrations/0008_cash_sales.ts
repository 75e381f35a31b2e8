/**
 * Cash sales (issue 14): a sale says how it was paid. 'card': a canteen card (card number and
 * account, money through the server's ledger); 'cash': a guest at the counter (no card, no
 * account; the money is in the drawer and the Z report counts it by `payment`). Every sale before
 * this migration was a card sale.
 *
 * SQLite cannot drop NOT NULL or add a table CHECK in place, so `sales` is rebuilt (SQLite's
 * "12 steps"): migrate() runs this one with foreign keys off (`foreignKeysOff`) and checks them
 * (PRAGMA foreign_key_check) before it commits, so sale_lines and sale_voids, which reference
 * `sales` by name, point at the new table with every row still matched.
 */
export default /* sql */ `
CREATE TABLE sales_0008 (
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL UNIQUE REFERENCES outbox(seq),
  at TEXT NOT NULL,
  card_number TEXT,
  account_id TEXT,
  staff_id TEXT NOT NULL,
  total INTEGER NOT NULL,
  offline INTEGER NOT NULL,
  day_key TEXT NOT NULL,
  week_key TEXT NOT NULL,
  month_key TEXT NOT NULL,
  payment TEXT NOT NULL DEFAULT 'card' CHECK (payment IN ('card', 'cash')),
  CHECK ((payment = 'card' AND card_number IS NOT NULL AND account_id IS NOT NULL)
      OR (payment = 'cash' AND card_number IS NULL AND account_id IS NULL))
) STRICT;
INSERT INTO sales_0008 (id, seq, at, card_number, account_id, staff_id, total, offline, day_key, week_key, month_key, payment)
  SELECT id, seq, at, card_number, account_id, staff_id, total, offline, day_key, week_key, month_key, 'card' FROM sales;
DROP TABLE sales;
ALTER TABLE sales_0008 RENAME TO sales;
CREATE INDEX sales_at ON sales(at);
`
