/**
 * The change log is pruned (sync/retention.ts). A municipality's horizon is the transaction id
 * below which its change rows may be gone: a till whose cursor is below it starts again from a
 * snapshot (410 resync-required) instead of paging over a hole.
 */
export const name = 'change-retention'

export const sql = /* sql */ `
CREATE TABLE change_horizons (
  municipality_id text PRIMARY KEY REFERENCES municipalities (id),
  txid xid8 NOT NULL,
  pruned_at timestamptz NOT NULL
);
CREATE INDEX changes_created ON changes (municipality_id, created_at);
`
