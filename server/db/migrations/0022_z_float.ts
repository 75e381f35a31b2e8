/**
 * The drawer's opening float on a Z report (issue 14, "End of the day"): the change the drawer
 * held when the day began. The drawer should hold it plus the day's cash sales; without it, a
 * count of the whole drawer showed the float as a difference. 0 for the reports before it: their
 * tills counted the takings only.
 */
export const name = 'z-float'

export const sql = /* sql */ `
ALTER TABLE z_reports ADD COLUMN opening_float bigint NOT NULL DEFAULT 0 CHECK (opening_float >= 0);
`
