/**
 * A guardian's note to the canteen staff ("Besked fra forælder": "no nuts, please"), one per
 * account, shown on the till when the card is scanned. It travels to tills in the account's
 * change row (AccountData.note). NULL: no note; an empty note is stored as NULL, never as ''.
 * At most 200 characters (code points here; the guardian API counts UTF-16 units, never more).
 */
export const name = 'account-note'

export const sql = /* sql */ `
ALTER TABLE accounts ADD COLUMN note text CHECK (char_length(note) BETWEEN 1 AND 200);
`
