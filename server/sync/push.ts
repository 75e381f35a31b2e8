/**
 * POST /sync/push: apply a till's outbox, exactly once, in seq order.
 *
 * Each mutation gets its own transaction: terminal advisory lock first (so overlapping pushes of
 * one till take turns, and the xids of its change rows follow its seqs), then
 * `last_applied_seq` decides: already answered (repeat the stored answer), the next one (apply
 * or reject it, store the answer, advance), or beyond the next (a gap: stop).
 * A rejected mutation advances the seq too: an invalid sale is set aside, never blocks the queue.
 */
import type { Mutation, MutationResult, PushRequest, PushResponse } from '../../domain/sync'
import type { ServerContext } from '../context'
import type { Sql } from '../db'
import type { Terminal } from '../enrol'
import { HttpError, badRequest } from '../errors'
import { lockEntities, lockKey } from '../locks'
import { write, type Tx } from '../tx'
import { applySale, type MutationOutcome } from './apply-sale'

type Step =
  | { kind: 'answered'; result: MutationResult }
  | { kind: 'gap'; lastAppliedSeq: number }
  | { kind: 'conflict'; storedId: string | null }

interface ResultRow {
  mutation_id: string
  status: 'applied' | 'rejected'
  reason: string | null
  flags: string[]
}

async function lastAppliedSeq(tx: Sql, terminalId: string): Promise<number> {
  const { rows } = await tx.query<{ last_applied_seq: number }>('SELECT last_applied_seq FROM terminals WHERE id = $1', [terminalId])
  const row = rows[0]
  if (!row) throw new Error(`terminal ${terminalId} vanished`)
  return row.last_applied_seq
}

async function storedResult(tx: Tx, terminalId: string, seq: number): Promise<ResultRow | null> {
  const { rows } = await tx.query<ResultRow>(
    'SELECT mutation_id, status, reason, flags FROM mutation_results WHERE terminal_id = $1 AND seq = $2',
    [terminalId, seq],
  )
  return rows[0] ?? null
}

function applyMutation(ctx: ServerContext, tx: Tx, terminal: Terminal, m: Mutation): Promise<MutationOutcome> {
  switch (m.kind) {
    case 'sale.record':
      return applySale(ctx, tx, terminal, m.seq, m.payload)
  }
}

async function answer(tx: Tx, terminal: Terminal, m: Mutation, outcome: MutationOutcome): Promise<MutationResult> {
  const result: MutationResult = {
    seq: m.seq,
    id: m.id,
    status: outcome.status,
    reason: outcome.status === 'rejected' ? outcome.reason : null,
    flags: outcome.status === 'applied' ? outcome.flags : [],
  }
  await tx.query(
    `INSERT INTO mutation_results (terminal_id, seq, mutation_id, kind, status, reason, flags, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7::text[], $8)`,
    [terminal.id, m.seq, m.id, m.kind, result.status, result.reason, result.flags, tx.now],
  )
  await tx.query('UPDATE terminals SET last_applied_seq = $2, last_seen_at = $3 WHERE id = $1', [terminal.id, m.seq, tx.now])
  return result
}

async function pushOne(ctx: ServerContext, terminal: Terminal, m: Mutation): Promise<Step> {
  return write(ctx, async (tx) => {
    await lockEntities(tx, [lockKey.terminal(terminal.id)])
    const last = await lastAppliedSeq(tx, terminal.id)
    if (m.seq <= last) {
      const stored = await storedResult(tx, terminal.id, m.seq)
      if (!stored || stored.mutation_id !== m.id) return { kind: 'conflict', storedId: stored?.mutation_id ?? null }
      return { kind: 'answered', result: { seq: m.seq, id: m.id, status: stored.status, reason: stored.reason, flags: stored.flags } }
    }
    if (m.seq > last + 1) return { kind: 'gap', lastAppliedSeq: last }
    const outcome = await applyMutation(ctx, tx, terminal, m)
    return { kind: 'answered', result: await answer(tx, terminal, m, outcome) }
  })
}

export async function push(ctx: ServerContext, terminal: Terminal, req: PushRequest): Promise<PushResponse> {
  for (let i = 1; i < req.mutations.length; i++) {
    if (req.mutations[i]!.seq <= req.mutations[i - 1]!.seq) throw badRequest('mutations must be in strictly increasing seq order')
  }
  const results: MutationResult[] = []
  for (const m of req.mutations) {
    const step = await pushOne(ctx, terminal, m)
    if (step.kind === 'gap') {
      throw new HttpError(409, 'seq-gap', `seq ${m.seq} is not the next one: lastAppliedSeq=${step.lastAppliedSeq}; push from seq ${step.lastAppliedSeq + 1}`)
    }
    if (step.kind === 'conflict') {
      throw new HttpError(409, 'seq-conflict', `seq ${m.seq} was already answered for mutation ${step.storedId ?? '(none)'}, not ${m.id}: the till's outbox does not match what the server applied`)
    }
    results.push(step.result)
  }
  return { lastAppliedSeq: await lastAppliedSeq(ctx.db, terminal.id), results }
}
