/**
 * Z reports (`day.close`, sync/appliers/day-close.ts): the day's closing report of each till,
 * numbered by the till 1, 2, 3 … without gaps. The primary key (terminal, number) and the unique
 * (terminal, day) are what make a number and a day closable once, whoever pushes what; the
 * applier checks the number follows the terminal's previous one.
 *
 * The till's totals are stored as it sent them, beside the server's own count of the same till
 * and day at the time the report arrived. A mismatch is flagged (`mismatch`), never rejected:
 * the money was taken at the counter, and a person looks at the difference.
 */
export const name = 'z-reports'

export const sql = /* sql */ `
CREATE TABLE z_reports (
  terminal_id text NOT NULL REFERENCES terminals (id),
  number integer NOT NULL CHECK (number >= 1),
  municipality_id text NOT NULL REFERENCES municipalities (id),
  location_id text NOT NULL REFERENCES locations (id),
  day date NOT NULL,
  seq bigint NOT NULL,
  -- The manager who closed the day (staff.id, as the till's session had it).
  closed_by text NOT NULL,
  closed_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  till_totals jsonb NOT NULL,
  server_totals jsonb NOT NULL,
  counted_cash bigint NOT NULL CHECK (counted_cash >= 0),
  expected_cash bigint NOT NULL CHECK (expected_cash >= 0),
  mismatch boolean NOT NULL,
  PRIMARY KEY (terminal_id, number),
  UNIQUE (terminal_id, day),
  UNIQUE (terminal_id, seq)
);
CREATE INDEX z_reports_location ON z_reports (location_id, day);
-- The applier counts a terminal's sales of one day (serverDayTotals): by terminal and time, not all its sales ever.
CREATE INDEX sales_terminal_sold ON sales (terminal_id, sold_at);
`
