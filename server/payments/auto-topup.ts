/**
 * Auto top-up: when a card buys at a till and the balance at the time of the purchase is under
 * 50 kr, the agreed amount is charged to the saved payment card (DESIGN.md).
 *
 * The push transaction only queues a job row (sync/apply-sale.ts, one queued job per account at
 * a time: three quick purchases under 50 kr make one top-up); the worker charges the provider
 * after COMMIT, so a slow provider never holds a sale's locks, and a crash in between leaves a
 * queued job that the next start picks up. The provider call is idempotent on the job id,
 * so a job charged but not yet marked done is charged once, however often it is retried.
 *
 * A provider call that throws (a timeout, a 503) is not a decline: the job stays queued with a
 * next attempt after a growing delay (`retryDelayMs`), the worker goes on with the jobs behind it,
 * and a timer wakes it for the retry. One account's trouble never holds up another's top-up.
 */
import { isWholeKroner } from '../../domain/money'
import { accountHead } from '../money/accounts'
import { audit } from '../platform/audit'
import { recordChange } from '../sync/changes'
import type { ServerContext } from '../platform/context'
import { postLedger } from '../money/ledger'
import { lockEntities, lockKey } from '../money/locks'
import { ok, refuse, type Result } from '../platform/result'
import { write, type Tx } from '../platform/tx'
import type { Clock, Timers } from '../platform/clock'
import type { Sql } from '../db'
import type { DeclineReason } from './provider'

/** øre: "under 50 kr" */
export const AUTO_TOPUP_BELOW = 5000

interface Job {
  id: string
  account_id: string
  amount: number
}

const RETRY_FIRST_MS = 5_000
const RETRY_MAX_MS = 60 * 60_000

/** 5 s, 10 s, 20 s, … up to an hour: a provider outage is retried for as long as it lasts. */
export function retryDelayMs(attempts: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.max(0, attempts - 1))
}

/** The oldest job that is due. */
async function nextJob(ctx: ServerContext, now: Date): Promise<Job | null> {
  // One worker per process. Several instances would claim with FOR UPDATE SKIP LOCKED.
  const { rows } = await ctx.db.query<Job>(
    `SELECT id, account_id, amount FROM topup_jobs
      WHERE status = 'queued' AND (next_attempt_at IS NULL OR next_attempt_at <= $1)
      ORDER BY created_at, id LIMIT 1`,
    [now],
  )
  return rows[0] ?? null
}

/** The provider call threw: try this job again later, the others now. */
async function deferJob(ctx: ServerContext, job: Job, error: unknown): Promise<void> {
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 500)
  await write(ctx, async (tx) => {
    const { rows } = await tx.query<{ attempts: number }>(
      `UPDATE topup_jobs SET attempts = attempts + 1, last_error = $2 WHERE id = $1 AND status = 'queued' RETURNING attempts`,
      [job.id, message],
    )
    if (!rows[0]) return
    await tx.query('UPDATE topup_jobs SET next_attempt_at = $2 WHERE id = $1', [job.id, new Date(tx.now.getTime() + retryDelayMs(rows[0].attempts))])
  })
  ctx.log.warn({ err: error, jobId: job.id, accountId: job.account_id }, 'auto top-up: provider call failed; will retry')
}

async function nextRetryAt(ctx: ServerContext): Promise<Date | null> {
  const { rows } = await ctx.db.query<{ at: Date | null }>(`SELECT min(next_attempt_at) AS at FROM topup_jobs WHERE status = 'queued' AND next_attempt_at IS NOT NULL`)
  return rows[0]?.at ?? null
}

async function agreementOf(ctx: ServerContext, accountId: string) {
  const { rows } = await ctx.db.query<{ status: string; topup_status: string | null; topup_agreement_id: string | null }>(
    'SELECT status, topup_status, topup_agreement_id FROM accounts WHERE id = $1',
    [accountId],
  )
  return rows[0] ?? null
}

async function succeed(ctx: ServerContext, job: Job, providerRef: string): Promise<void> {
  await write(ctx, async (tx) => {
    await lockEntities(tx, [lockKey.account(job.account_id)])
    const claimed = await tx.query(`UPDATE topup_jobs SET status = 'done', finished_at = $2 WHERE id = $1 AND status = 'queued' RETURNING id`, [job.id, tx.now])
    if (claimed.rows.length === 0) return
    const head = await accountHead(tx, job.account_id)
    await tx.query(
      `INSERT INTO payments (id, account_id, kind, amount, provider_ref, status, created_at, updated_at)
       VALUES ($1, $2, 'auto_topup', $3, $4, 'captured', $5, $5)`,
      [job.id, job.account_id, job.amount, providerRef, tx.now],
    )
    const posted = await postLedger(tx, { accountId: job.account_id, kind: 'auto_topup', amount: job.amount, paymentRef: job.id, at: tx.now })
    await audit(tx, {
      municipalityId: head?.municipality_id ?? null,
      actor: 'system:auto-topup',
      action: 'auto-topup.charged',
      entity: 'account',
      entityId: job.account_id,
      details: { amount: job.amount, jobId: job.id, ledgerId: posted.ledgerId },
      at: tx.now,
    })
    await recordChange(tx, 'account', job.account_id)
  })
}

/** The guardian must cancel and make a new agreement (DESIGN.md), so a failure parks it as `failed`. */
async function fail(ctx: ServerContext, job: Job, reason: DeclineReason | 'account-blocked'): Promise<void> {
  await write(ctx, async (tx) => {
    await lockEntities(tx, [lockKey.account(job.account_id)])
    const claimed = await tx.query(`UPDATE topup_jobs SET status = 'failed', failure = $2, finished_at = $3 WHERE id = $1 AND status = 'queued' RETURNING id`, [
      job.id,
      reason,
      tx.now,
    ])
    if (claimed.rows.length === 0) return
    const head = await accountHead(tx, job.account_id)
    await tx.query(`UPDATE accounts SET topup_status = 'failed', topup_updated_at = $2 WHERE id = $1 AND topup_status = 'active'`, [job.account_id, tx.now])
    await audit(tx, {
      municipalityId: head?.municipality_id ?? null,
      actor: 'system:auto-topup',
      action: 'auto-topup.failed',
      entity: 'account',
      entityId: job.account_id,
      details: { amount: job.amount, jobId: job.id, reason },
      at: tx.now,
    })
  })
}

async function runJob(ctx: ServerContext, job: Job): Promise<void> {
  const account = await agreementOf(ctx, job.account_id)
  if (!account || account.status !== 'active') return fail(ctx, job, 'account-blocked')
  if (account.topup_status !== 'active' || !account.topup_agreement_id) return fail(ctx, job, 'agreement-inactive')
  if (!ctx.payments) return
  const charge = await ctx.payments.chargeAgreement({ agreementId: account.topup_agreement_id, amount: job.amount, reference: job.id, idempotencyKey: job.id })
  return charge.ok ? succeed(ctx, job, charge.paymentId) : fail(ctx, job, charge.reason)
}

/**
 * Works off the due jobs; one run at a time per process (`TopupWorker`). Payments off: the jobs
 * wait, queued, for a server with a provider. Returns when the earliest deferred job is due.
 */
export async function processTopups(ctx: ServerContext): Promise<{ done: number; retryAt: Date | null }> {
  let done = 0
  if (ctx.payments) {
    for (let job = await nextJob(ctx, ctx.clock.now()); job; job = await nextJob(ctx, ctx.clock.now())) {
      try {
        await runJob(ctx, job)
        done++
      } catch (error) {
        await deferJob(ctx, job, error)
      }
    }
  }
  return { done, retryAt: ctx.payments ? await nextRetryAt(ctx) : null }
}

/** Coalesces kicks: while a run is going, a kick asks for one more run after it. A deferred job arms a timer. */
export class TopupWorker {
  private running = false
  private again = false
  private timer: { handle: unknown; at: number } | null = null
  private closed = false

  constructor(
    private readonly ctx: () => ServerContext,
    private readonly run: (name: string, fn: () => Promise<void>) => void,
    private readonly clock: Clock,
    private readonly timers: Timers,
  ) {}

  kick(): void {
    if (this.closed) return
    if (this.running) {
      this.again = true
      return
    }
    this.running = true
    this.run('auto-topup', async () => {
      try {
        let retryAt: Date | null = null
        do {
          this.again = false
          ;({ retryAt } = await processTopups(this.ctx()))
        } while (this.again)
        if (retryAt) this.wakeAt(retryAt)
      } finally {
        this.running = false
      }
    })
  }

  private wakeAt(at: Date): void {
    if (this.closed || (this.timer && this.timer.at <= at.getTime())) return
    if (this.timer) this.timers.clearTimeout(this.timer.handle)
    const handle = this.timers.setTimeout(
      () => {
        this.timer = null
        this.kick()
      },
      Math.max(0, at.getTime() - this.clock.now().getTime()),
    )
    this.timer = { handle, at: at.getTime() }
  }

  close(): void {
    this.closed = true
    if (this.timer) this.timers.clearTimeout(this.timer.handle)
    this.timer = null
  }
}

export type AgreementRefusal = 'payments-off' | 'account-unknown' | 'account-blocked' | 'amount-invalid' | DeclineReason

/**
 * A guardian saves a payment card for auto top-up of `amount` (whole kroner, in øre). `check`
 * runs under the account's lock right before the agreement is written (the guardian's link, "one
 * exists already"): the provider is called before it, outside the lock, so a refusal there
 * leaves a saved card at the provider that nothing charges.
 */
export async function createTopupAgreement<R extends string = never>(
  ctx: ServerContext,
  req: { accountId: string; cardToken: string; amount: number; idempotencyKey: string; actor?: string; check?: (tx: Tx) => Promise<R | null> },
): Promise<Result<{ agreementId: string }, AgreementRefusal | R>> {
  if (!ctx.payments) return refuse('payments-off')
  if (!isWholeKroner(req.amount)) return refuse('amount-invalid')
  const { rows } = await ctx.db.query<{ status: string }>('SELECT status FROM accounts WHERE id = $1', [req.accountId])
  if (!rows[0]) return refuse('account-unknown')
  if (rows[0].status !== 'active') return refuse('account-blocked')
  const agreement = await ctx.payments.createAgreement({ cardToken: req.cardToken, reference: req.accountId, idempotencyKey: req.idempotencyKey })
  if (agreement.status === 'declined') return refuse(agreement.declineReason)
  return write(ctx, async (tx) => {
    await lockEntities(tx, [lockKey.account(req.accountId)])
    const head = await accountHead(tx, req.accountId)
    if (!head) return refuse('account-unknown')
    const refusal = (await req.check?.(tx)) ?? null
    if (refusal !== null) return refuse(refusal)
    if (head.status !== 'active') return refuse('account-blocked')
    await tx.query(
      `UPDATE accounts SET topup_agreement_id = $2, topup_amount = $3, topup_status = 'active', topup_updated_at = $4, topup_idempotency_key = $5 WHERE id = $1`,
      [req.accountId, agreement.id, req.amount, tx.now, req.idempotencyKey],
    )
    await audit(tx, {
      municipalityId: head.municipality_id,
      actor: req.actor ?? 'guardian',
      action: 'auto-topup.agreement',
      entity: 'account',
      entityId: req.accountId,
      details: { amount: req.amount, agreementId: agreement.id },
      at: tx.now,
    })
    return ok({ agreementId: agreement.id })
  })
}

/** Why an auto top-up stopped, in the guide's words: the payment card's trouble, or the canteen card blocked. */
export type TopupStopReason = 'card-expired' | 'card-blocked' | 'insufficient-funds' | 'card-declined' | 'account-blocked'

export interface TopupAgreementView {
  /** øre */
  amount: number
  status: 'active' | 'failed' | 'cancelled'
  /** When the agreement got its current status (created, failed, cancelled). */
  since: string
  stoppedBecause: TopupStopReason | null
  /** The guide's remedy for a failed agreement: cancel it and make a new one. */
  remedy: 'cancel-and-create' | null
}

const STOP_REASONS: Record<string, TopupStopReason> = {
  'card-expired': 'card-expired',
  'card-blocked': 'card-blocked',
  'insufficient-funds': 'insufficient-funds',
  'card-declined': 'card-declined',
  'account-blocked': 'account-blocked',
}

/**
 * The account's agreement and, when it stopped or cannot work, why: a blocked canteen card
 * first (an active agreement cannot top up a blocked account either), else the failed charge's
 * reason. A provider's other refusals (an agreement it no longer honours) read as declined.
 */
export async function topupAgreementView(sql: Sql, accountId: string): Promise<TopupAgreementView | null> {
  const { rows } = await sql.query<{ status: 'active' | 'blocked'; topup_status: TopupAgreementView['status'] | null; topup_amount: number | null; topup_updated_at: Date | null }>(
    'SELECT status, topup_status, topup_amount, topup_updated_at FROM accounts WHERE id = $1',
    [accountId],
  )
  const a = rows[0]
  if (!a || a.topup_status === null) return null
  let stoppedBecause: TopupStopReason | null = null
  if (a.topup_status !== 'cancelled' && a.status === 'blocked') stoppedBecause = 'account-blocked'
  else if (a.topup_status === 'failed') {
    const failed = await sql.query<{ failure: string | null }>(
      `SELECT failure FROM topup_jobs WHERE account_id = $1 AND status = 'failed' ORDER BY finished_at DESC NULLS LAST, created_at DESC LIMIT 1`,
      [accountId],
    )
    stoppedBecause = STOP_REASONS[failed.rows[0]?.failure ?? ''] ?? 'card-declined'
  }
  return {
    amount: Number(a.topup_amount),
    status: a.topup_status,
    since: (a.topup_updated_at ?? new Date(0)).toISOString(),
    stoppedBecause,
    remedy: a.topup_status === 'failed' ? 'cancel-and-create' : null,
  }
}

/**
 * Cancels the account's agreement (active or failed): no further charges; a queued job finds it
 * inactive and stops. `check` runs under the account's lock first (the guardian's link).
 * The saved card stays at the provider (the interface has no call to delete it); nothing charges it.
 */
export async function cancelTopupAgreement<R extends string = never>(
  ctx: ServerContext,
  accountId: string,
  actor: string,
  check?: (tx: Tx) => Promise<R | null>,
): Promise<Result<null, 'account-unknown' | 'auto-topup-none' | R>> {
  return write(ctx, async (tx) => {
    await lockEntities(tx, [lockKey.account(accountId)])
    const refusal = (await check?.(tx)) ?? null
    if (refusal !== null) return refuse(refusal)
    const { rows } = await tx.query<{ municipality_id: string; topup_status: string | null; topup_amount: number | null }>(
      'SELECT municipality_id, topup_status, topup_amount FROM accounts WHERE id = $1',
      [accountId],
    )
    const a = rows[0]
    if (!a) return refuse('account-unknown')
    if (a.topup_status === null || a.topup_status === 'cancelled') return refuse('auto-topup-none')
    await tx.query(`UPDATE accounts SET topup_status = 'cancelled', topup_updated_at = $2 WHERE id = $1`, [accountId, tx.now])
    await audit(tx, {
      municipalityId: a.municipality_id,
      actor,
      action: 'auto-topup.cancelled',
      entity: 'account',
      entityId: accountId,
      details: { amount: Number(a.topup_amount), was: a.topup_status },
      at: tx.now,
    })
    return ok(null)
  })
}
