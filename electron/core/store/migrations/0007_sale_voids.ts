/**
 * Voids of this till's sales (RPC `sale.void`, handlers/sale-void.ts). One row per voided sale
 * (its primary key), written in the same transaction as the void's outbox row: the sale shows as
 * voided at once, and the void is on its way to the server. The money and the spend the void
 * gives back until the server's state includes it are that outbox row's pending effects (delta,
 * spend), as for every mutation (0003).
 */
export default /* sql */ `
CREATE TABLE sale_voids (
  sale_id TEXT PRIMARY KEY REFERENCES sales(id),
  seq INTEGER NOT NULL UNIQUE REFERENCES outbox(seq),
  reason TEXT NOT NULL,
  authorised_by TEXT NOT NULL,
  cashier_id TEXT NOT NULL,
  voided_at TEXT NOT NULL
) STRICT;
`
