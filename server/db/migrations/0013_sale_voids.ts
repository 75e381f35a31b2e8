/**
 * Voids (`sale.void`, sync/appliers/sale-void.ts): a sale of today undone at the till that made
 * it, with a manager's authority and a reason. One row per voided sale: the primary key is what
 * makes a sale voidable once, however often and from wherever the void is pushed. The money goes
 * back through the ledger (a 'refund' entry with the sale's id); this table says which sale, why,
 * who allowed it, and which pushed mutation did it.
 */
export const name = 'sale-voids'

export const sql = /* sql */ `
CREATE TABLE sale_voids (
  sale_id uuid PRIMARY KEY REFERENCES sales (id),
  municipality_id text NOT NULL REFERENCES municipalities (id),
  terminal_id text NOT NULL REFERENCES terminals (id),
  seq bigint NOT NULL,
  -- The manager whose PIN the till checked (staff.id; checked as a manager when applied).
  authorised_by text NOT NULL,
  reason text NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 200),
  amount bigint NOT NULL CHECK (amount >= 0),
  voided_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (terminal_id, seq)
);
`
