import { periodKeys, type PeriodKeys, type PeriodKind } from '../../domain/periods'

/** account_spend.period values: one row per account and Copenhagen day, ISO week and month. */
export type SpendPeriods = Record<PeriodKind, string>

const PREFIX: Record<PeriodKind, string> = { day: 'd:', week: 'w:', month: 'm:' }

export function spendPeriods(keys: PeriodKeys): SpendPeriods {
  return { day: PREFIX.day + keys.day, week: PREFIX.week + keys.week, month: PREFIX.month + keys.month }
}

export function spendPeriodsAt(at: Date): { keys: PeriodKeys; periods: SpendPeriods } {
  const keys = periodKeys(at)
  return { keys, periods: spendPeriods(keys) }
}
