/**
 * Whether guests may pay cash is the canteen's setting, held by the server (its manager sets it)
 * and pulled with the location (sync: LocationData.cashAllowed); the till's own `cash_allowed`
 * setting is dropped, not carried over. 0 until the server says otherwise: a till that has not
 * pulled it is card-only. A till built before it pulled locations without it, so the pull cursor
 * is cleared: the next sync starts again from a snapshot of the server, which brings the
 * canteen's setting (its ackSeq keeps each pending sale counted once). Sales and the outbox are
 * untouched.
 */
export default /* sql */ `
ALTER TABLE locations ADD COLUMN cash_allowed INTEGER NOT NULL DEFAULT 0 CHECK (cash_allowed IN (0, 1));

DELETE FROM settings WHERE key IN ('cash_allowed', 'pull_cursor');
`
