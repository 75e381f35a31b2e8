/**
 * Schema 2 of the sync (domain/sync.ts): an account carries its holder's photo by id, the sha256
 * of the photo's data: URL, and a till fetches the image once (GET /sync/photos/:id). The id is
 * computed by Postgres from the photo, so it can never disagree with it.
 *
 * The change log holds what tills pull, so its account rows are rewritten to the new shape.
 */
export const name = 'photo-ids'

export const sql = /* sql */ `
-- IMMUTABLE by our word: convert_to is not (it names an encoding), but UTF-8 does not change.
CREATE FUNCTION photo_id(photo text) RETURNS text LANGUAGE sql IMMUTABLE STRICT
  AS $$ SELECT encode(sha256(convert_to(photo, 'UTF8')), 'hex') $$;
ALTER TABLE holders ADD COLUMN photo_id text GENERATED ALWAYS AS (photo_id(photo)) STORED;
CREATE INDEX holders_photo ON holders (municipality_id, photo_id) WHERE photo_id IS NOT NULL;

UPDATE changes
   SET payload = (payload - 'photo') || jsonb_build_object('photoId', photo_id(payload->>'photo'))
 WHERE entity = 'account' AND payload IS NOT NULL;
`
