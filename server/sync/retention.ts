/**
 * Pruning the change log. Every write a till holds appends a full snapshot of the entity
 * (changes.ts), so the log grows with every sale; a till needs only what came after its cursor,
 * and a new till starts from a snapshot (snapshot.ts). So rows older than the retention period
 * are deleted, and the municipality's horizon moves up to the first row kept.
 *
 * The horizon H is the smallest txid among the rows kept: those written within the period, or
 * when a municipality was quiet that long, the rows of its newest transaction (so a till that is
 * current stays current). Every deleted row has txid < H, so a cursor at or above H has missed
 * nothing. A till whose
 * cursor is below H gets 410 resync-required at its next pull and starts again from a snapshot:
 * a till that was away longer than the retention period, or never pulled.
 */
import type { ServerContext } from '../platform/context'
import { write } from '../platform/tx'

/** How long change rows are kept: a till offline for longer than this starts again from a snapshot. */
export const DEFAULT_CHANGE_RETENTION_MS = 30 * 24 * 60 * 60 * 1000

export interface Pruned {
  municipalityId: string
  deleted: number
  horizon: string
}

export async function pruneChanges(ctx: ServerContext, retentionMs = DEFAULT_CHANGE_RETENTION_MS): Promise<Pruned[]> {
  const municipalities = await ctx.db.query<{ id: string }>('SELECT id FROM municipalities ORDER BY id')
  const done: Pruned[] = []
  for (const { id } of municipalities.rows) {
    const pruned = await write(ctx, async (tx) => {
      const cutoff = new Date(tx.now.getTime() - retentionMs)
      // Rows of a transaction still running are never old; the guard keeps the horizon below them.
      const { rows } = await tx.query<{ horizon: string | null }>(
        `SELECT least(
                  coalesce((SELECT min(txid) FROM changes WHERE municipality_id = $1 AND created_at >= $2),
                           (SELECT max(txid) FROM changes WHERE municipality_id = $1)),
                  pg_snapshot_xmin(pg_current_snapshot())
                )::text AS horizon`,
        [id, cutoff],
      )
      const horizon = rows[0]!.horizon
      if (horizon === null) return null
      const deleted = await tx.query<{ n: number }>(
        `WITH gone AS (DELETE FROM changes WHERE municipality_id = $1 AND txid < $2::xid8 RETURNING 1) SELECT count(*)::int AS n FROM gone`,
        [id, horizon],
      )
      const n = deleted.rows[0]!.n
      if (n === 0) return null
      await tx.query(
        `INSERT INTO change_horizons (municipality_id, txid, pruned_at) VALUES ($1, $2::xid8, $3)
         ON CONFLICT (municipality_id) DO UPDATE SET txid = greatest(change_horizons.txid, EXCLUDED.txid), pruned_at = EXCLUDED.pruned_at`,
        [id, horizon, tx.now],
      )
      return { municipalityId: id, deleted: n, horizon }
    })
    if (pruned) {
      ctx.log.info(pruned, 'change log pruned')
      done.push(pruned)
    }
  }
  return done
}

/** The txid below which a municipality's change rows may be gone (null: nothing pruned yet). */
export async function changeHorizon(ctx: ServerContext, municipalityId: string): Promise<bigint | null> {
  const { rows } = await ctx.db.query<{ txid: string }>('SELECT txid::text AS txid FROM change_horizons WHERE municipality_id = $1', [municipalityId])
  return rows[0] ? BigInt(rows[0].txid) : null
}

/** Hourly: a day's worth of rows goes in about 24 small steps, not one big one. */
export const PRUNE_EVERY_MS = 60 * 60 * 1000

/** Prunes at start and then every `everyMs`, one run at a time; `stop` waits for a running one. */
export function startPruning(ctx: ServerContext, opts: { retentionMs: number; everyMs?: number }): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve()
  const run = () => {
    running = running.then(() =>
      pruneChanges(ctx, opts.retentionMs).then(
        () => undefined,
        (err: unknown) => ctx.log.error({ err }, 'pruning the change log failed'),
      ),
    )
  }
  run()
  const timer = setInterval(run, opts.everyMs ?? PRUNE_EVERY_MS)
  timer.unref()
  return {
    async stop() {
      clearInterval(timer)
      await running
    },
  }
}
