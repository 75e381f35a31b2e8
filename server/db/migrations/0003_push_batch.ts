/**
 * A push batch asks, for every account it books, whether an auto top-up is already queued
 * (sync/apply-sale.ts): without this index that is a scan of every job ever run, per account.
 */
export const name = 'push-batch'

export const sql = /* sql */ `
CREATE INDEX topup_jobs_account_queued ON topup_jobs (account_id) WHERE status = 'queued';
`
