/**
 * `report.*`: the end of the day at this till (issue 14), for managers only.
 *
 * Closing is refused while sales or voids wait to be sent (it says how many): the server checks a
 * Z report's totals against its own sales of the till and day, and a Z closed over sales it has not
 * received would be a mismatch by construction. The pending check, the next number, the report and
 * its `day.close` outbox row are one IMMEDIATE transaction: no sale, void or pull can slip in
 * between, and two taps on "close" cannot take two numbers (store/reports.ts).
 */
import type { DayCloseOutcome, ReportResults } from '../api/areas/report'
import { insertZReport, nextZNumber, pendingUploads, reportDays, xReport, zReportOf } from '../store/reports'
import { pruneClosedOutbox } from '../store/outbox'
import type { AreaHandlers } from './area'
import type { HandlerContext } from './context'
import { getNumberSetting, setSetting } from '../store/settings'
import { periodKeys } from '../../../domain/periods'

/** How many days the day picker offers. */
const DAYS_LISTED = 31

export function reportHandlers(ctx: HandlerContext): AreaHandlers<ReportResults> {
  const { db, clock } = ctx
  const today = () => periodKeys(clock.now()).day
  /** The float given, or the one the last close used (a drawer usually starts each day with the same change). */
  const floatOr = (given: number | undefined) => given ?? getNumberSetting(db, 'cash_float', 0)

  return {
    'report.day': ({ day, countedCash, openingFloat }) => {
      const manager = ctx.session.signedIn('manager')
      const d = day ?? today()
      return (
        zReportOf(db, d) ??
        xReport(db, { day: d, tillName: ctx.tillName, at: clock.now().toISOString(), by: { staffId: manager.staffId, name: manager.name }, countedCash: countedCash ?? null, openingFloat: floatOr(openingFloat) })
      )
    },

    'report.close': ({ day, countedCash, openingFloat }) => {
      const manager = ctx.session.signedIn('manager')
      const d = day ?? today()
      // Day keys are YYYY-MM-DD: text order is date order.
      if (d > today()) return { ok: false, reason: 'day-in-future' }
      const outcome = db
        .transaction((): DayCloseOutcome => {
          const closed = zReportOf(db, d)
          if (closed) return { ok: false, reason: 'already-closed', number: closed.number ?? 0 }
          const pending = pendingUploads(db).count
          if (pending > 0) return { ok: false, reason: 'pending-uploads', pending }
          const x = xReport(db, { day: d, tillName: ctx.tillName, at: clock.now().toISOString(), by: { staffId: manager.staffId, name: manager.name }, countedCash, openingFloat: floatOr(openingFloat) })
          const report = { ...x, kind: 'Z' as const, number: nextZNumber(db) }
          insertZReport(db, ctx.ids.uuid(), report, countedCash)
          setSetting(db, 'cash_float', report.cash.float)
          return { ok: true, report: zReportOf(db, d)! }
        })
        .immediate()
      if (outcome.ok) {
        ctx.log('info', 'day closed', { day: d, number: outcome.report.number, by: manager.staffId })
        // The closed day's acknowledged outbox rows are no longer needed in full (store/outbox.ts):
        // the outbox stays small however long the till runs. A failed prune is retried at the next close.
        try {
          const pruned = pruneClosedOutbox(db, d)
          ctx.log('info', 'outbox pruned', { ...pruned })
        } catch (err) {
          ctx.log('warn', 'outbox prune failed', { error: String(err) })
        }
        ctx.sync.kick()
      }
      return outcome
    },

    'report.days': () => {
      ctx.session.signedIn('manager')
      return reportDays(db, DAYS_LISTED)
    },
  }
}
