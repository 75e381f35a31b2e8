/**
 * GET /sync/pull: the changes of the till's municipality after its cursor, one page at a time.
 *
 * Order and cursor: (txid, id), where txid is the writing transaction's id. Identity ids are
 * handed out at INSERT, not at COMMIT, so a row with a smaller id can become visible after a
 * reader has moved past it. The guard `txid < pg_snapshot_xmin(pg_current_snapshot())` returns
 * only rows of transactions older than every transaction still running: all of those have
 * finished, and no transaction that is still running (or starts later) can get an xid below that
 * bound. So every row the cursor passes has committed, and nothing can later appear behind it.
 *
 * Price of the guard: a transaction running anywhere in the cluster holds back the rows committed
 * after it began, for every pull, until it ends. Server transactions are short; operations should
 * set idle_in_transaction_session_timeout. When committed rows of this municipality are being held
 * back, the live channel pokes again a little later (`HELD_BACK_REPOKE_MS`), so the till does not
 * wait for its timer to pick up what a poke announced.
 */
import { MAX_PULL_PAGE, type Change, type PullResponse } from '../../domain/sync'
import type { ServerContext } from '../context'
import type { Terminal } from '../enrol'
import { badRequest } from '../errors'

export const DEFAULT_PULL_LIMIT = 1000
export const HELD_BACK_REPOKE_MS = 500
export const START_CURSOR = '0:0'

interface Cursor {
  txid: string
  id: number
}

export function parseCursor(text: string): Cursor {
  const match = /^(\d{1,20}):(\d{1,19})$/.exec(text)
  const id = match ? Number(match[2]) : NaN
  if (!match || !Number.isSafeInteger(id)) throw badRequest(`invalid cursor ${JSON.stringify(text.slice(0, 50))}: expected "<txid>:<id>", start with "${START_CURSOR}"`)
  return { txid: match[1]!, id }
}

interface ChangeRow {
  id: number
  txid_text: string
  entity: Change['entity']
  entity_id: string
  payload: unknown
  origin_terminal: string | null
  origin_seq: number | null
}

function toChange(row: ChangeRow): Change {
  if (row.payload === null) return { entity: row.entity, id: row.entity_id, deleted: true }
  // The payload was validated against the wire schema when it was written (changes.ts).
  return { entity: row.entity, id: row.entity_id, data: row.payload } as Change
}

export async function pull(ctx: ServerContext, terminal: Terminal, opts: { cursor: string; limit: number }): Promise<PullResponse> {
  const cursor = parseCursor(opts.cursor)
  const { rows } = await ctx.db.query<ChangeRow>(
    // The text of the txid is named txid_text: ORDER BY resolves a name to an output column
    // first, and sorting by the text ('1000' < '999') would make the cursor skip rows.
    `SELECT id, txid::text AS txid_text, entity, entity_id, payload, origin_terminal, origin_seq
       FROM changes
      WHERE municipality_id = $1
        AND (txid, id) > ($2::xid8, $3::bigint)
        AND txid < pg_snapshot_xmin(pg_current_snapshot())
      ORDER BY changes.txid, changes.id
      LIMIT $4`,
    [terminal.municipalityId, cursor.txid, cursor.id, opts.limit + 1],
  )
  const page = rows.slice(0, opts.limit)
  if (rows.length <= opts.limit) await repokeIfHeldBack(ctx, terminal.municipalityId)
  await markSeen(ctx, terminal.id)
  const last = page.at(-1)
  // Every own change row of seq <= ackSeq is in this page or an earlier one, because a till's
  // change rows sort in seq order (its pushes take turns on one lock before they get an xid).
  const own = page.filter((r) => r.origin_terminal === terminal.id && r.origin_seq !== null).map((r) => r.origin_seq!)
  return {
    changes: page.map(toChange),
    cursor: last ? `${last.txid_text}:${last.id}` : opts.cursor,
    hasMore: rows.length > opts.limit,
    ackSeq: own.length > 0 ? Math.max(...own) : null,
    serverTime: ctx.clock.now().toISOString(),
  }
}

/** For the back office ("till last seen"); at most one write a minute per till, not one per pull. */
async function markSeen(ctx: ServerContext, terminalId: string): Promise<void> {
  const now = ctx.clock.now()
  await ctx.db.query(
    `UPDATE terminals SET last_seen_at = $2
      WHERE id = $1 AND (last_seen_at IS NULL OR last_seen_at < $2::timestamptz - interval '1 minute')`,
    [terminalId, now],
  )
}

/** Committed rows above the guard: a poke was (or will be) sent for them, but this pull could not deliver them yet. */
async function repokeIfHeldBack(ctx: ServerContext, municipalityId: string): Promise<void> {
  const { rows } = await ctx.db.query<{ held: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM changes WHERE municipality_id = $1 AND txid >= pg_snapshot_xmin(pg_current_snapshot())
     ) AS held`,
    [municipalityId],
  )
  if (rows[0]?.held) setTimeout(() => ctx.feed.committed([municipalityId]), HELD_BACK_REPOKE_MS).unref()
}

export function parseLimit(text: string | undefined): number {
  if (text === undefined || text === '') return DEFAULT_PULL_LIMIT
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1 || n > MAX_PULL_PAGE) throw badRequest(`limit must be an integer from 1 to ${MAX_PULL_PAGE}`)
  return n
}
