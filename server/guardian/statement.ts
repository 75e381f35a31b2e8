/**
 * The account statement a guardian reads at the kiosk ("Kontoudtog"): what the child bought
 * (each sale with its lines, canteen and time), the other money movements (deposits, fees,
 * payouts, …), totals, and the spend per day for the report's chart.
 *
 * A period is whole days of the canteen's calendar (Europe/Copenhagen), both ends included, as
 * the spending limits count them (domain/periods.ts): a purchase at 00:30 local time on 1 March
 * belongs to 1 March, though it is still February in UTC, and a day may have 23 or 25 hours.
 * Purchases are dated by when the till sold them (sales.sold_at); the other movements by when
 * the ledger wrote them. Read only: no lock, no audit.
 */
import { TZDate } from '@date-fns/tz'
import { CANTEEN_TIME_ZONE, periodKeys } from '../../domain/periods'
import type { ServerContext } from '../platform/context'
import { ok, refuse, type Result } from '../platform/result'
import { isLinked } from './accounts'
import type { GuardianPrincipal } from './session'

/** The longest period one statement covers (a leap year), in days. */
export const MAX_STATEMENT_DAYS = 366

export type MovementKind = 'deposit' | 'auto_topup' | 'fee' | 'payout' | 'refund' | 'adjustment'

export interface Statement {
  from: string
  to: string
  purchases: {
    saleId: string
    at: string
    locationName: string
    lines: { name: string; quantity: number; unitPrice: number; total: number }[]
    total: number
    /** Present only when the canteen voided the purchase (its refund is among the movements). */
    voided?: { at: string }
  }[]
  /** Signed øre, as the ledger has them: money in positive, money out negative. A refund names the voided sale. */
  movements: { at: string; kind: MovementKind; amount: number; note: string | null; saleId?: string }[]
  /** Positive øre each: bought (voided purchases not counted); deposited (deposits and automatic top-ups); fees paid; paid out. */
  totals: { spent: number; deposited: number; fees: number; payouts: number }
  /** Every day of the period, in order, zeros included. */
  perDay: { date: string; spent: number }[]
}

interface Period {
  from: string
  to: string
  /** First instant of `from`, and first instant after `to`, in Copenhagen. */
  start: Date
  end: Date
  days: string[]
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const DAY_MS = 86_400_000

/** A calendar date → its UTC midnight (for counting days), or null if there is no such date. */
function calendarDay(text: string): number | null {
  const m = DATE.exec(text)
  if (!m) return null
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const t = Date.UTC(y, mo - 1, d)
  return new Date(t).toISOString().slice(0, 10) === text ? t : null
}

/** The first instant of a calendar day (UTC midnight of that date) in Copenhagen. */
function startOfLocalDay(utcMidnight: number): Date {
  const d = new Date(utcMidnight)
  return new Date(new TZDate(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), CANTEEN_TIME_ZONE).getTime())
}

export function parsePeriod(from: string, to: string): Result<Period, 'period-invalid'> {
  const a = calendarDay(from)
  const b = calendarDay(to)
  if (a === null || b === null || a > b) return refuse('period-invalid')
  const count = (b - a) / DAY_MS + 1
  if (count > MAX_STATEMENT_DAYS) return refuse('period-invalid')
  const days = Array.from({ length: count }, (_, i) => new Date(a + i * DAY_MS).toISOString().slice(0, 10))
  return ok({ from, to, start: startOfLocalDay(a), end: startOfLocalDay(b + DAY_MS), days })
}

interface SaleRow {
  id: string
  sold_at: Date | string
  location_name: string
  total: number | string
  voided_at: Date | string | null
}

interface LineRow {
  sale_id: string
  name: string
  qty: number
  unit_price: number | string
}

interface LedgerRow {
  created_at: Date | string
  kind: MovementKind
  amount: number | string
  note: string | null
  sale_id: string | null
}

const iso = (t: Date | string) => new Date(t).toISOString()

export async function statement(ctx: ServerContext, g: GuardianPrincipal, accountId: string, from: string, to: string): Promise<Result<Statement, 'account-unknown' | 'period-invalid'>> {
  if (!(await isLinked(ctx.db, g, accountId))) return refuse('account-unknown')
  const period = parsePeriod(from, to)
  if (!period.ok) return period
  const { start, end, days } = period.value
  const sales = await ctx.db.query<SaleRow>(
    `SELECT s.id, s.sold_at, l.name AS location_name, s.total, v.voided_at
       FROM sales s JOIN locations l ON l.id = s.location_id LEFT JOIN sale_voids v ON v.sale_id = s.id
      WHERE s.account_id = $1 AND s.sold_at >= $2 AND s.sold_at < $3
      ORDER BY s.sold_at, s.id`,
    [accountId, start, end],
  )
  const lines = await ctx.db.query<LineRow>('SELECT sale_id, name, qty, unit_price FROM sale_lines WHERE sale_id = ANY($1::uuid[]) ORDER BY sale_id, line_no', [
    sales.rows.map((s) => s.id),
  ])
  const ledger = await ctx.db.query<LedgerRow>(
    `SELECT created_at, kind, amount, note, sale_id::text AS sale_id FROM ledger
      WHERE account_id = $1 AND kind <> 'purchase' AND created_at >= $2 AND created_at < $3
      ORDER BY created_at, id`,
    [accountId, start, end],
  )

  const linesOf = new Map<string, Statement['purchases'][number]['lines']>()
  for (const l of lines.rows) {
    const unitPrice = Number(l.unit_price)
    const list = linesOf.get(l.sale_id) ?? []
    list.push({ name: l.name, quantity: l.qty, unitPrice, total: unitPrice * l.qty })
    linesOf.set(l.sale_id, list)
  }
  // A voided purchase stays listed, marked; a refund says which sale it gave back (sync/appliers/sale-void.ts).
  const purchases: Statement['purchases'] = sales.rows.map((s) => ({
    saleId: s.id,
    at: iso(s.sold_at),
    locationName: s.location_name,
    lines: linesOf.get(s.id) ?? [],
    total: Number(s.total),
    ...(s.voided_at === null ? {} : { voided: { at: iso(s.voided_at) } }),
  }))
  const movements: Statement['movements'] = ledger.rows.map((m) => ({
    at: iso(m.created_at),
    kind: m.kind,
    amount: Number(m.amount),
    note: m.note,
    ...(m.kind === 'refund' && m.sale_id !== null ? { saleId: m.sale_id } : {}),
  }))
  // What the child kept: a voided purchase counts neither in the spend nor in a day's bar, as the limits count it.
  const kept = purchases.filter((p) => p.voided === undefined)

  const perDay = new Map(days.map((d) => [d, 0]))
  for (const p of kept) {
    const day = periodKeys(new Date(p.at)).day
    perDay.set(day, (perDay.get(day) ?? 0) + p.total)
  }
  const sum = (kinds: MovementKind[]) => movements.filter((m) => kinds.includes(m.kind)).reduce((n, m) => n + m.amount, 0)
  return ok({
    from,
    to,
    purchases,
    movements,
    totals: {
      spent: kept.reduce((n, p) => n + p.total, 0),
      deposited: sum(['deposit', 'auto_topup']),
      // 0 - x, not -x: no fees is 0, not -0.
      fees: 0 - sum(['fee']),
      payouts: 0 - sum(['payout']),
    },
    perDay: days.map((date) => ({ date, spent: perDay.get(date) ?? 0 })),
  })
}
