/**
 * The parent kiosk (issue 13) as a terminal of its own kind, and the parent's kiosk PIN.
 *
 * - A terminal and the enrolment code it came from are a 'till' (sells, pulls pupil data) or a
 *   'kiosk' (relays the guardian API for parents, holds nothing). Every terminal so far is a till.
 * - A device grant remembers the kiosk that asked for it, so the phone can say where it signs in.
 * - A guardian may choose a PIN for the quicker sign-in at a kiosk (card + PIN); only its scrypt
 *   hash is kept. Failed tries are counted per card number (as sha256: unknown numbers too), and
 *   after a few the card number is locked for a growing while.
 */
export const name = 'kiosk'

export const sql = /* sql */ `
ALTER TABLE terminals ADD COLUMN kind text NOT NULL DEFAULT 'till' CHECK (kind IN ('till', 'kiosk'));
ALTER TABLE enrolment_codes ADD COLUMN kind text NOT NULL DEFAULT 'till' CHECK (kind IN ('till', 'kiosk'));

ALTER TABLE guardian_device_grants ADD COLUMN kiosk_terminal_id text REFERENCES terminals (id);

ALTER TABLE guardians ADD COLUMN pin_hash text;

CREATE TABLE guardian_pin_failures (
  card_hash text PRIMARY KEY,
  failures integer NOT NULL CHECK (failures > 0),
  locked_until timestamptz,
  last_failure_at timestamptz NOT NULL
);
`
