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
import { MAX_PULL_PAGE, MAX_PULL_PAGE_BYTES, SCHEMA_VERSION, type PullResponse } from '../../domain/sync'
import type { ServerContext } from '../platform/context'
import type { Terminal } from '../enrolment/enrol'
import { HttpError, badRequest } from '../platform/errors'
import { changeHorizon } from './retention'

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

const formatCursor = (c: Cursor) => `${c.txid}:${c.id}`

/** The rows after the cursor ($1 municipality, $2 txid, $3 id) whose transactions have all finished (see the top of this file). */
const VISIBLE_AFTER = `municipality_id = $1 AND (txid, id) > ($2::xid8, $3::bigint) AND txid < pg_snapshot_xmin(pg_current_snapshot())`

/**
 * The answer to a pull: the PullResponse as JSON text. The payloads are stored as the wire
 * carries them (validated when written, changes.ts), so the database writes them into the page
 * as JSON text and the server never parses and re-serialises 5,000 entities per page.
 */
export interface PullOptions {
  cursor: string
  limit: number
  maxBytes?: number
  /** The sync schema the till speaks (default: the current one); schema 1 gets photos inline. */
  schema?: number
}

export async function pull(ctx: ServerContext, terminal: Terminal, opts: PullOptions): Promise<string> {
  const cursor = parseCursor(opts.cursor)
  const horizon = await changeHorizon(ctx, terminal.municipalityId)
  if (horizon !== null && BigInt(cursor.txid) < horizon) {
    throw new HttpError(410, 'resync-required', 'the change log before this cursor has been pruned: start again from GET /sync/snapshot')
  }
  const limit = await rowsWithin(ctx, terminal.municipalityId, cursor, opts.limit, opts.maxBytes ?? MAX_PULL_PAGE_BYTES)
  const { last, hasMore } = await pageEnd(ctx, terminal.municipalityId, cursor, limit)
  if (!hasMore) await repokeIfHeldBack(ctx, terminal.municipalityId)
  await markSeen(ctx, terminal.id)
  const page = last ? await pageChanges(ctx, terminal, cursor, last, opts.schema ?? SCHEMA_VERSION) : { changes: null, orders: null, ack_seq: null }
  const rest: Omit<PullResponse, 'changes' | 'orders'> = {
    cursor: last ? formatCursor(last) : opts.cursor,
    hasMore,
    ackSeq: page.ack_seq,
    serverTime: ctx.clock.now().toISOString(),
  }
  // `orders` only when the page has some: a page without is the same answer as before orders.
  return `{"changes":${page.changes ?? '[]'},${page.orders ? `"orders":${page.orders},` : ''}${JSON.stringify(rest).slice(1)}`
}

/**
 * How many of the next `limit` rows fit in `maxBytes` of stored payload (at least one). A product
 * row carries its image (up to 200 KB): 5,000 of them would be a gigabyte for the till to parse
 * and hold at once. The size is what Postgres stores (compressed), a cheap estimate.
 */
async function rowsWithin(ctx: ServerContext, municipalityId: string, cursor: Cursor, limit: number, maxBytes: number): Promise<number> {
  const { rows } = await ctx.db.query<{ fit: number }>(
    `SELECT count(*) FILTER (WHERE bytes <= $5)::int AS fit
       FROM (SELECT sum(coalesce(pg_column_size(payload), 0)) OVER (ORDER BY txid, id) AS bytes
               FROM changes WHERE ${VISIBLE_AFTER} ORDER BY txid, id LIMIT $4) head`,
    [municipalityId, cursor.txid, cursor.id, limit, maxBytes],
  )
  return Math.max(1, Math.min(limit, rows[0]?.fit ?? limit))
}

interface EdgeRow {
  txid_text: string
  id: number
  origin_terminal: string | null
  /** How many rows the first `limit + 1` after the cursor are. */
  n: number
}

/**
 * Where the page ends: its last row (null: nothing new) and whether more rows follow. A page is
 * the next `limit` rows, except that it never ends inside a push batch. A push batch writes one
 * change row per account with the account's state after the whole batch, acknowledging that
 * account's newest sale of the batch. A page that ended among those rows would acknowledge seqs
 * whose accounts come in the next page: the till would drop the pending sale before it holds the
 * balance that includes it. So a page that would end inside a push batch's rows takes the rest of
 * them (at most MAX_PUSH_MUTATIONS more). Other transactions (a bulk load of thousands of
 * accounts) acknowledge nothing and may be split anywhere.
 */
async function pageEnd(ctx: ServerContext, municipalityId: string, cursor: Cursor, limit: number): Promise<{ last: Cursor | null; hasMore: boolean }> {
  // The last two of the next limit + 1 rows: the page's last row and, if there is one, the row
  // after it; the origin of just those two is read from the table.
  // The text of the txid is named txid_text: ORDER BY resolves a name to an output column
  // first, and sorting by the text ('1000' < '999') would make the cursor skip rows.
  const { rows } = await ctx.db.query<EdgeRow>(
    `SELECT edge.txid::text AS txid_text, edge.id, changes.origin_terminal, edge.n
       FROM (SELECT txid, id, count(*) OVER () AS n
               FROM (SELECT txid, id FROM changes WHERE ${VISIBLE_AFTER} ORDER BY txid, id LIMIT $4) head
              ORDER BY txid DESC, id DESC
              LIMIT 2) edge
       JOIN changes ON changes.id = edge.id
      ORDER BY edge.txid DESC, edge.id DESC`,
    [municipalityId, cursor.txid, cursor.id, limit + 1],
  )
  if (rows.length === 0) return { last: null, hasMore: false }
  if (rows[0]!.n <= limit) return { last: { txid: rows[0]!.txid_text, id: rows[0]!.id }, hasMore: false }
  const [next, last] = [rows[0]!, rows[1]!]
  if (last.origin_terminal === null || next.txid_text !== last.txid_text) return { last: { txid: last.txid_text, id: last.id }, hasMore: true }
  // Inside a push batch: the page runs to the batch's last row. Its transaction has finished
  // (the guard let `last` through), so all its rows are there.
  const end = await ctx.db.query<{ id: number }>('SELECT max(id) AS id FROM changes WHERE municipality_id = $1 AND txid = $2::xid8', [municipalityId, last.txid_text])
  const batchEnd = { txid: last.txid_text, id: end.rows[0]!.id }
  const after = await ctx.db.query<{ more: boolean }>(`SELECT EXISTS (SELECT 1 FROM changes WHERE ${VISIBLE_AFTER}) AS more`, [municipalityId, batchEnd.txid, batchEnd.id])
  return { last: batchEnd, hasMore: after.rows[0]!.more }
}

/**
 * The page's changes as a JSON array (null: none) and the highest of this till's seqs among them.
 * Staff rows are cut to the till's canteen: staff who do not work there arrive as deletions (of
 * a row the till may never have had: harmless, and it carries nothing but the id).
 * Every row up to `last` has committed (pageEnd let `last` through the guard), so the range
 * needs no guard. Every own change row of seq <= ackSeq is in this page or an earlier one: a
 * till's change rows sort in seq order (its pushes take turns on one lock before they get an
 * xid), and a page never ends inside a push batch (`pageEnd`).
 */
async function pageChanges(ctx: ServerContext, terminal: Terminal, after: Cursor, last: Cursor, schema: number): Promise<{ changes: string | null; orders: string | null; ack_seq: number | null }> {
  const { rows } = await ctx.db.query<{ changes: string | null; orders: string | null; ack_seq: number | null }>(
    // Schema 1 (the previous one, still served) had the photo itself in the account, not its id.
    `SELECT '[' || string_agg(
              concat('{"entity":', to_json(entity), ',"id":', to_json(entity_id),
                     -- A till holds only the staff of its own canteen (their PIN hashes are
                     -- checked offline there): anyone else, or someone moved away, is a deletion.
                     CASE WHEN payload IS NULL OR (entity = 'staff' AND NOT coalesce(payload->'locationIds' ? $8, false)) THEN ',"deleted":true}'
                          WHEN $7::int = 1 AND entity = 'account' THEN concat(',"data":', (payload - 'photoId') || jsonb_build_object('photo',
                            (SELECT h.photo FROM holders h WHERE h.municipality_id = $1 AND h.photo_id = payload->>'photoId' LIMIT 1)), '}')
                          ELSE concat(',"data":', payload, '}') END),
              ',' ORDER BY txid, id) FILTER (WHERE entity <> 'order') || ']' AS changes,
            -- A webshop order goes to the tills of its own canteen only, beside the changes (a
            -- till built before orders ignores the field; it would refuse an unknown entity).
            '[' || string_agg(concat('{"id":', to_json(entity_id), CASE WHEN payload IS NULL THEN ',"deleted":true}' ELSE concat(',"data":', payload, '}') END),
              ',' ORDER BY txid, id) FILTER (WHERE entity = 'order' AND location_id = $8) || ']' AS orders,
            max(origin_seq) FILTER (WHERE origin_terminal = $6) AS ack_seq
       FROM changes
      WHERE municipality_id = $1 AND (txid, id) > ($2::xid8, $3::bigint) AND (txid, id) <= ($4::xid8, $5::bigint)`,
    [terminal.municipalityId, after.txid, after.id, last.txid, last.id, terminal.id, schema, terminal.locationId],
  )
  return rows[0]!
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
