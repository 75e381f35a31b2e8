/**
 * An order carries the pickup time the parent chose (sync: OrderData.pickupTime, 'HH:MM'
 * Copenhagen wall time; NULL: for the day). The counter sorts by it and the kitchen's list
 * counts per time. A till built before it pulled its orders without times, so the pull cursor
 * is cleared: the next sync starts again from a snapshot of the server, which brings the
 * canteen's orders of today and tomorrow with their times (its ackSeq keeps each pending
 * hand-out counted once). Hand-outs and the outbox are untouched.
 */
export default /* sql */ `
ALTER TABLE orders ADD COLUMN pickup_time TEXT CHECK (pickup_time IS NULL OR pickup_time GLOB '[0-2][0-9]:[0-5][0-9]');

DELETE FROM settings WHERE key = 'pull_cursor';
`
