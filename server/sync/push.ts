/**
 * POST /sync/push: apply a till's outbox, exactly once, in seq order.
 *
 * One transaction per push request (at most MAX_PUSH_MUTATIONS): the terminal's advisory lock
 * first (overlapping pushes of one till take turns, and the xids of its change rows follow its
 * seqs), then `last_applied_seq` sorts the batch: already answered (repeat the stored answer,
 * if it is the same request), the run of seqs that come next, and a gap (what follows it is not
 * applied: 409 after the run before it has committed).
 *
 * This file is the exactly-once bookkeeping, and the only one: stored answers with a hash of
 * what they answered, replays, gaps and conflicts. What a mutation does is its kind's applier's
 * (appliers/index.ts), called once per run of same-kind mutations, set-based.
 *
 * One bad mutation never stops anyone. Each payload is checked on its own (an unknown kind or a
 * payload its applier's schema refuses is rejected with a reason); a run whose applier throws
 * is applied again one mutation at a time, each in a savepoint, and only the one that throws is
 * rejected (`apply-failed`). A rejected mutation advances the seq too: it is set aside, never
 * blocks the queue. Only a request that is not a push at all is a 400 (routes.ts).
 *
 * Why a batch and not one transaction per mutation (the first design): one commit costs more
 * than applying a sale; a till coming back from a day offline would push at a few hundred sales
 * a second (README "Architecture").
 */
import type { MutationEnvelope, MutationResult, PushEnvelope, PushResponse } from '../../domain/sync'
import type { ServerContext } from '../platform/context'
import type { Sql } from '../db'
import type { Terminal } from '../enrolment/enrol'
import { HttpError, badRequest } from '../platform/errors'
import { lockEntities, lockKey } from '../money/locks'
import { write, type Tx } from '../platform/tx'
import { applierOf, type Applier, type MutationOutcome } from './appliers'
import { payloadHash } from './payload-hash'

type Stop =
  | { kind: 'gap'; lastAppliedSeq: number }
  | { kind: 'seq-conflict'; seq: number; id: string; storedId: string | null }
  | { kind: 'mutation-conflict'; seq: number; id: string }

interface StoredAnswer {
  seq: number
  mutation_id: string
  status: 'applied' | 'rejected'
  reason: string | null
  flags: string[]
  /** NULL: stored before answers kept a hash (migration 0006); answered as before. */
  payload_hash: string | null
}

/** A mutation of the batch with the hash of what it says. */
interface Incoming extends MutationEnvelope {
  hash: string
}

async function lastAppliedSeq(tx: Sql, terminalId: string): Promise<number> {
  const { rows } = await tx.query<{ last_applied_seq: number }>('SELECT last_applied_seq FROM terminals WHERE id = $1', [terminalId])
  const row = rows[0]
  if (!row) throw new Error(`terminal ${terminalId} vanished`)
  return Number(row.last_applied_seq)
}

async function storedBySeq(tx: Tx, terminalId: string, seqs: readonly number[]): Promise<Map<number, StoredAnswer>> {
  if (seqs.length === 0) return new Map()
  const { rows } = await tx.query<StoredAnswer>(
    'SELECT seq, mutation_id, status, reason, flags, payload_hash FROM mutation_results WHERE terminal_id = $1 AND seq = ANY($2::bigint[])',
    [terminalId, seqs],
  )
  return new Map(rows.map((r) => [Number(r.seq), r]))
}

/** Answers already stored for these mutation ids under any seq of any till of the municipality (a re-sent mutation). */
async function storedById(tx: Tx, terminal: Terminal, ids: readonly string[]): Promise<Map<string, StoredAnswer>> {
  if (ids.length === 0) return new Map()
  const { rows } = await tx.query<StoredAnswer>(
    `SELECT r.seq, r.mutation_id::text AS mutation_id, r.status, r.reason, r.flags, r.payload_hash
       FROM mutation_results r JOIN terminals t ON t.id = r.terminal_id
      WHERE r.mutation_id = ANY($1::uuid[]) AND t.municipality_id = $2 AND r.payload_hash IS NOT NULL`,
    [ids, terminal.municipalityId],
  )
  return new Map(rows.map((r) => [r.mutation_id, r]))
}

/** SQLSTATEs after which write() runs the whole transaction again (platform/tx.ts): never a mutation's fault. */
function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === '40001' || code === '40P01'
}

/**
 * A run of one applier's mutations: set-based in one savepoint, and when that throws, one at a
 * time, each in its own, rejecting only the one that throws. A retryable failure (a deadlock, a
 * concurrent push of the same sale) is the transaction's, not a mutation's: write() retries it.
 */
async function applyRun(ctx: ServerContext, tx: Tx, terminal: Terminal, applier: Applier, run: readonly { seq: number; payload: unknown }[]): Promise<MutationOutcome[]> {
  const attempt = async (savepoint: string, ms: readonly { seq: number; payload: unknown }[]): Promise<MutationOutcome[] | null> => {
    await tx.query(`SAVEPOINT ${savepoint}`)
    try {
      const outcomes = await applier.apply(ctx, tx, terminal, ms)
      await tx.query(`RELEASE SAVEPOINT ${savepoint}`)
      return outcomes
    } catch (error) {
      if (isRetryable(error)) throw error
      await tx.query(`ROLLBACK TO SAVEPOINT ${savepoint}`)
      await tx.query(`RELEASE SAVEPOINT ${savepoint}`)
      ctx.log.warn({ err: error, terminalId: terminal.id, seqs: ms.length === 1 ? ms[0]!.seq : `${ms[0]!.seq}..${ms.at(-1)!.seq}` }, 'push: applying failed')
      return null
    }
  }
  const together = await attempt('push_run', run)
  if (together) return together
  const outcomes: MutationOutcome[] = []
  for (const m of run) outcomes.push(...((await attempt('push_one', [m])) ?? [{ status: 'rejected', reason: 'apply-failed' }]))
  return outcomes
}

/** What becomes of each mutation of the run that comes next, before anything is applied. */
type Plan =
  | { kind: 'answer'; outcome: MutationOutcome }
  | { kind: 'apply'; applier: Applier; payload: unknown }
  /** The same mutation again in this push: the first one's answer. */
  | { kind: 'same-as'; index: number }

async function applyNext(ctx: ServerContext, tx: Tx, terminal: Terminal, next: readonly Incoming[]): Promise<{ results: MutationResult[]; stop: Stop | null }> {
  const byId = await storedById(
    tx,
    terminal,
    next.map((m) => m.id),
  )
  const plans: Plan[] = []
  const firstOf = new Map<string, number>()
  let stop: Stop | null = null
  for (const [i, m] of next.entries()) {
    const stored = byId.get(m.id)
    const earlier = firstOf.get(m.id)
    const sameAs = earlier !== undefined ? next[earlier]!.hash : stored?.payload_hash
    if (sameAs !== undefined && sameAs !== m.hash) {
      stop = { kind: 'mutation-conflict', seq: m.seq, id: m.id }
      break
    }
    firstOf.set(m.id, earlier ?? i)
    if (earlier !== undefined) plans.push({ kind: 'same-as', index: earlier })
    else if (stored) plans.push({ kind: 'answer', outcome: stored.status === 'applied' ? { status: 'applied', flags: stored.flags } : { status: 'rejected', reason: stored.reason ?? 'rejected' } })
    else {
      const applier = applierOf(m.kind)
      const parsed = applier?.parse(m.payload)
      if (!applier || !parsed) plans.push({ kind: 'answer', outcome: { status: 'rejected', reason: 'kind-unknown' } })
      else if (!parsed.ok) plans.push({ kind: 'answer', outcome: { status: 'rejected', reason: parsed.reason } })
      else plans.push({ kind: 'apply', applier, payload: parsed.payload })
    }
  }
  const ms = next.slice(0, plans.length)
  if (ms.length === 0) return { results: [], stop }

  // Every lock of the batch before its first write (locks.ts); the appliers take none.
  await lockEntities(
    tx,
    ms.flatMap((m, i) => {
      const plan = plans[i]!
      return plan.kind === 'apply' ? plan.applier.locks(terminal, [plan.payload]) : []
    }),
  )

  // Runs of one applier in seq order; a mutation answered without applying has no effect to order.
  const outcomes: (MutationOutcome | undefined)[] = plans.map((p) => (p.kind === 'answer' ? p.outcome : undefined))
  let run: { index: number; seq: number; payload: unknown }[] = []
  let runApplier: Applier | null = null
  const flush = async () => {
    if (!runApplier || run.length === 0) return
    const done = await applyRun(ctx, tx, terminal, runApplier, run)
    for (const [k, r] of run.entries()) outcomes[r.index] = done[k]
    run = []
  }
  for (const [i, plan] of plans.entries()) {
    if (plan.kind !== 'apply') continue
    if (plan.applier !== runApplier) await flush()
    runApplier = plan.applier
    run.push({ index: i, seq: ms[i]!.seq, payload: plan.payload })
  }
  await flush()
  for (const [i, plan] of plans.entries()) if (plan.kind === 'same-as') outcomes[i] = outcomes[plan.index]

  return { results: await storeAnswers(tx, terminal, ms, outcomes.map((o) => o!)), stop }
}

async function storeAnswers(tx: Tx, terminal: Terminal, ms: readonly Incoming[], outcomes: readonly MutationOutcome[]): Promise<MutationResult[]> {
  const results = ms.map((m, i): MutationResult => {
    const o = outcomes[i]!
    return { seq: m.seq, id: m.id, status: o.status, reason: o.status === 'rejected' ? o.reason : null, flags: o.status === 'applied' ? o.flags : [] }
  })
  await tx.query(
    `INSERT INTO mutation_results (terminal_id, seq, mutation_id, kind, status, reason, flags, payload_hash, created_at)
     SELECT $1, r.seq, r.mutation_id, r.kind, r.status, r.reason, r.flags, r.payload_hash, $3
       FROM jsonb_to_recordset($2::text::jsonb) AS r(seq bigint, mutation_id uuid, kind text, status text, reason text, flags text[], payload_hash text)`,
    [
      terminal.id,
      JSON.stringify(results.map((r, i) => ({ seq: r.seq, mutation_id: r.id, kind: ms[i]!.kind, status: r.status, reason: r.reason, flags: r.flags, payload_hash: ms[i]!.hash }))),
      tx.now,
    ],
  )
  await tx.query('UPDATE terminals SET last_applied_seq = $2, last_seen_at = $3 WHERE id = $1', [terminal.id, ms.at(-1)!.seq, tx.now])
  return results
}

/** The batch in one transaction: the answers up to the first gap or conflict, and that stop. */
function pushBatch(ctx: ServerContext, terminal: Terminal, ms: readonly Incoming[]): Promise<{ results: MutationResult[]; stop: Stop | null; lastApplied: number }> {
  return write(ctx, async (tx) => {
    await lockEntities(tx, [lockKey.terminal(terminal.id)])
    const last = await lastAppliedSeq(tx, terminal.id)
    const answered = ms.filter((m) => m.seq <= last)
    const stored = await storedBySeq(
      tx,
      terminal.id,
      answered.map((m) => m.seq),
    )
    const results: MutationResult[] = []
    for (const m of answered) {
      const s = stored.get(m.seq)
      if (!s || s.mutation_id !== m.id) return { results, stop: { kind: 'seq-conflict', seq: m.seq, id: m.id, storedId: s?.mutation_id ?? null }, lastApplied: last }
      // The same key with other content is not a replay: answering "applied" would hide that the till's outbox differs.
      if (s.payload_hash !== null && s.payload_hash !== m.hash) return { results, stop: { kind: 'mutation-conflict', seq: m.seq, id: m.id }, lastApplied: last }
      results.push({ seq: m.seq, id: m.id, status: s.status, reason: s.reason, flags: s.flags })
    }
    // The run of seqs that come next: last+1, last+2, ...
    const next: Incoming[] = []
    for (const m of ms.slice(answered.length)) {
      if (m.seq !== last + next.length + 1) break
      next.push(m)
    }
    const applied = next.length > 0 ? await applyNext(ctx, tx, terminal, next) : { results: [], stop: null }
    results.push(...applied.results)
    const lastApplied = last + applied.results.length
    if (applied.stop) return { results, stop: applied.stop, lastApplied }
    const gap = answered.length + next.length < ms.length
    return { results, stop: gap ? { kind: 'gap', lastAppliedSeq: lastApplied } : null, lastApplied }
  })
}

export async function push(ctx: ServerContext, terminal: Terminal, req: PushEnvelope): Promise<PushResponse> {
  for (let i = 1; i < req.mutations.length; i++) {
    if (req.mutations[i]!.seq <= req.mutations[i - 1]!.seq) throw badRequest('mutations must be in strictly increasing seq order')
  }
  const incoming = req.mutations.map((m): Incoming => ({ ...m, hash: payloadHash(m.kind, m.payload) }))
  const { results, stop, lastApplied } = await pushBatch(ctx, terminal, incoming)
  if (stop?.kind === 'gap') {
    const m = req.mutations[results.length]!
    throw new HttpError(409, 'seq-gap', `seq ${m.seq} is not the next one: lastAppliedSeq=${stop.lastAppliedSeq}; push from seq ${stop.lastAppliedSeq + 1}`)
  }
  if (stop?.kind === 'seq-conflict') {
    throw new HttpError(409, 'seq-conflict', `seq ${stop.seq} was already answered for mutation ${stop.storedId ?? '(none)'}, not ${stop.id}: the till's outbox does not match what the server applied`)
  }
  if (stop?.kind === 'mutation-conflict') {
    throw new HttpError(
      409,
      'mutation-conflict',
      `mutation ${stop.id} (seq ${stop.seq}) was already answered with other content; lastAppliedSeq=${lastApplied}: the till's outbox does not match what the server received`,
    )
  }
  return { lastAppliedSeq: lastApplied, results }
}
