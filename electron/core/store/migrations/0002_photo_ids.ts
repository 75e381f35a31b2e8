/**
 * Sync schema 2: an account names its holder's photo by id; the image is fetched once and kept
 * in `photos` (store/photos.ts). The pulled account rows of schema 1 carry no id, so the pull
 * cursor is cleared: the next sync starts again from a snapshot of the server (its ackSeq keeps
 * each pending sale counted once). Sales and the outbox are untouched.
 */
export default /* sql */ `
ALTER TABLE accounts DROP COLUMN photo;
ALTER TABLE accounts ADD COLUMN photo_id TEXT;

CREATE TABLE photos (
  id TEXT PRIMARY KEY,          -- sha256 (hex) of data, checked when fetched
  data TEXT NOT NULL,           -- data: URL
  fetched_at TEXT NOT NULL
) STRICT;

DELETE FROM settings WHERE key = 'pull_cursor';
`
