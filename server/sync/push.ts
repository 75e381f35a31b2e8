/**
 * POST /sync/push: apply a till's outbox, exactly once, in seq order.
 *
 * One transaction per push request (at most MAX_PUSH_MUTATIONS): the terminal's advisory lock
 * first (overlapping pushes of one till take turns, and the xids of its change rows follow its
 * seqs), then `last_applied_seq` sorts the batch: already answered (repeat the stored answer),
 * the run of seqs that come next (applied or rejected together, set-based: apply-sale.ts), and
 * a gap (what follows it is not applied: 409 after the run before it has committed).
 * A rejected mutation advances the seq too: an invalid sale is set aside, never blocks the queue.
 *
 * Each mutation is still all-or-nothing: it commits with its batch or not at all, and its
 * answer is stored in the same transaction. Why a batch and not one transaction per mutation
 * (the first design): one commit costs more than applying a sale; a till coming back from a day
 * offline would push at a few hundred sales a second (README "Architecture").
 */
import type { Mutation, MutationResult, PushRequest, PushResponse } from '../../domain/sync'
import type { ServerContext } from '../platform/context'
import type { Sql } from '../db'
import type { Terminal } from '../enrolment/enrol'
import { HttpError, badRequest } from '../platform/errors'
import { lockEntities, lockKey } from '../money/locks'
import { write, type Tx } from '../platform/tx'
import { applySales, type MutationOutcome } from './apply-sale'

type Stop = { kind: 'gap'; lastAppliedSeq: number } | { kind: 'conflict'; seq: number; id: string; storedId: string | null }

interface ResultRow {
  seq: number
  mutation_id: string
  status: 'applied' | 'rejected'
  reason: string | null
  flags: string[]
}

async function lastAppliedSeq(tx: Sql, terminalId: string): Promise<number> {
  const { rows } = await tx.query<{ last_applied_seq: number }>('SELECT last_applied_seq FROM terminals WHERE id = $1', [terminalId])
  const row = rows[0]
  if (!row) throw new Error(`terminal ${terminalId} vanished`)
  return Number(row.last_applied_seq)
}

async function storedResults(tx: Tx, terminalId: string, seqs: readonly number[]): Promise<Map<number, ResultRow>> {
  if (seqs.length === 0) return new Map()
  const { rows } = await tx.query<ResultRow>(
    'SELECT seq, mutation_id, status, reason, flags FROM mutation_results WHERE terminal_id = $1 AND seq = ANY($2::bigint[])',
    [terminalId, seqs],
  )
  return new Map(rows.map((r) => [Number(r.seq), r]))
}

/** Outcomes per mutation kind, in seq order (only sales so far). */
function applyMutations(ctx: ServerContext, tx: Tx, terminal: Terminal, ms: readonly Mutation[]): Promise<MutationOutcome[]> {
  return applySales(
    ctx,
    tx,
    terminal,
    ms.map((m) => ({ seq: m.seq, payload: m.payload })),
  )
}

async function storeAnswers(tx: Tx, terminal: Terminal, ms: readonly Mutation[], outcomes: readonly MutationOutcome[]): Promise<MutationResult[]> {
  const results = ms.map((m, i): MutationResult => {
    const o = outcomes[i]!
    return { seq: m.seq, id: m.id, status: o.status, reason: o.status === 'rejected' ? o.reason : null, flags: o.status === 'applied' ? o.flags : [] }
  })
  await tx.query(
    `INSERT INTO mutation_results (terminal_id, seq, mutation_id, kind, status, reason, flags, created_at)
     SELECT $1, r.seq, r.mutation_id, r.kind, r.status, r.reason, r.flags, $3
       FROM jsonb_to_recordset($2::text::jsonb) AS r(seq bigint, mutation_id uuid, kind text, status text, reason text, flags text[])`,
    [terminal.id, JSON.stringify(results.map((r, i) => ({ seq: r.seq, mutation_id: r.id, kind: ms[i]!.kind, status: r.status, reason: r.reason, flags: r.flags }))), tx.now],
  )
  await tx.query('UPDATE terminals SET last_applied_seq = $2, last_seen_at = $3 WHERE id = $1', [terminal.id, ms.at(-1)!.seq, tx.now])
  return results
}

/** The batch in one transaction: the answers up to the first gap or conflict, and that stop. */
function pushBatch(ctx: ServerContext, terminal: Terminal, ms: readonly Mutation[]): Promise<{ results: MutationResult[]; stop: Stop | null; lastApplied: number }> {
  return write(ctx, async (tx) => {
    await lockEntities(tx, [lockKey.terminal(terminal.id)])
    const last = await lastAppliedSeq(tx, terminal.id)
    const answered = ms.filter((m) => m.seq <= last)
    const stored = await storedResults(tx, terminal.id, answered.map((m) => m.seq))
    const results: MutationResult[] = []
    for (const m of answered) {
      const s = stored.get(m.seq)
      if (!s || s.mutation_id !== m.id) return { results, stop: { kind: 'conflict', seq: m.seq, id: m.id, storedId: s?.mutation_id ?? null }, lastApplied: last }
      results.push({ seq: m.seq, id: m.id, status: s.status, reason: s.reason, flags: s.flags })
    }
    // The run of seqs that come next: last+1, last+2, ...
    const next: Mutation[] = []
    for (const m of ms.slice(answered.length)) {
      if (m.seq !== last + next.length + 1) break
      next.push(m)
    }
    if (next.length > 0) results.push(...(await storeAnswers(tx, terminal, next, await applyMutations(ctx, tx, terminal, next))))
    const gap = answered.length + next.length < ms.length
    return { results, stop: gap ? { kind: 'gap', lastAppliedSeq: last + next.length } : null, lastApplied: last + next.length }
  })
}

export async function push(ctx: ServerContext, terminal: Terminal, req: PushRequest): Promise<PushResponse> {
  for (let i = 1; i < req.mutations.length; i++) {
    if (req.mutations[i]!.seq <= req.mutations[i - 1]!.seq) throw badRequest('mutations must be in strictly increasing seq order')
  }
  const { results, stop, lastApplied } = await pushBatch(ctx, terminal, req.mutations)
  if (stop?.kind === 'gap') {
    const m = req.mutations[results.length]!
    throw new HttpError(409, 'seq-gap', `seq ${m.seq} is not the next one: lastAppliedSeq=${stop.lastAppliedSeq}; push from seq ${stop.lastAppliedSeq + 1}`)
  }
  if (stop?.kind === 'conflict') {
    throw new HttpError(409, 'seq-conflict', `seq ${stop.seq} was already answered for mutation ${stop.storedId ?? '(none)'}, not ${stop.id}: the till's outbox does not match what the server applied`)
  }
  return { lastAppliedSeq: lastApplied, results }
}
