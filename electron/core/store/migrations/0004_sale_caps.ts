/**
 * A location carries its municipality's caps on one sale (sync: LocationData.saleCaps), so the
 * till refuses a basket the server would reject instead of approving it and letting the server
 * set it aside after the food is gone. NULL: not received yet (an older server): the defaults.
 */
export default /* sql */ `
ALTER TABLE locations ADD COLUMN sale_caps TEXT;
`
