/**
 * `day.close`: a till's Z report of one Copenhagen day (issue 14, "End of the day").
 *
 * The server trusts nothing a till sends. The number must follow this terminal's previous Z
 * report exactly (1, 2, 3 …): a gap (`number-gap`) or a number already used (`number-taken`) is
 * rejected, as is a second Z report of a day (`day-already-closed`), a day after the close's own
 * day (`day-in-future`) and a close dated outside the window a till's clock could honestly be off.
 *
 * The totals are compared with the server's own sales of this terminal and day (what it applied:
 * sales it set aside are in neither count). A difference is flagged (`totals-mismatch`) and both
 * sets of totals are stored: the money was taken at the counter, and rejecting the report would
 * only hide the difference from the person who has to look at it. The push loop (sync/push.ts)
 * answers a repeated push from its stored answer, so a Z report is stored exactly once.
 *
 * No locks of its own: the push loop holds the terminal's lock for the whole batch, which is what
 * orders two pushes of the same till, and a Z report writes no account.
 */
import { TZDate } from '@date-fns/tz'
import { CANTEEN_TIME_ZONE, periodKeys } from '../../../domain/periods'
import { DayClosePayload, type DayTotals } from '../../../domain/sync'
import type { Terminal } from '../../enrolment/enrol'
import { audit } from '../../platform/audit'
import type { Tx } from '../../platform/tx'
import { SKEW_AFTER_MS, SKEW_BEFORE_MS } from '../apply-sale'
import { defineApplier, type Checked, type MutationOutcome } from './types'

export type DayCloseRejection = 'number-gap' | 'number-taken' | 'day-already-closed' | 'day-in-future' | 'close-time-out-of-range'

export const TOTALS_MISMATCH = 'totals-mismatch'

/** The instants a Copenhagen day starts and ends (a day of 23 or 25 hours at a DST change). */
export function copenhagenDay(day: string): { from: Date; to: Date } {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  return { from: new Date(new TZDate(y, m - 1, d, CANTEEN_TIME_ZONE).getTime()), to: new Date(new TZDate(y, m - 1, d + 1, CANTEEN_TIME_ZONE).getTime()) }
}

/** The server's own totals of this terminal's sales of the day, by the same rules as the till's report (electron/core/store/reports.ts). */
export async function serverDayTotals(tx: Tx, terminalId: string, day: string): Promise<DayTotals> {
  const { from, to } = copenhagenDay(day)
  const { rows } = await tx.query<Record<keyof DayTotals, string | number>>(
    `WITH day_sales AS (
       SELECT s.total, s.offline, s.payment, EXISTS (SELECT 1 FROM sale_voids v WHERE v.sale_id = s.id) AS voided
         FROM sales s WHERE s.terminal_id = $1 AND s.sold_at >= $2 AND s.sold_at < $3
     ), kept AS (SELECT * FROM day_sales WHERE NOT voided)
     SELECT (SELECT count(*) FROM kept) AS "salesCount",
            (SELECT COALESCE(sum(total), 0) FROM kept) AS "salesAmount",
            (SELECT count(*) FROM day_sales WHERE voided) AS "voidsCount",
            (SELECT COALESCE(sum(total), 0) FROM day_sales WHERE voided) AS "voidsAmount",
            (SELECT count(*) FROM kept WHERE payment = 'card') AS "cardCount",
            (SELECT COALESCE(sum(total), 0) FROM kept WHERE payment = 'card') AS "cardAmount",
            (SELECT count(*) FROM kept WHERE payment = 'cash') AS "cashCount",
            (SELECT COALESCE(sum(total), 0) FROM kept WHERE payment = 'cash') AS "cashAmount",
            (SELECT count(*) FROM kept WHERE offline) AS "offlineCount",
            (SELECT COALESCE(sum(total), 0) FROM kept WHERE offline) AS "offlineAmount"`,
    [terminalId, from, to],
  )
  const r = rows[0]!
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)])) as DayTotals
}

const sameTotals = (a: DayTotals, b: DayTotals): boolean => (Object.keys(b) as (keyof DayTotals)[]).every((k) => a[k] === b[k])

async function previous(tx: Tx, terminalId: string, day: string): Promise<{ lastNumber: number; dayClosed: boolean }> {
  const { rows } = await tx.query<{ last: number | null; closed: boolean }>(
    `SELECT (SELECT max(number) FROM z_reports WHERE terminal_id = $1) AS last,
            EXISTS (SELECT 1 FROM z_reports WHERE terminal_id = $1 AND day = $2::date) AS closed`,
    [terminalId, day],
  )
  return { lastNumber: Number(rows[0]?.last ?? 0), dayClosed: rows[0]?.closed === true }
}

async function applyClose(tx: Tx, terminal: Terminal, m: Checked<DayClosePayload>): Promise<MutationOutcome> {
  const p = m.payload
  const closedAt = new Date(p.closedAt)
  const skew = closedAt.getTime() - tx.now.getTime()
  if (skew > SKEW_AFTER_MS || skew < -SKEW_BEFORE_MS) return { status: 'rejected', reason: 'close-time-out-of-range' }
  if (p.day > periodKeys(closedAt).day) return { status: 'rejected', reason: 'day-in-future' }
  const before = await previous(tx, terminal.id, p.day)
  if (p.number <= before.lastNumber) return { status: 'rejected', reason: 'number-taken' }
  if (p.number !== before.lastNumber + 1) return { status: 'rejected', reason: 'number-gap' }
  if (before.dayClosed) return { status: 'rejected', reason: 'day-already-closed' }

  const own = await serverDayTotals(tx, terminal.id, p.day)
  const mismatch = !sameTotals(p.totals, own) || p.expectedCash !== own.cashAmount
  await tx.query(
    `INSERT INTO z_reports (terminal_id, number, municipality_id, location_id, day, seq, closed_by, closed_at, received_at,
                            till_totals, server_totals, counted_cash, expected_cash, opening_float, mismatch)
     VALUES ($1, $2, $3, $4, $5::date, $6, $7, $8, $9, $10::text::jsonb, $11::text::jsonb, $12, $13, $14, $15)`,
    [
      terminal.id,
      p.number,
      terminal.municipalityId,
      terminal.locationId,
      p.day,
      m.seq,
      p.closedBy,
      closedAt,
      tx.now,
      JSON.stringify(p.totals),
      JSON.stringify(own),
      p.countedCash,
      p.expectedCash,
      p.openingFloat,
      mismatch,
    ],
  )
  await audit(tx, {
    municipalityId: terminal.municipalityId,
    actor: `staff:${p.closedBy}`,
    action: 'day.close',
    entity: 'terminal',
    entityId: terminal.id,
    details: { number: p.number, day: p.day, seq: m.seq, mismatch, countedCash: p.countedCash, expectedCash: p.expectedCash, openingFloat: p.openingFloat },
    at: tx.now,
  })
  return { status: 'applied', flags: mismatch ? [TOTALS_MISMATCH] : [] }
}

export const dayClose = defineApplier<DayClosePayload>({
  schema: DayClosePayload,
  locks: () => [],
  async apply(_ctx, tx, terminal, mutations) {
    const outcomes: MutationOutcome[] = []
    // In seq order, each seeing the Z reports of the ones before it.
    for (const m of mutations) outcomes.push(await applyClose(tx, terminal, m))
    return outcomes
  },
})
