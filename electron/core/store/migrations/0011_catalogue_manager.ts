/**
 * The manager's catalogue (issue 16): a product's allergens (JSON list of domain/allergens.ts
 * codes) and its scheduled price changes (JSON {locationId: [[fromMs, øre|null], ...]}: the till
 * switches at its own clock, offline too, store/catalog.ts), and a category's colour (`#rrggbb`
 * or NULL). A till built before it pulled products without them, so the pull cursor is cleared:
 * the next sync starts again from a snapshot of the server, which brings every product and
 * category whole (its ackSeq keeps each pending sale counted once). Sales and the outbox are
 * untouched.
 */
export default /* sql */ `
ALTER TABLE products ADD COLUMN allergens TEXT NOT NULL DEFAULT '[]';
ALTER TABLE products ADD COLUMN schedule TEXT NOT NULL DEFAULT '{}';
ALTER TABLE categories ADD COLUMN colour TEXT;

DELETE FROM settings WHERE key = 'pull_cursor';
`
