/**
 * Applying the `sale.record` mutations of one push batch inside its transaction (sync/push.ts
 * holds the terminal's advisory lock and every account's, has picked the mutations that come
 * next, in seq order, and has parsed each payload: appliers/sale-record.ts).
 *
 * Set-based: the same handful of statements for a batch of one or of five hundred. Read what
 * the sales refer to together with their accounts, decide each sale in seq order in memory,
 * carrying each account's balance and spend from one sale to the next exactly as applying them
 * one by one would, and write it all with one statement per table. The change rows are built
 * from the same state: it is what this transaction commits (the locks keep everyone else out,
 * and the ledger statement's returned balances are checked against it).
 *
 * The server trusts nothing a till sends. Rejected (set aside, with a machine reason the till
 * keeps): what is not a real sale of this till, or what no honest till could have sold: unknown
 * card, card of another account, another canteen, unknown product or staff, a date outside the
 * sane range, a line whose category is not the product's or whose price the canteen's catalogue
 * never had in the days before the sale (prices.ts), a quantity or total over the
 * municipality's caps, a total that is not the sum of its lines, a sale id already recorded.
 * Applied but flagged (sale-flags.ts): a real sale that broke a rule (the food is gone), sold
 * at a price that had already changed (`stale-price`), or dated far from when it arrived
 * (`time-skew`). Its spend counts in the periods of its own date.
 *
 * A cash sale (`payment: 'cash'`, a guest paying at the counter) has no card and no account: it
 * is rejected (`cash-not-allowed`) where the till's canteen does not take cash
 * (locations.cash_allowed), else checked as every sale is (this till's canteen, a sane date,
 * known staff and products, the catalogue's prices, the caps, the total) and recorded, but it
 * touches no ledger, no spend and no account's change rows: its money is in the drawer, and the
 * till's Z report counts it.
 */
import { randomUUID } from 'node:crypto'
import { basketTotal, type AccountView } from '../../domain/checkout'
import type { CardStatus } from '../../domain/enums'
import { PERIOD_KINDS } from '../../domain/periods'
import type { CardSalePayload, SaleRecordPayload } from '../../domain/sync'
import { ACCOUNT_SNAPSHOT_COLUMNS, accountData, recordChanges, type AccountSnapshotRow, type ChangeOrigin } from './changes'
import type { ServerContext } from '../platform/context'
import type { Terminal } from '../enrolment/enrol'
import { postLedgerMany } from '../money/ledger'
import { AUTO_TOPUP_BELOW } from '../payments/auto-topup'
import { spendPeriodsAt } from '../money/spend'
import type { Sql } from '../db'
import type { Tx } from '../platform/tx'
import { AUTO_TOPUP_QUEUED, saleFlags } from './sale-flags'
import type { Checked, MutationOutcome } from './appliers/types'
import { saleCapsOf, type SaleCaps } from './sale-caps'
import { PRICE_HISTORY_ROWS, checkPrice, priceHistoryOf, type PriceHistory } from './prices'

export type SaleMutation = Checked<SaleRecordPayload>

/** A sale dated outside these years is no till's honest clock: rejected (`date-out-of-range`). */
export const SANE_SALE_YEARS = { from: 2000, to: 2099 } as const
/** A sale dated more than this before it reached the server (a long outage, a wrong clock) is flagged `time-skew`. */
export const SKEW_BEFORE_MS = 7 * 24 * 3600_000
/** ... or more than this after it: a till's clock ahead. */
export const SKEW_AFTER_MS = 10 * 60_000


/** A sale id turned up between our check and our insert (another till's push): run the batch again. */
export class SaleRaceError extends Error {
  readonly code = '40001'
  constructor() {
    super('a sale of this batch was recorded by a concurrent push; the batch is retried')
    this.name = 'SaleRaceError'
  }
}

/** A card with its account and holder (the account fields only when the card is this municipality's). */
interface CardRow extends AccountSnapshotRow {
  number: string
  card_status: CardStatus
  topup_status: string | null
  topup_amount: number | null
  topup_queued: boolean
}

interface Refs {
  recorded: Set<string>
  /** The sales' cards, where the card belongs to an account a sale of the batch names. */
  cards: Map<string, CardRow>
  /** The other cards the sales name: whose they are, and in which municipality. */
  otherCards: Map<string, { account_id: string; municipality_id: string }>
  staff: Set<string>
  /** Product id to its category. */
  products: Map<string, string>
  prices: PriceHistory
  caps: SaleCaps
  /** The till's canteen takes cash from guests (locations.cash_allowed, its manager's setting). */
  cashAllowed: boolean
}

/** What the sales refer to, with the accounts behind the cards, in four reads for the whole batch (five when a card is not the named account's). */
async function readRefs(tx: Tx, terminal: Terminal, sales: readonly SaleMutation[]): Promise<Refs> {
  const ps = sales.map((s) => s.payload)
  const cardSales = ps.filter(isCardSale)
  // One after the other: a transaction is one connection.
  const recorded = await tx.query<{ id: string }>('SELECT id::text AS id FROM sales WHERE id = ANY($1::uuid[])', [ps.map((p) => p.saleId)])
  // The account ids are in the condition, so the planner finds accounts by key, not by a scan.
  const cards = await tx.query<CardRow>(
    `SELECT c.number, c.status AS card_status, ${ACCOUNT_SNAPSHOT_COLUMNS}, a.topup_status, a.topup_amount,
            a.topup_status = 'active' AND EXISTS (SELECT 1 FROM topup_jobs j WHERE j.account_id = a.id AND j.status = 'queued') AS topup_queued
       FROM cards c JOIN accounts a ON a.id = c.account_id JOIN holders h ON h.id = a.holder_id
      WHERE c.number = ANY($1::text[]) AND a.id = ANY($2::text[])`,
    [[...new Set(cardSales.map((p) => p.cardNumber))], [...new Set(cardSales.map((p) => p.accountId))]],
  )
  const found = new Map(cards.rows.map((c) => [c.number, { ...c, balance: Number(c.balance) }]))
  // Cards of accounts the sales did not name (rejected below): only whose they are, and where.
  const missing = [...new Set(cardSales.map((p) => p.cardNumber))].filter((n) => !found.has(n))
  const others =
    missing.length === 0
      ? []
      : (
          await tx.query<{ number: string; account_id: string; municipality_id: string }>(
            'SELECT c.number, c.account_id, a.municipality_id FROM cards c JOIN accounts a ON a.id = c.account_id WHERE c.number = ANY($1::text[])',
            [missing],
          )
        ).rows
  const productIds = [...new Set(ps.flatMap((p) => p.lines.map((l) => l.productId)))]
  // One round trip for the staff, the products with their categories and price history at this
  // canteen, the municipality's caps and whether the canteen takes cash: on PGlite a query costs
  // milliseconds whatever it reads.
  const known = await tx.query<{ kind: 'staff' | 'product' | 'prices' | 'settings' | 'cash'; id: string; detail: unknown }>(
    `SELECT 'staff' AS kind, id, NULL::jsonb AS detail FROM staff WHERE municipality_id = $1 AND id = ANY($2::text[])
     UNION ALL
     SELECT 'product', id, to_jsonb(category_id) FROM products WHERE municipality_id = $1 AND id = ANY($3::text[])
     UNION ALL
     ${PRICE_HISTORY_ROWS}
     UNION ALL
     SELECT 'settings', id, settings FROM municipalities WHERE id = $1
     UNION ALL
     SELECT 'cash', id, to_jsonb(cash_allowed) FROM locations WHERE id = $4`,
    [terminal.municipalityId, [...new Set(ps.map((p) => p.staffId))], productIds, terminal.locationId],
  )
  return {
    recorded: new Set(recorded.rows.map((r) => r.id)),
    cards: found,
    otherCards: new Map(others.map((c) => [c.number, c])),
    staff: new Set(known.rows.filter((r) => r.kind === 'staff').map((r) => r.id)),
    products: new Map(known.rows.filter((r) => r.kind === 'product').map((r) => [r.id, String(r.detail)])),
    // Sales of another canteen are rejected: only this till's canteen's prices matter.
    prices: priceHistoryOf(known.rows.filter((r) => r.kind === 'prices')),
    caps: saleCapsOf(known.rows.find((r) => r.kind === 'settings')?.detail),
    cashAllowed: known.rows.find((r) => r.kind === 'cash')?.detail === true,
  }
}

/** Whether the sale's date could come from a till's clock at all (a year 0000 or 9999 could not). */
function saneDate(at: Date): boolean {
  const year = at.getUTCFullYear()
  return year >= SANE_SALE_YEARS.from && year <= SANE_SALE_YEARS.to
}

/** Why a sale is not a real sale of this till, or its card (with the account) and whether a price was stale when it is. */
function rejectionReason(refs: Refs, terminal: Terminal, p: SaleRecordPayload): { reason: string } | { card: CardRow | null; stalePrice: boolean } {
  if (refs.recorded.has(p.saleId)) return { reason: 'duplicate-sale' }
  if (p.locationId !== terminal.locationId) return { reason: 'location-mismatch' }
  const at = new Date(p.at)
  if (!saneDate(at)) return { reason: 'date-out-of-range' }
  let card: CardRow | null = null
  if (isCardSale(p)) {
    card = refs.cards.get(p.cardNumber) ?? null
    const owner = card ? { account_id: card.id, municipality_id: card.municipality_id } : refs.otherCards.get(p.cardNumber)
    // Another municipality's card is as unknown here as a card that does not exist.
    if (!owner || owner.municipality_id !== terminal.municipalityId) return { reason: 'card-unknown' }
    if (!card || owner.account_id !== p.accountId) return { reason: 'account-mismatch' }
  } else if (!refs.cashAllowed) {
    // The canteen's setting, not the till's belief: a till that sells for cash where its manager
    // has not allowed it is set aside, whatever it thought (an old till, a till set by hand).
    return { reason: 'cash-not-allowed' }
  }
  if (!refs.staff.has(p.staffId)) return { reason: 'staff-unknown' }
  if (!p.lines.every((l) => refs.products.has(l.productId))) return { reason: 'product-unknown' }
  if (!p.lines.every((l) => refs.products.get(l.productId) === l.categoryId)) return { reason: 'category-mismatch' }
  if (p.lines.some((l) => l.qty > refs.caps.maxLineQty)) return { reason: 'quantity-too-large' }
  const prices = p.lines.map((l) => checkPrice(refs.prices.get(l.productId), l.unitPrice, at.getTime()))
  if (prices.includes('impossible')) return { reason: 'price-mismatch' }
  if (basketTotal(p.lines) !== p.total) return { reason: 'total-mismatch' }
  if (p.total > refs.caps.maxSaleTotal) return { reason: 'total-too-large' }
  return { card, stalePrice: prices.includes('stale') }
}

/** A card sale (`payment` 'card', or absent: a till older than cash sales). */
export function isCardSale(p: SaleRecordPayload): p is CardSalePayload {
  return p.payment !== 'cash'
}

/** What only the server sees: a price that had already changed, a date far from the sale's arrival. */
function serverFlags(p: SaleRecordPayload, stalePrice: boolean, receivedAt: Date): string[] {
  const skew = new Date(p.at).getTime() - receivedAt.getTime()
  return [...(stalePrice ? ['stale-price'] : []), ...(skew < -SKEW_BEFORE_MS || skew > SKEW_AFTER_MS ? ['time-skew'] : [])]
}

/** The account_spend amounts of `accountIds` in `periods`, keyed "account period". */
async function readSpend(tx: Tx, accountIds: readonly string[], periods: readonly string[]): Promise<Map<string, number>> {
  const { rows } = await tx.query<{ account_id: string; period: string; amount: number }>(
    'SELECT account_id, period, amount FROM account_spend WHERE account_id = ANY($1::text[]) AND period = ANY($2::text[])',
    [accountIds, periods],
  )
  return new Map(rows.map((r) => [`${r.account_id} ${r.period}`, Number(r.amount)]))
}

interface Applied {
  m: SaleMutation
  flags: string[]
  /** The spend periods the sale counts in; none for a cash sale (no account). */
  periods: string[]
}

/** A card sale as applied (the ledger and spend take only those). */
type CardApplied = Applied & { m: Checked<CardSalePayload> }

export async function applySales(ctx: ServerContext, tx: Tx, terminal: Terminal, sales: readonly SaleMutation[]): Promise<MutationOutcome[]> {
  if (sales.length === 0) return []
  // push.ts has locked every account a sale names (appliers/sale-record.ts), before the
  // transaction's first write: the locks order these sales' change rows after every earlier
  // write to the accounts (locks.ts).
  const refs = await readRefs(tx, terminal, sales)

  const outcomes: MutationOutcome[] = []
  const real: { index: number; m: Checked<CardSalePayload>; cardStatus: CardStatus; account: CardRow; stalePrice: boolean }[] = []
  // Cash sales: checked like every sale, then recorded with no account to charge.
  const cash: Applied[] = []
  for (const [index, m] of sales.entries()) {
    const checked = rejectionReason(refs, terminal, m.payload)
    if ('reason' in checked) {
      outcomes.push({ status: 'rejected', reason: checked.reason })
      continue
    }
    // The same sale twice in one batch: the second is a replay.
    refs.recorded.add(m.payload.saleId)
    const p = m.payload
    if (!isCardSale(p) || checked.card === null) {
      const flags = serverFlags(p, checked.stalePrice, tx.now)
      cash.push({ m, flags, periods: [] })
      outcomes.push({ status: 'applied', flags })
      continue
    }
    real.push({ index, m: { seq: m.seq, payload: p }, cardStatus: checked.card.card_status, account: checked.card, stalePrice: checked.stalePrice })
    outcomes.push({ status: 'applied', flags: [] })
  }
  if (real.length === 0) {
    if (cash.length > 0) await insertSales(tx, terminal, cash)
    return outcomes
  }

  // One state per account, shared by its cards (an old card and a new one of the same account).
  const accounts = new Map<string, CardRow>()
  for (const r of real) {
    const shared = accounts.get(r.account.id)
    if (shared) r.account = shared
    else accounts.set(r.account.id, r.account)
  }

  // Copenhagen's offsets are whole hours, so its day, week and month change only on a whole UTC hour.
  const byHour = new Map<string, ReturnType<typeof spendPeriodsAt>>()
  const periodOfSale = real.map((r) => {
    const at = new Date(r.m.payload.at)
    const hour = at.toISOString().slice(0, 13)
    const known = byHour.get(hour)
    if (known) return known
    const p = spendPeriodsAt(at)
    byHour.set(hour, p)
    return p
  })
  const current = spendPeriodsAt(tx.now)
  const nowPeriods = Object.values(current.periods)
  const accountIds = [...accounts.keys()]
  const spent = await readSpend(tx, accountIds, [...new Set([...nowPeriods, ...periodOfSale.flatMap((p) => Object.values(p.periods))])])
  const amount = (accountId: string, period: string) => spent.get(`${accountId} ${period}`) ?? 0

  // Decide in seq order, each sale seeing the account as the sales before it left it.
  const applied: CardApplied[] = []
  const topups: { accountId: string; saleId: string; amount: number }[] = []
  const newestSeq = new Map<string, number>()
  for (const [k, r] of real.entries()) {
    const p = r.m.payload
    const a = r.account
    const { keys, periods } = periodOfSale[k]!
    const before: AccountView = {
      status: a.status,
      balance: a.balance,
      limits: { day: a.limit_day, week: a.limit_week, month: a.limit_month },
      spent: {
        day: { key: keys.day, amount: amount(a.id, periods.day) },
        week: { key: keys.week, amount: amount(a.id, periods.week) },
        month: { key: keys.month, amount: amount(a.id, periods.month) },
      },
      deniedCategoryIds: a.denied_category_ids,
      allowedLocationIds: a.allowed_location_ids,
    }
    const flags = [
      ...saleFlags({ cardStatus: r.cardStatus, account: before, locationId: p.locationId, lines: p.lines, total: p.total, salePeriods: keys }),
      ...serverFlags(p, r.stalePrice, tx.now),
    ]
    applied.push({ m: r.m, flags, periods: PERIOD_KINDS.map((kind) => periods[kind]) })

    // Auto top-up (auto-topup.ts): a purchase while under the threshold queues one charge, one at a time.
    // The answer (not the sale's stored flags: no rule was broken) tells the till, which shows it.
    let queued = false
    if (a.balance < AUTO_TOPUP_BELOW && a.topup_status === 'active' && a.topup_amount !== null && !a.topup_queued) {
      topups.push({ accountId: a.id, saleId: p.saleId, amount: Number(a.topup_amount) })
      a.topup_queued = true
      queued = true
    }
    // A blocked account's top-up is queued to fail on record (auto-topup.ts): nothing to announce.
    const announce = queued && a.status === 'active'
    outcomes[r.index] = { status: 'applied', flags: announce ? [...flags, AUTO_TOPUP_QUEUED] : flags }
    a.balance -= p.total
    for (const period of Object.values(periods)) spent.set(`${a.id} ${period}`, amount(a.id, period) + p.total)
    newestSeq.set(a.id, r.m.seq)
  }

  await insertSales(tx, terminal, [...applied, ...cash])
  const balances = await postLedgerMany(
    tx,
    applied.map(({ m }) => ({ accountId: m.payload.accountId, kind: 'purchase' as const, amount: -m.payload.total, saleId: m.payload.saleId, at: tx.now })),
  )
  for (const [id, a] of accounts) {
    if (balances.get(id) !== a.balance) throw new Error(`push batch: account ${id} has balance ${balances.get(id)} in the database, ${a.balance} by the batch's own count`)
  }
  await addSpend(tx, applied)
  if (topups.length > 0) {
    await tx.query(
      `INSERT INTO topup_jobs (id, account_id, sale_id, amount, created_at)
       SELECT t.id, t.account_id, t.sale_id, t.amount, $5 FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::bigint[]) AS t(id, account_id, sale_id, amount)`,
      [topups.map(() => randomUUID()), topups.map((t) => t.accountId), topups.map((t) => t.saleId), topups.map((t) => t.amount), tx.now],
    )
    tx.afterCommit(ctx.kickTopups)
  }
  // One change row per account, its state after the whole batch, acknowledging the account's
  // newest sale. In seq order of those, so the rows of this batch also sort in seq order.
  const changed = [...newestSeq.entries()].sort((x, y) => x[1] - y[1])
  const snapshots = new Map(
    changed.map(([id]) => {
      const a = accounts.get(id)!
      return [id, { municipalityId: a.municipality_id, data: accountData(a, (period) => amount(id, period), current) }]
    }),
  )
  await recordChanges(
    tx,
    'account',
    changed.map(([id]) => id),
    { origin: changed.map(([, seq]): ChangeOrigin => ({ terminalId: terminal.id, seq })) },
    snapshots,
  )
  return outcomes
}

async function insertSales(tx: Tx, terminal: Terminal, applied: readonly Applied[]): Promise<void> {
  const ps = applied.map(({ m }) => m.payload)
  const inserted = await tx.query<{ id: string }>(
    // Flags travel as one comma-separated text per sale (an array of arrays cannot be ragged).
    `INSERT INTO sales (id, municipality_id, terminal_id, seq, account_id, card_number, location_id, staff_id,
                        total, offline, flags, sold_at, received_at, payment)
     SELECT s.id, $1, $2, s.seq, s.account_id, s.card_number, s.location_id, s.staff_id, s.total, s.offline,
            string_to_array(s.flags, ','), s.sold_at, $3, s.payment
       FROM unnest($4::uuid[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[], $11::boolean[], $12::text[], $13::timestamptz[], $14::text[])
         AS s(id, seq, account_id, card_number, location_id, staff_id, total, offline, flags, sold_at, payment)
     ON CONFLICT (id) DO NOTHING
     RETURNING id`,
    [
      terminal.municipalityId,
      terminal.id,
      tx.now,
      ps.map((p) => p.saleId),
      applied.map(({ m }) => m.seq),
      ps.map((p) => (isCardSale(p) ? p.accountId : null)),
      ps.map((p) => (isCardSale(p) ? p.cardNumber : null)),
      ps.map((p) => p.locationId),
      ps.map((p) => p.staffId),
      ps.map((p) => p.total),
      ps.map((p) => p.offline),
      applied.map(({ flags }) => flags.join(',')),
      ps.map((p) => p.at),
      ps.map((p) => p.payment ?? 'card'),
    ],
  )
  // Checked before the locks, so only a concurrent push of the same sale id gets here.
  if (inserted.rows.length !== applied.length) throw new SaleRaceError()
  await insertSaleLines(tx, ps)
}

/** The lines of recorded sales, numbered from 1 per sale, in one statement (the push benchmark's baseline uses it too). */
export async function insertSaleLines(sql: Sql, sales: readonly SaleRecordPayload[]): Promise<void> {
  const lines = sales.flatMap((p) => p.lines.map((l, i) => ({ saleId: p.saleId, lineNo: i + 1, ...l })))
  await sql.query(
    `INSERT INTO sale_lines (sale_id, line_no, product_id, name, category_id, qty, unit_price)
     SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::int[], $7::bigint[])`,
    [
      lines.map((l) => l.saleId),
      lines.map((l) => l.lineNo),
      lines.map((l) => l.productId),
      lines.map((l) => l.name),
      lines.map((l) => l.categoryId),
      lines.map((l) => l.qty),
      lines.map((l) => l.unitPrice),
    ],
  )
}

async function addSpend(tx: Tx, applied: readonly CardApplied[]): Promise<void> {
  const sums = new Map<string, { accountId: string; period: string; amount: number }>()
  for (const { m, periods } of applied) {
    for (const period of periods) {
      const key = `${m.payload.accountId} ${period}`
      const s = sums.get(key) ?? { accountId: m.payload.accountId, period, amount: 0 }
      s.amount += m.payload.total
      sums.set(key, s)
    }
  }
  const rows = [...sums.values()]
  await tx.query(
    `INSERT INTO account_spend (account_id, period, amount)
     SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
     ON CONFLICT (account_id, period) DO UPDATE SET amount = account_spend.amount + EXCLUDED.amount`,
    [rows.map((r) => r.accountId), rows.map((r) => r.period), rows.map((r) => r.amount)],
  )
}
