/**
 * `order.handout`: pickup staff handed out (part of) a webshop order (issue 15, server/orders/).
 *
 * The server trusts nothing a till sends. Rejected (the till keeps and shows the reason):
 * `order-unknown` (no such order, or another canteen's: a till hands out its own canteen's
 * orders only), `order-not-paid` (awaiting payment, payment failed, or cancelled: only a paid
 * order is handed out), `order-not-today` (the hand-out's Copenhagen day is not the pickup day),
 * `handout-time-out-of-range` (a till clock no honest till has), `staff-unknown`, `line-unknown`,
 * `quantity-too-large` (more than the line has), and `already-handed-out: …` when the pieces are
 * gone: the reason names who handed them out and when, and the order's change row (already
 * pulled, or in the next page) tells the till what is left.
 *
 * Two tills handing out the same order at once: the applier's lock is the order's
 * (`order:<id>`), which the push loop takes before the transaction's first write, so the second
 * push waits for the first to commit and then reads the lines the first one wrote: the first
 * wins, the second is rejected. The CHECK `handed_out <= quantity` guards it once more. The push
 * loop's (till, seq) bookkeeping makes a repeated push answer, not apply again: exactly once.
 */
import { periodKeys } from '../../../domain/periods'
import { OrderHandoutPayload } from '../../../domain/sync'
import type { Terminal } from '../../enrolment/enrol'
import { lockKey } from '../../money/locks'
import { audit } from '../../platform/audit'
import type { Tx } from '../../platform/tx'
import { recordOrderChanges } from '../../orders/sync'
import { SKEW_AFTER_MS, SKEW_BEFORE_MS } from '../apply-sale'
import { defineApplier, type Checked, type MutationOutcome } from './types'

const MAX_REASON = 200

interface LineState {
  line_no: number
  quantity: number
  handed_out: number
  staff_name: string | null
  handed_out_at: Date | null
}

async function handOut(tx: Tx, terminal: Terminal, m: Checked<OrderHandoutPayload>): Promise<MutationOutcome> {
  const p = m.payload
  const reject = (reason: string): MutationOutcome => ({ status: 'rejected', reason: reason.slice(0, MAX_REASON) })
  const { rows } = await tx.query<{ location_id: string; status: string; pickup_day: string; number: number }>(
    'SELECT location_id, status, pickup_day::text AS pickup_day, number FROM orders WHERE id = $1',
    [p.orderId],
  )
  const order = rows[0]
  if (!order || order.location_id !== terminal.locationId) return reject('order-unknown')
  if (order.status !== 'paid') return reject('order-not-paid')
  const at = new Date(p.handedOutAt)
  const skew = at.getTime() - tx.now.getTime()
  if (skew > SKEW_AFTER_MS || skew < -SKEW_BEFORE_MS) return reject('handout-time-out-of-range')
  if (periodKeys(at).day !== order.pickup_day) return reject('order-not-today')
  const staff = await tx.query('SELECT 1 FROM staff WHERE id = $1 AND municipality_id = $2', [p.staffId, terminal.municipalityId])
  if (staff.rows.length === 0) return reject('staff-unknown')

  const lines = await tx.query<LineState>(
    `SELECT l.line_no, l.quantity, l.handed_out, s.name AS staff_name, l.handed_out_at
       FROM order_lines l LEFT JOIN staff s ON s.id = l.handed_out_by WHERE l.order_id = $1`,
    [p.orderId],
  )
  const byNo = new Map(lines.rows.map((l) => [l.line_no, l]))
  const wanted = new Map<number, number>()
  for (const l of p.lines) wanted.set(l.lineNo, (wanted.get(l.lineNo) ?? 0) + l.quantity)
  for (const [lineNo, quantity] of wanted) {
    const line = byNo.get(lineNo)
    if (!line) return reject('line-unknown')
    if (quantity <= line.quantity - line.handed_out) continue
    if (line.handed_out === 0) return reject('quantity-too-large')
    return reject(`already-handed-out: order ${order.number} line ${lineNo} by ${line.staff_name ?? 'unknown'} at ${line.handed_out_at?.toISOString() ?? '?'}`)
  }
  await tx.query(
    `UPDATE order_lines l SET handed_out = l.handed_out + t.quantity, handed_out_by = $3, handed_out_at = $4, handed_out_terminal = $5
       FROM unnest($2::int[], $6::int[]) AS t(line_no, quantity)
      WHERE l.order_id = $1 AND l.line_no = t.line_no`,
    [p.orderId, [...wanted.keys()], p.staffId, at, terminal.id, [...wanted.values()]],
  )
  await audit(tx, {
    municipalityId: terminal.municipalityId,
    actor: `staff:${p.staffId}`,
    action: 'order.handout',
    entity: 'order',
    entityId: p.orderId,
    details: { terminalId: terminal.id, seq: m.seq, lines: p.lines },
    at: tx.now,
  })
  await recordOrderChanges(tx, [p.orderId], { terminalId: terminal.id, seq: m.seq })
  return { status: 'applied', flags: [] }
}

export const orderHandout = defineApplier<OrderHandoutPayload>({
  schema: OrderHandoutPayload,
  // The orders' locks: two tills' pushes of the same order take turns (see the top of this file).
  locks: (_terminal, payloads) => payloads.map((p) => lockKey.entity('order', p.orderId)),
  async apply(_ctx, tx, terminal, mutations) {
    const outcomes: MutationOutcome[] = []
    for (const m of mutations) outcomes.push(await handOut(tx, terminal, m))
    return outcomes
  },
})
