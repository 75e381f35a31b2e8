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

const SELECT_CHANGES = `SELECT id, txid::text AS txid_text, entity, entity_id, payload, origin_terminal, origin_seq FROM changes`

export async function pull(ctx: ServerContext, terminal: Terminal, opts: { cursor: string; limit: number }): Promise<PullResponse> {
  const cursor = parseCursor(opts.cursor)
  const { rows } = await ctx.db.query<ChangeRow>(
    // The text of the txid is named txid_text: ORDER BY resolves a name to an output column
    // first, and sorting by the text ('1000' < '999') would make the cursor skip rows.
    `${SELECT_CHANGES}
      WHERE municipality_id = $1
        AND (txid, id) > ($2::xid8, $3::bigint)
        AND txid < pg_snapshot_xmin(pg_current_snapshot())
      ORDER BY changes.txid, changes.id
      LIMIT $4`,
    [terminal.municipalityId, cursor.txid, cursor.id, opts.limit + 1],
  )
  let page = rows.slice(0, opts.limit)
  let hasMore = rows.length > opts.limit
  if (hasMore) {
    const rest = await restOfPushBatch(ctx, terminal.municipalityId, page.at(-1)!, rows[opts.limit]!)
    if (rest) ({ page, hasMore } = { page: [...page, ...rest.rows], hasMore: rest.hasMore })
  }
  if (!hasMore) await repokeIfHeldBack(ctx, terminal.municipalityId)
  await markSeen(ctx, terminal.id)
  const last = page.at(-1)
  // Every own change row of seq <= ackSeq is in this page or an earlier one: a till's change
  // rows sort in seq order (its pushes take turns on one lock before they get an xid), and a
  // page never ends inside a push batch (`restOfPushBatch`).
  const own = page.filter((r) => r.origin_terminal === terminal.id && r.origin_seq !== null).map((r) => Number(r.origin_seq))
  return {
    changes: page.map(toChange),
    cursor: last ? `${last.txid_text}:${last.id}` : opts.cursor,
    hasMore,
    ackSeq: own.length > 0 ? Math.max(...own) : null,
    serverTime: ctx.clock.now().toISOString(),
  }
}

/**
 * A push batch writes one change row per account with the account's state after the whole
 * batch, acknowledging that account's newest sale of the batch. A page that ended among those
 * rows would acknowledge seqs whose accounts come in the next page: the till would drop the
 * pending sale before it holds the balance that includes it. So a page that would end inside a
 * push batch's rows takes the rest of them (at most MAX_PUSH_MUTATIONS more). Other transactions
 * (a bulk load of thousands of accounts) acknowledge nothing and may be split anywhere.
 */
async function restOfPushBatch(ctx: ServerContext, municipalityId: string, last: ChangeRow, next: ChangeRow): Promise<{ rows: ChangeRow[]; hasMore: boolean } | null> {
  if (last.origin_terminal === null || next.txid_text !== last.txid_text) return null
  const { rows } = await ctx.db.query<ChangeRow>(
    `${SELECT_CHANGES} WHERE municipality_id = $1 AND txid = $2::xid8 AND id > $3::bigint ORDER BY id`,
    [municipalityId, last.txid_text, last.id],
  )
  const end = rows.at(-1) ?? last
  const after = await ctx.db.query<{ more: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM changes
        WHERE municipality_id = $1 AND (txid, id) > ($2::xid8, $3::bigint) AND txid < pg_snapshot_xmin(pg_current_snapshot())
     ) AS more`,
    [municipalityId, end.txid_text, end.id],
  )
  return { rows, hasMore: after.rows[0]?.more ?? false }
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
