/**
 * Pending effects per outbox row. Until now the till found the spend a pending sale adds to its
 * day/week/month totals by joining `sales`; voids, order hand-outs and day closes will be outbox
 * rows without a sale of their own. Each row now carries what it does to the account until the
 * server's state includes it: `delta` (balance, already there), `spend` (added to the period
 * totals of its keys; a void will subtract) and whether it was made offline (the per-till
 * offline cap counts those). Existing rows take theirs from their sale: an old till keeps
 * counting its pending sales' spend after the upgrade.
 */
export default /* sql */ `
ALTER TABLE outbox ADD COLUMN spend INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN day_key TEXT;
ALTER TABLE outbox ADD COLUMN week_key TEXT;
ALTER TABLE outbox ADD COLUMN month_key TEXT;
ALTER TABLE outbox ADD COLUMN offline INTEGER NOT NULL DEFAULT 0;

UPDATE outbox SET spend = s.total, day_key = s.day_key, week_key = s.week_key, month_key = s.month_key, offline = s.offline
  FROM sales s WHERE s.seq = outbox.seq;
`
