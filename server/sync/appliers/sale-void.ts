/**
 * `sale.void`: a sale of today undone at a till, with a manager's PIN and a reason.
 *
 * The server trusts nothing a till sends: the sale must be one it recorded, of this terminal's
 * municipality and canteen, for the account the void names (the account the push loop locked);
 * the void must be dated on the sale's own Copenhagen day, not before the sale, and within the
 * window a till's clock could honestly be off from the server's; the authoriser must be an
 * active manager of this canteen in the server's own staff records (a till's copy of the staff
 * could be old or forged). A sale is voided once: a second void is rejected `already-voided`,
 * and the push loop (sync/push.ts) answers a repeated push of the same void from its stored
 * answer, never applying it again.
 *
 * Applied, in the push's transaction: the sale_voids row (its primary key is the sale), a ledger
 * 'refund' of the sale's total, the spend of the sale's own day, week and month reduced by it
 * (the limits count what the pupil kept, as the till's pending effects do), an audit entry, and
 * the account's change row, which acknowledges this (till, seq) to the till's next pull.
 *
 * Voids are rare (a handful a day per till): decided one at a time, each reading what the ones
 * before it in the run wrote.
 */
import { periodKeys } from '../../../domain/periods'
import { SaleVoidPayload } from '../../../domain/sync'
import type { Terminal } from '../../enrolment/enrol'
import { postLedger } from '../../money/ledger'
import { lockKey } from '../../money/locks'
import { spendPeriodsAt } from '../../money/spend'
import { audit } from '../../platform/audit'
import type { Tx } from '../../platform/tx'
import { SKEW_AFTER_MS, SKEW_BEFORE_MS } from '../apply-sale'
import { recordChanges } from '../changes'
import { defineApplier, type Checked, type MutationOutcome } from './types'

export type VoidRejection =
  | 'sale-unknown'
  | 'account-mismatch'
  | 'location-mismatch'
  | 'void-time-out-of-range'
  | 'void-before-sale'
  | 'not-same-day'
  | 'not-a-manager'
  | 'already-voided'

/** Another push voided this sale between our check and our insert: run the batch again (40001). */
export class VoidRaceError extends Error {
  readonly code = '40001'
  constructor() {
    super('a void of this batch was recorded by a concurrent push; the batch is retried')
    this.name = 'VoidRaceError'
  }
}

interface SaleRow {
  id: string
  municipality_id: string
  location_id: string
  account_id: string
  total: number | string
  sold_at: Date | string
  voided: boolean
}

async function readSale(tx: Tx, saleId: string): Promise<SaleRow | null> {
  const { rows } = await tx.query<SaleRow>(
    `SELECT s.id::text AS id, s.municipality_id, s.location_id, s.account_id, s.total, s.sold_at,
            EXISTS (SELECT 1 FROM sale_voids v WHERE v.sale_id = s.id) AS voided
       FROM sales s WHERE s.id = $1`,
    [saleId],
  )
  return rows[0] ?? null
}

/** Whether `staffId` is, in the server's own records, an active manager of this terminal's canteen. */
async function isManagerHere(tx: Tx, terminal: Terminal, staffId: string): Promise<boolean> {
  const { rows } = await tx.query<{ ok: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM staff
        WHERE id = $1 AND municipality_id = $2 AND active AND 'manager' = ANY(roles) AND $3 = ANY(location_ids)
     ) AS ok`,
    [staffId, terminal.municipalityId, terminal.locationId],
  )
  return rows[0]?.ok === true
}

/** Why this void is not one the server applies, or null. */
function rejection(terminal: Terminal, p: SaleVoidPayload, sale: SaleRow | null, now: Date): VoidRejection | null {
  // Another municipality's sale is as unknown here as a sale that does not exist.
  if (!sale || sale.municipality_id !== terminal.municipalityId) return 'sale-unknown'
  if (sale.location_id !== terminal.locationId) return 'location-mismatch'
  if (sale.account_id !== p.accountId) return 'account-mismatch'
  const voidedAt = new Date(p.voidedAt)
  const skew = voidedAt.getTime() - now.getTime()
  if (skew > SKEW_AFTER_MS || skew < -SKEW_BEFORE_MS) return 'void-time-out-of-range'
  const soldAt = new Date(sale.sold_at)
  if (voidedAt.getTime() < soldAt.getTime()) return 'void-before-sale'
  if (periodKeys(voidedAt).day !== periodKeys(soldAt).day) return 'not-same-day'
  if (sale.voided) return 'already-voided'
  return null
}

async function applyVoid(tx: Tx, terminal: Terminal, m: Checked<SaleVoidPayload>): Promise<MutationOutcome> {
  const p = m.payload
  const sale = await readSale(tx, p.saleId)
  const refused = rejection(terminal, p, sale, tx.now) ?? ((await isManagerHere(tx, terminal, p.authorisedBy)) ? null : 'not-a-manager')
  if (refused) return { status: 'rejected', reason: refused }
  const s = sale!
  const total = Number(s.total)

  const inserted = await tx.query(
    `INSERT INTO sale_voids (sale_id, municipality_id, terminal_id, seq, authorised_by, reason, amount, voided_at, received_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (sale_id) DO NOTHING
     RETURNING sale_id`,
    [s.id, terminal.municipalityId, terminal.id, m.seq, p.authorisedBy, p.reason, total, p.voidedAt, tx.now],
  )
  // Checked above under the account's lock, so only a concurrent push of the same void gets here.
  if (inserted.rows.length !== 1) throw new VoidRaceError()

  // A sale of 0 kr moved no money: nothing to refund (a refund entry is positive by the ledger's check).
  if (total > 0) await postLedger(tx, { accountId: s.account_id, kind: 'refund', amount: total, saleId: s.id, at: tx.now })
  const { periods } = spendPeriodsAt(new Date(s.sold_at))
  await tx.query('UPDATE account_spend SET amount = amount - $3 WHERE account_id = $1 AND period = ANY($2::text[])', [
    s.account_id,
    Object.values(periods),
    total,
  ])
  await audit(tx, {
    municipalityId: terminal.municipalityId,
    actor: `staff:${p.authorisedBy}`,
    action: 'sale.void',
    entity: 'sale',
    entityId: s.id,
    details: { reason: p.reason, amount: total, accountId: s.account_id, terminalId: terminal.id, seq: m.seq, voidedAt: p.voidedAt },
    at: tx.now,
  })
  // The account as this transaction leaves it, acknowledging this void's seq to the till's pull.
  await recordChanges(tx, 'account', [s.account_id], { origin: { terminalId: terminal.id, seq: m.seq } })
  return { status: 'applied', flags: [] }
}

export const saleVoid = defineApplier<SaleVoidPayload>({
  schema: SaleVoidPayload,
  locks: (_terminal, payloads) => payloads.map((p) => lockKey.account(p.accountId)),
  async apply(_ctx, tx, terminal, mutations) {
    const outcomes: MutationOutcome[] = []
    for (const m of mutations) outcomes.push(await applyVoid(tx, terminal, m))
    return outcomes
  },
})
