/**
 * A mutation kind's applier: how one kind of outbox row (a sale, a void, a hand-out, a day
 * close, ...) is checked and applied. The push loop (sync/push.ts) owns the exactly-once
 * bookkeeping (last_applied_seq, stored answers and their hashes, replays, gaps, conflicts) and
 * calls the applier of each run of same-kind mutations inside its transaction; an applier only
 * decides and writes its mutations' effects.
 */
import type { z } from 'zod'
import type { Terminal } from '../../enrolment/enrol'
import type { ServerContext } from '../../platform/context'
import type { Tx } from '../../platform/tx'

/** A mutation's answer. Rejected: set aside with a machine reason the till keeps and shows. */
export type MutationOutcome = { status: 'applied'; flags: string[] } | { status: 'rejected'; reason: string }

/** A mutation whose payload its applier's schema accepted. */
export interface Checked<P> {
  seq: number
  payload: P
}

export interface Applier {
  /** The payload on its own: parsed, or why not (the mutation's rejection reason). */
  parse(payload: unknown): { ok: true; payload: unknown } | { ok: false; reason: string }
  /**
   * The advisory lock keys (money/locks.ts) of what these mutations may write. The push loop
   * takes every key of the batch before the transaction's first write, so an applier never
   * locks by itself: when a batch falls back to one mutation at a time, earlier writes exist.
   */
  locks(terminal: Terminal, payloads: readonly unknown[]): string[]
  /**
   * One outcome per mutation, in order, decided in seq order (each seeing what those before it
   * did). May throw: the push loop then retries the run one mutation at a time, each in a
   * savepoint, and rejects only the one that throws (`apply-failed`).
   */
  apply(ctx: ServerContext, tx: Tx, terminal: Terminal, mutations: readonly Checked<unknown>[]): Promise<MutationOutcome[]>
}

export interface ApplierOf<P> {
  schema: z.ZodType<P>
  locks(terminal: Terminal, payloads: readonly P[]): string[]
  apply(ctx: ServerContext, tx: Tx, terminal: Terminal, mutations: readonly Checked<P>[]): Promise<MutationOutcome[]>
}

const MAX_REASON = 200

/** `invalid-payload: lines.0.name: contains a control character` (the first problem; reasons are short). */
function invalidReason(error: z.ZodError): string {
  const issue = error.issues[0]
  const where = issue ? `${issue.path.join('.') || '(payload)'}: ${issue.message}` : 'unknown'
  return `invalid-payload: ${where}`.slice(0, MAX_REASON)
}

/**
 * An Applier from a typed one. The casts are sound because push.ts hands `apply` and `locks`
 * only payloads that this applier's own `parse` returned.
 */
export function defineApplier<P>(a: ApplierOf<P>): Applier {
  return {
    parse(payload) {
      const parsed = a.schema.safeParse(payload)
      return parsed.success ? { ok: true, payload: parsed.data } : { ok: false, reason: invalidReason(parsed.error) }
    },
    locks: (terminal, payloads) => a.locks(terminal, payloads as readonly P[]),
    apply: (ctx, tx, terminal, mutations) => a.apply(ctx, tx, terminal, mutations as readonly Checked<P>[]),
  }
}
