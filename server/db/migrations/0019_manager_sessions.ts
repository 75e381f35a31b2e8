/**
 * Manager mode (issue 16): a manager unlocks the manager screens at a till with their PIN, and the
 * till then speaks the /manager/* API for them (server/manager/auth.ts).
 *
 * - `manager_sessions`: one row per unlock. The token is shown once and kept only as its sha256.
 *   Bound to the till it was opened at (`terminal_id`) and to the municipality and canteens the
 *   manager had then; a request re-reads the staff row too (retired, role removed: refused).
 *   `expires_at` slides on with each use, never past `created_at` + 8 h (the code says so).
 * - `manager_pin_failures`: wrong PINs per staff member, counted before the PIN is checked, so
 *   parallel guesses are each counted; a staff member with 5 in 15 minutes is locked a while.
 */
export const name = 'manager-sessions'

export const sql = /* sql */ `
CREATE TABLE manager_sessions (
  token_hash text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  staff_id text NOT NULL REFERENCES staff (id),
  terminal_id text NOT NULL REFERENCES terminals (id),
  municipality_id text NOT NULL REFERENCES municipalities (id),
  location_ids text[] NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  ended_at timestamptz,
  CHECK (expires_at >= created_at)
);
CREATE INDEX manager_sessions_staff ON manager_sessions (staff_id);
CREATE INDEX manager_sessions_terminal ON manager_sessions (terminal_id);

CREATE TABLE manager_pin_failures (
  staff_id text PRIMARY KEY REFERENCES staff (id),
  failures integer NOT NULL CHECK (failures >= 0),
  first_failure_at timestamptz NOT NULL,
  locked_until timestamptz
);
`
