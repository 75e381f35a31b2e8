/**
 * Applying one `sale.record` mutation inside the push transaction (sync/push.ts holds the
 * terminal's advisory lock and has checked the seq).
 *
 * Rejected (set aside, with a machine reason the till keeps): what is not a real sale of this
 * till: unknown card, card of another account, another canteen, unknown product or staff, a
 * total that is not the sum of its lines, a sale id already recorded.
 * Applied but flagged (sale-flags.ts): a real sale that broke a rule; the food is gone.
 */
import { basketTotal, type AccountView } from '../../domain/checkout'
import type { SaleRecordPayload } from '../../domain/sync'
import { recordChange, type AccountRulesRow, type ChangeOrigin } from '../changes'
import { postLedger } from '../ledger'
import { lockEntities, lockKey } from '../locks'
import { queueAutoTopup } from '../payments/auto-topup'
import { spendPeriodsAt } from '../spend'
import type { Tx } from '../tx'
import type { ServerContext } from '../context'
import type { Terminal } from '../enrol'
import { saleFlags } from './sale-flags'

export type MutationOutcome = { status: 'applied'; flags: string[] } | { status: 'rejected'; reason: string }

const rejected = (reason: string): MutationOutcome => ({ status: 'rejected', reason })

interface CardRow {
  account_id: string
  status: 'active' | 'replaced' | 'lost'
  municipality_id: string
}


/** Checks that need no lock: they read only what this sale refers to. The card when the sale is real. */
async function rejectionReason(tx: Tx, terminal: Terminal, p: SaleRecordPayload): Promise<{ reason: string } | { card: CardRow }> {
  const dup = await tx.query('SELECT 1 FROM sales WHERE id = $1', [p.saleId])
  if (dup.rows.length > 0) return { reason: 'duplicate-sale' }
  if (p.locationId !== terminal.locationId) return { reason: 'location-mismatch' }
  const { rows } = await tx.query<CardRow>(
    `SELECT c.account_id, c.status, a.municipality_id
       FROM cards c JOIN accounts a ON a.id = c.account_id
      WHERE c.number = $1`,
    [p.cardNumber],
  )
  const card = rows[0]
  // Another municipality's card is as unknown here as a card that does not exist.
  if (!card || card.municipality_id !== terminal.municipalityId) return { reason: 'card-unknown' }
  if (card.account_id !== p.accountId) return { reason: 'account-mismatch' }
  const staff = await tx.query('SELECT 1 FROM staff WHERE id = $1 AND municipality_id = $2', [p.staffId, terminal.municipalityId])
  if (staff.rows.length === 0) return { reason: 'staff-unknown' }
  const productIds = [...new Set(p.lines.map((l) => l.productId))]
  const products = await tx.query<{ id: string }>('SELECT id FROM products WHERE municipality_id = $1 AND id = ANY($2::text[])', [
    terminal.municipalityId,
    productIds,
  ])
  if (products.rows.length !== productIds.length) return { reason: 'product-unknown' }
  if (basketTotal(p.lines) !== p.total) return { reason: 'total-mismatch' }
  return { card }
}

async function accountView(tx: Tx, accountId: string, periods: ReturnType<typeof spendPeriodsAt>): Promise<AccountView> {
  const { rows } = await tx.query<AccountRulesRow>(
    `SELECT status, balance, limit_day, limit_week, limit_month, denied_category_ids, allowed_location_ids
       FROM accounts WHERE id = $1`,
    [accountId],
  )
  const a = rows[0]
  if (!a) throw new Error(`account ${accountId} vanished under its lock`)
  const spend = await tx.query<{ period: string; amount: number }>(
    'SELECT period, amount FROM account_spend WHERE account_id = $1 AND period = ANY($2::text[])',
    [accountId, Object.values(periods.periods)],
  )
  const spent = (period: string) => spend.rows.find((r) => r.period === period)?.amount ?? 0
  return {
    status: a.status,
    balance: a.balance,
    limits: { day: a.limit_day, week: a.limit_week, month: a.limit_month },
    spent: {
      day: { key: periods.keys.day, amount: spent(periods.periods.day) },
      week: { key: periods.keys.week, amount: spent(periods.periods.week) },
      month: { key: periods.keys.month, amount: spent(periods.periods.month) },
    },
    deniedCategoryIds: a.denied_category_ids,
    allowedLocationIds: a.allowed_location_ids,
  }
}

/** False when the sale id is already recorded (a replay racing the check in `rejectionReason`). */
async function insertSale(tx: Tx, terminal: Terminal, seq: number, p: SaleRecordPayload, flags: string[]): Promise<boolean> {
  const inserted = await tx.query(
    `INSERT INTO sales (id, municipality_id, terminal_id, seq, account_id, card_number, location_id, staff_id,
                        total, offline, flags, sold_at, received_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::text[], $12, $13)
     ON CONFLICT (id) DO NOTHING
     RETURNING id`,
    [p.saleId, terminal.municipalityId, terminal.id, seq, p.accountId, p.cardNumber, p.locationId, p.staffId, p.total, p.offline, flags, new Date(p.at), tx.now],
  )
  if (inserted.rows.length === 0) return false
  await tx.query(
    `INSERT INTO sale_lines (sale_id, line_no, product_id, name, category_id, qty, unit_price)
     SELECT $1, t.line_no, t.product_id, t.name, t.category_id, t.qty, t.unit_price
       FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::int[], $7::bigint[])
         AS t(line_no, product_id, name, category_id, qty, unit_price)`,
    [
      p.saleId,
      p.lines.map((_, i) => i + 1),
      p.lines.map((l) => l.productId),
      p.lines.map((l) => l.name),
      p.lines.map((l) => l.categoryId),
      p.lines.map((l) => l.qty),
      p.lines.map((l) => l.unitPrice),
    ],
  )
  return true
}

async function addSpend(tx: Tx, accountId: string, periods: string[], amount: number): Promise<void> {
  await tx.query(
    `INSERT INTO account_spend (account_id, period, amount)
     SELECT $1, period, $3 FROM unnest($2::text[]) AS period
     ON CONFLICT (account_id, period) DO UPDATE SET amount = account_spend.amount + EXCLUDED.amount`,
    [accountId, periods, amount],
  )
}

export async function applySale(ctx: ServerContext, tx: Tx, terminal: Terminal, seq: number, p: SaleRecordPayload): Promise<MutationOutcome> {
  const checked = await rejectionReason(tx, terminal, p)
  if ('reason' in checked) return rejected(checked.reason)

  // Still no write in this transaction: the account lock orders this sale's change row after
  // every earlier write to the account (locks.ts).
  await lockEntities(tx, [lockKey.account(p.accountId)])
  const salePeriods = spendPeriodsAt(new Date(p.at))
  const before = await accountView(tx, p.accountId, salePeriods)
  const flags = saleFlags({
    cardStatus: checked.card.status,
    account: before,
    locationId: p.locationId,
    lines: p.lines,
    total: p.total,
    salePeriods: salePeriods.keys,
  })

  if (!(await insertSale(tx, terminal, seq, p, flags))) return rejected('duplicate-sale')
  const posted = await postLedger(tx, { accountId: p.accountId, kind: 'purchase', amount: -p.total, saleId: p.saleId, at: tx.now })
  await addSpend(tx, p.accountId, Object.values(salePeriods.periods), p.total)
  const origin: ChangeOrigin = { terminalId: terminal.id, seq }
  await recordChange(tx, 'account', p.accountId, { origin })
  await queueAutoTopup(tx, { accountId: p.accountId, saleId: p.saleId, balanceBefore: posted.balanceBefore }, ctx.kickTopups)
  return { status: 'applied', flags }
}
