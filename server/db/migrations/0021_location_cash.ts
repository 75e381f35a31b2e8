/**
 * Whether guests may pay cash at a canteen (issue 14, "Guests pay cash where the canteen allows
 * it"): the canteen's setting, held here and set by its manager (manager/canteen.ts). It travels
 * to the canteen's tills with the location (LocationData.cashAllowed), and the push rejects a
 * cash sale of a canteen that does not allow it (`cash-not-allowed`), whatever a till believes.
 * Off until a manager allows it: the till's own setting it replaces is not carried over.
 */
export const name = 'location-cash'

export const sql = /* sql */ `
ALTER TABLE locations ADD COLUMN cash_allowed boolean NOT NULL DEFAULT false;
`
