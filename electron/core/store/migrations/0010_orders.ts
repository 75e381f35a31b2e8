/**
 * Webshop orders for pickup (issue 15, "Till: pickup mode"). `orders` and `order_lines` hold the
 * server's state of this canteen's orders of today and tomorrow, as the pull and the snapshot
 * send it (`handed_out` there is what the SERVER has booked). `order_handouts` holds this till's
 * own hand-outs: what the counter shows as handed out is the server's count plus the hand-outs
 * whose outbox row the server has not yet reported back (pending, or applied above acked_seq),
 * exactly as a balance is the pulled balance plus the unacknowledged deltas.
 *
 * A hand-out is held (`seq` NULL) for the undo window before its `order.handout` outbox row is
 * written (store/orders.ts releaseHandouts): the server takes seqs without gaps, so a row once
 * in the outbox can never be taken back; a held hand-out can, and it is already on disk.
 * No foreign key to `outbox`: acknowledged rows of a closed day are pruned.
 */
export default /* sql */ `
CREATE TABLE orders (
  id TEXT PRIMARY KEY,
  location_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  holder_name TEXT NOT NULL,
  photo_id TEXT,
  pickup_day TEXT NOT NULL,
  number INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('awaiting-payment', 'paid', 'payment-failed', 'cancelled')),
  payment TEXT NOT NULL CHECK (payment IN ('canteen-card', 'payment-card')),
  total INTEGER NOT NULL,
  capture_at TEXT,
  synced_at TEXT NOT NULL
) STRICT;
CREATE INDEX orders_day ON orders(pickup_day, number);
CREATE INDEX orders_account ON orders(account_id, pickup_day);

CREATE TABLE order_lines (
  order_id TEXT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  line_no INTEGER NOT NULL,
  product_id TEXT NOT NULL,
  name TEXT NOT NULL,
  quantity INTEGER NOT NULL CHECK (quantity >= 1),
  unit_price INTEGER NOT NULL,
  handed_out INTEGER NOT NULL DEFAULT 0 CHECK (handed_out >= 0),
  handed_out_by TEXT,
  handed_out_at TEXT,
  PRIMARY KEY (order_id, line_no)
) STRICT;

CREATE TABLE order_handouts (
  id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL,
  -- JSON [{lineNo, quantity}], the mutation's lines.
  lines TEXT NOT NULL,
  staff_id TEXT NOT NULL,
  staff_name TEXT NOT NULL,
  at TEXT NOT NULL,
  -- The order.handout outbox row once released; NULL while the hand-out may still be undone.
  seq INTEGER UNIQUE
) STRICT;
CREATE INDEX order_handouts_order ON order_handouts(order_id);
CREATE INDEX order_handouts_held ON order_handouts(seq) WHERE seq IS NULL;
`
