/**
 * An account carries its guardian's note to the canteen staff (sync: AccountData.note), shown
 * when the card is scanned. NULL: none. A till built before it pulled accounts without their
 * notes, so the pull cursor is cleared: the next sync starts again from a snapshot of the
 * server, which brings every note (its ackSeq keeps each pending sale counted once). Sales and
 * the outbox are untouched.
 */
export default /* sql */ `
ALTER TABLE accounts ADD COLUMN note TEXT;

DELETE FROM settings WHERE key = 'pull_cursor';
`
