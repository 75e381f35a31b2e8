/**
 * An account carries the child's allergens as a parent marked them (sync: AccountData.allergens):
 * a JSON list of domain/allergens.ts codes, '[]' for none. The till asks the cashier to confirm
 * before selling a product with one of them. A till built before it pulled accounts without
 * them, so the pull cursor is cleared: the next sync starts again from a snapshot of the server,
 * which brings every account's allergens (its ackSeq keeps each pending sale counted once). Until
 * then the till warns about nothing it has not been told. Sales and the outbox are untouched.
 */
export default /* sql */ `
ALTER TABLE accounts ADD COLUMN allergens TEXT NOT NULL DEFAULT '[]';

DELETE FROM settings WHERE key = 'pull_cursor';
`
