/**
 * The end of the day (issue 14): the day's report of this till, as an X report (at any time, the
 * day stays open) or a Z report (the day closed: numbered 1, 2, 3 … without gaps, sent to the
 * server as a `day.close` mutation). Managers only.
 *
 * The cash count is blind: the report states the expected cash and the difference only once a
 * count is given (`countedCash`), so the person counting the drawer types what is there, not
 * what the screen says should be.
 */
import { z } from 'zod'
import type { Ore } from '../../../../domain/money'
import { DayKey, type DayTotals } from '../../../../domain/sync'
import { noArgs } from './area'

/** A Copenhagen calendar day, as periodKeys() writes it: 2026-11-24. */
const dayKey = DayKey
/** Øre counted in the drawer: up to a million kroner. */
const countedCash = z.number().int().min(0).max(100_000_000)
/** Øre of change in the drawer when the day began (byttepenge); absent: the float of the last close. */
const openingFloat = z.number().int().min(0).max(100_000_000)

export type { DayTotals }

export interface ReportLine {
  /** The product (byProduct) or the category (byCategory). */
  id: string
  name: string
  qty: number
  amount: Ore
}

export interface ReportVoid {
  saleId: string
  soldAt: string
  voidedAt: string
  total: Ore
  reason: string
  authorisedBy: string
  /** A void the server set aside gave nothing back: it counts as a kept sale, and the report says so. */
  sync: 'pending' | 'sent' | 'rejected'
}

export interface DayReport {
  kind: 'X' | 'Z'
  /** The Z number (a Z report), null for an X report. */
  number: number | null
  day: string
  tillName: string
  /** When this report was made (X) or the day was closed (Z). */
  at: string
  /** The manager who closed the day (Z) or asked for the report (X). */
  by: { staffId: string; name: string }
  totals: DayTotals
  byProduct: ReportLine[]
  byCategory: ReportLine[]
  voids: ReportVoid[]
  /** Sales of the day the server set aside (rejected): the till kept no money for them; not in the totals. */
  rejected: { count: number; amount: Ore }
  /**
   * The drawer. `float`: the change it held when the day began. Blind until counted: `expected`
   * (float + the day's cash sales) and `difference` are null until `counted` is given.
   */
  cash: { float: Ore; counted: Ore | null; expected: Ore | null; difference: Ore | null }
  /** Mutations (sales, voids) still waiting to be sent; a day is closed only at 0. */
  pending: { count: number; oldestAt: string | null }
  /**
   * A Z report only: sales of its day recorded at this till after it was closed (the day's report
   * no longer counts them, and no later Z report will). Null for an X report.
   */
  afterClose: { count: number; amount: Ore } | null
  /** A Z report's own upload: pending, sent (with the server's flags, e.g. totals-mismatch) or rejected with a reason. */
  sync: { status: 'pending' | 'sent' | 'rejected'; reason: string | null; flags: string[] } | null
}

export interface ReportDay {
  day: string
  /** The Z number if the day is closed. */
  number: number | null
  salesCount: number
}

export type DayCloseOutcome =
  | { ok: true; report: DayReport }
  | { ok: false; reason: 'pending-uploads'; pending: number }
  | { ok: false; reason: 'already-closed'; number: number }
  | { ok: false; reason: 'day-in-future' }

export const reportMethods = {
  /** The day's report: its Z report if the day is closed, otherwise an X report as of now. Default: today. */
  'report.day': { input: z.object({ day: dayKey.optional(), countedCash: countedCash.optional(), openingFloat: openingFloat.optional() }).strict() },
  /** Closes the day with the cash counted (the whole drawer, float included): refused while mutations wait to be sent (with how many). */
  'report.close': { input: z.object({ day: dayKey.optional(), countedCash, openingFloat: openingFloat.optional() }).strict() },
  /** Recent days with sales or a Z report, newest first, for choosing a day. */
  'report.days': { input: noArgs },
} as const

export interface ReportResults {
  'report.day': DayReport
  'report.close': DayCloseOutcome
  'report.days': ReportDay[]
}
