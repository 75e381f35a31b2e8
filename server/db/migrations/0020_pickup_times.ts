/**
 * Pickup times (issue 15, the kitchen's list "per pickup time").
 *
 * - `order_settings.pickup_times`: the canteen's pickup times of day, Copenhagen wall time, kept
 *   sorted and unique by server/orders/admin.ts (at most 8, each before `pickup_end`). '{}': the
 *   canteen has no times and an order is for the day, as before.
 * - `orders.pickup_time`: the time the parent chose, one of the canteen's times at checkout;
 *   NULL for an order of a canteen without times (and for every order placed before this).
 *   An order keeps its time when the canteen later changes its list: the kitchen still makes it.
 */
export const name = 'pickup-times'

export const sql = /* sql */ `
ALTER TABLE order_settings ADD COLUMN pickup_times time[] NOT NULL DEFAULT '{}'
  CHECK (cardinality(pickup_times) <= 8 AND array_position(pickup_times, NULL) IS NULL);

ALTER TABLE orders ADD COLUMN pickup_time time;
`
