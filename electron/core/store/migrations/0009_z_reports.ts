/**
 * Z reports (issue 14, "End of the day"): one row per closed day of this till, numbered 1, 2, 3 …
 * without gaps. The number is the primary key, and the trigger refuses any number but the next
 * one: a gap (a number skipped by a bug or a hand edit) cannot be written, not even by code that
 * forgot to ask for the next number. One Z report per Copenhagen day (`day_key` UNIQUE), and its
 * `day.close` outbox row (`seq`) carries it to the server.
 *
 * `report` is the report exactly as it was closed (JSON, store/reports.ts `DayReport`): printed
 * and exported again later, it says what it said on the day, whatever was pruned or synced since.
 */
export default /* sql */ `
CREATE TABLE z_reports (
  number INTEGER PRIMARY KEY CHECK (number >= 1),
  day_key TEXT NOT NULL UNIQUE,
  -- No foreign key: acknowledged outbox rows of a closed day may be pruned; the Z report stays.
  seq INTEGER NOT NULL UNIQUE,
  closed_at TEXT NOT NULL,
  closed_by TEXT NOT NULL,
  counted_cash INTEGER NOT NULL CHECK (counted_cash >= 0),
  expected_cash INTEGER NOT NULL,
  report TEXT NOT NULL
) STRICT;

-- The day's report reads the day's sales by their Copenhagen day, not the whole history.
CREATE INDEX sales_day ON sales(day_key);

CREATE TRIGGER z_reports_no_gap BEFORE INSERT ON z_reports
WHEN NEW.number <> (SELECT COALESCE(MAX(number), 0) + 1 FROM z_reports)
BEGIN
  SELECT RAISE(ABORT, 'z_reports: a Z number must follow the previous one without a gap');
END;

CREATE TRIGGER z_reports_keep BEFORE UPDATE ON z_reports
BEGIN
  SELECT RAISE(ABORT, 'z_reports: a closed Z report is never changed');
END;

CREATE TRIGGER z_reports_no_delete BEFORE DELETE ON z_reports
BEGIN
  SELECT RAISE(ABORT, 'z_reports: a closed Z report is never deleted');
END;
`
