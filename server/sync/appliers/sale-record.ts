/** `sale.record`: a sale a till approved (sync/apply-sale.ts decides and books a run of them set-based). */
import { SaleRecordPayload } from '../../../domain/sync'
import { lockKey } from '../../money/locks'
import { applySales, isCardSale } from '../apply-sale'
import { defineApplier } from './types'

export const saleRecord = defineApplier<SaleRecordPayload>({
  schema: SaleRecordPayload,
  // Every account a sale names, also when the sale turns out not to be real: a lock is cheap, a second round trip is not.
  // A cash sale names no account: it locks nothing (no ledger entry, no spend).
  locks: (_terminal, payloads) => payloads.flatMap((p) => (isCardSale(p) ? [lockKey.account(p.accountId)] : [])),
  apply: applySales,
})
