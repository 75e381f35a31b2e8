import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decidePurchase, purchaseBreaks, type AccountView, type BasketLine } from './checkout'
import { PERIOD_KINDS, periodKeys, type PeriodKind } from './periods'

// The oracle shares no code with checkout.ts or periods.ts: it keeps every approved sale with its
// instant and adds up, by the platform's own time-zone database (Intl), the sales of the same
// Copenhagen day, ISO week (the same Monday) and calendar month.

const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE
const copenhagen = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Copenhagen', year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short' })
const WEEKDAY = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 } as const

function calendar(t: number): Record<PeriodKind, string> {
  const parts = copenhagen.formatToParts(t)
  const part = (type: string) => parts.find((p) => p.type === type)!.value
  const [y, m, d] = [Number(part('year')), Number(part('month')), Number(part('day'))]
  const monday = new Date(Date.UTC(y, m - 1, d) - WEEKDAY[part('weekday') as keyof typeof WEEKDAY] * DAY)
  return { day: `${y}-${m}-${d}`, week: monday.toISOString().slice(0, 10), month: `${y}-${m}` }
}

/** Starts of the stories: the nights Copenhagen changes to and from summer time, a week 1 that starts in December, a month's end. */
const STARTS = ['2026-03-28T18:00:00Z', '2026-10-24T18:00:00Z', '2026-12-27T18:00:00Z', '2027-01-31T18:00:00Z'].map((s) => Date.parse(s))

type Event =
  | { kind: 'buy'; after: number; lines: BasketLine[] }
  | { kind: 'limit'; after: number; period: PeriodKind; limit: number | null }
  | { kind: 'deposit'; after: number; amount: number }

const line = fc.record({
  productId: fc.constantFrom('p-lunch', 'p-milk', 'p-bun'),
  categoryId: fc.constantFrom('cat-hot', 'cat-drinks'),
  qty: fc.integer({ min: 1, max: 3 }),
  unitPrice: fc.integer({ min: 0, max: 4000 }),
})
// Minutes between events: mostly within a meal, sometimes across a night, a week or a month.
const after = fc.oneof(fc.integer({ min: 0, max: 90 }), fc.integer({ min: 0, max: 3 * 24 * 60 }), fc.integer({ min: 0, max: 40 * 24 * 60 }))
const event: fc.Arbitrary<Event> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('buy' as const), after, lines: fc.array(line, { minLength: 1, maxLength: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('limit' as const), after, period: fc.constantFrom(...PERIOD_KINDS), limit: fc.option(fc.integer({ min: 0, max: 20000 }), { nil: null }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deposit' as const), after, amount: fc.integer({ min: 1, max: 300 }).map((k) => k * 100) }) },
)

describe('the one rule set, over any story', () => {
  it('an online till never approves past a day, week or month limit, nor past the balance (DST nights included)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...STARTS), fc.integer({ min: 0, max: 20000 }), fc.array(event, { maxLength: 40 }), (start, opening, events) => {
        let t = start
        const account: AccountView = {
          status: 'active',
          balance: opening,
          limits: { day: null, week: null, month: null },
          spent: { day: { key: '', amount: 0 }, week: { key: '', amount: 0 }, month: { key: '', amount: 0 } },
          deniedCategoryIds: [],
          allowedLocationIds: null,
        }
        const approved: { at: number; total: number }[] = []
        for (const e of events) {
          t += e.after * MINUTE
          if (e.kind === 'limit') account.limits[e.period] = e.limit
          if (e.kind === 'deposit') account.balance += e.amount
          if (e.kind !== 'buy') continue
          const now = periodKeys(t)
          const q = { card: { status: 'active' as const }, account, locationId: 'loc-1', lines: e.lines, now, overdraftAllowance: 0 }
          const decision = decidePurchase(q)
          // The till's answer is the first rule of the one list.
          expect(decision.ok).toBe(purchaseBreaks(q).length === 0)
          if (!decision.ok) continue
          approved.push({ at: t, total: decision.total })
          // What the till records, as the till does: this period's spend, or a fresh period.
          account.balance -= decision.total
          for (const kind of PERIOD_KINDS) {
            const s = account.spent[kind]
            account.spent[kind] = { key: now[kind], amount: (s.key === now[kind] ? s.amount : 0) + decision.total }
          }
          // The oracle: every approved sale of the same Copenhagen period, added up from scratch.
          const here = calendar(t)
          for (const kind of PERIOD_KINDS) {
            const limit = account.limits[kind]
            const spent = approved.filter((a) => calendar(a.at)[kind] === here[kind]).reduce((sum, a) => sum + a.total, 0)
            if (limit !== null) expect(spent).toBeLessThanOrEqual(limit)
          }
          expect(account.balance).toBeGreaterThanOrEqual(0)
        }
      }),
      { numRuns: 300 },
    )
  })
})
