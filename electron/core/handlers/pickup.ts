/**
 * `pickup.*` (issue 15, "Till: pickup mode"). Everything is read from the local store, so the
 * counter hands out with the server unreachable; the pull keeps the orders current.
 *
 * Undo: the server takes a till's seqs without gaps and applies what it gets, so an outbox row
 * can never be taken back. A hand-out is therefore written at once (on disk, counted as handed
 * out) but held for UNDO_MS before its `order.handout` outbox row is written (store/orders.ts
 * releaseHandouts); until then `pickup.undo` deletes it and nothing of it ever left the till.
 * A timer releases it when the window closes; every call (and the start) releases any that are
 * due, so a restart or a missed timer never strands one.
 */
import type { HandoutResult, PickupList, PickupOrderInfo, PickupResults, PreparationList, UndoResult } from '../api/areas/pickup'
import { RpcFault } from '../api/dispatch'
import { readCardAccount } from '../store/accounts'
import { stmt } from '../store/db'
import {
  dropOrdersBefore,
  handoutState,
  oldestHeldAt,
  orderById,
  ordersOfAccount,
  ordersOfDay,
  preparation,
  recordHandout,
  releaseHandouts,
  undoHandout,
  type PickupOrder,
} from '../store/orders'
import { ackedSeq } from '../store/outbox'
import { getSetting } from '../store/settings'
import type { AreaHandlers } from './area'
import type { HandlerContext } from './context'
import { normalizeCardNumber } from '../../../domain/card'
import { periodKeys } from '../../../domain/periods'

/** How long a hand-out can be taken back. */
export const UNDO_MS = 30_000

/** `already-handed-out: order 101 line 1 by Bo Hansen at 2026-11-24T11:02:00.000Z` → who and when. */
export function parseAlreadyHandedOut(reason: string): { by: string | null; at: string | null } {
  const m = /^already-handed-out:.* by (.+) at (\S+)\s*$/.exec(reason)
  return m ? { by: m[1]!, at: m[2]! } : { by: null, at: null }
}

export function pickupHandlers(ctx: HandlerContext): AreaHandlers<PickupResults> {
  const { db, clock } = ctx
  const today = () => periodKeys(clock.now()).day
  const location = () => getSetting(db, 'location_id')
  let timer: ReturnType<typeof setTimeout> | null = null

  function staff() {
    const s = ctx.session.signedIn()
    if (!s.roles.includes('pickup') && !s.roles.includes('manager')) throw new RpcFault('forbidden', `${s.name} may not use the pickup mode`)
    return s
  }

  /** Writes the outbox rows of the hand-outs whose undo window has closed, and plans the next release. */
  function releaseDue(): void {
    const cutoff = new Date(clock.now().getTime() - UNDO_MS).toISOString()
    if (releaseHandouts(db, cutoff, () => ctx.ids.uuid()) > 0) ctx.sync.kick()
    planRelease()
  }

  function planRelease(): void {
    if (timer) clearTimeout(timer)
    timer = null
    const oldest = oldestHeldAt(db)
    if (oldest === null) return
    const wait = Math.max(0, Date.parse(oldest) + UNDO_MS - clock.now().getTime()) + 50
    timer = setTimeout(() => {
      timer = null
      try {
        releaseDue()
      } catch (err) {
        // The store was closed under the timer (the till stopping): the next start releases it.
        ctx.log('warn', 'pickup: releasing hand-outs failed', { error: String(err) })
      }
    }, wait)
    timer.unref?.()
  }

  function info(o: PickupOrder): PickupOrderInfo {
    const held = stmt(db, `SELECT id, at FROM order_handouts WHERE order_id = ? AND seq IS NULL ORDER BY at DESC LIMIT 1`).get(o.id) as
      | { id: string; at: string }
      | undefined
    let rejected: PickupOrderInfo['rejected'] = null
    if (o.rejected) {
      const who = parseAlreadyHandedOut(o.rejected.reason)
      rejected = { reason: o.rejected.reason, at: o.rejected.at, by: who.by, handedOutAt: who.at }
    }
    return {
      id: o.id,
      number: o.number,
      accountId: o.accountId,
      holderName: o.holderName,
      photo: o.photo,
      pickupDay: o.pickupDay,
      pickupTime: o.pickupTime,
      status: o.status,
      payment: o.payment,
      total: o.total,
      captureAt: o.captureAt,
      lines: o.lines,
      complete: o.complete,
      rejected,
      undo: held ? { handoutId: held.id, until: new Date(Date.parse(held.at) + UNDO_MS).toISOString() } : null,
    }
  }

  /** Photos not on the till yet are fetched; they follow with data.changed. */
  function withPhotos(orders: PickupOrder[]): PickupOrderInfo[] {
    for (const o of orders) if (o.photoId && !o.photo) void ctx.sync.fetchPhoto(o.photoId).catch(() => {})
    return orders.map(info)
  }

  function todays(): PickupOrder[] {
    dropOrdersBefore(db, today())
    return ordersOfDay(db, today(), location())
  }

  // A restart within the window: what was held is released when due.
  try {
    releaseDue()
  } catch (err) {
    ctx.log('warn', 'pickup: releasing hand-outs at start failed', { error: String(err) })
  }

  return {
    'pickup.orders': ({ query }) => {
      staff()
      releaseDue()
      let orders = todays()
      const q = (query ?? '').trim().toLocaleLowerCase('da')
      if (q) orders = orders.filter((o) => String(o.number) === q.replace(/^#/, '') || o.holderName.toLocaleLowerCase('da').includes(q))
      const all = withPhotos(orders)
      const list: PickupList = { day: today(), ready: [], awaitingPayment: [], handedOut: [], notForPickup: [] }
      for (const o of all) {
        if (o.status === 'paid') (o.complete ? list.handedOut : list.ready).push(o)
        else if (o.status === 'awaiting-payment') list.awaitingPayment.push(o)
        else list.notForPickup.push(o)
      }
      return list
    },

    'pickup.card': ({ cardNumber }) => {
      staff()
      releaseDue()
      const card = normalizeCardNumber(cardNumber)
      if (!card.ok) return { ok: false, reason: 'card-number-invalid' }
      const found = readCardAccount(db, card.number, ackedSeq(db), periodKeys(clock.now()))
      if (!found) return { ok: false, reason: 'unknown-card' }
      dropOrdersBefore(db, today())
      return { ok: true, cardNumber: card.number, holderName: found.holderName, orders: withPhotos(ordersOfAccount(db, found.accountId, today(), location())) }
    },

    'pickup.handout': ({ orderId, lines }): HandoutResult => {
      const s = staff()
      releaseDue()
      const at = clock.now().toISOString()
      const outcome = recordHandout(db, { id: ctx.ids.uuid(), orderId, lines: lines ?? [], staffId: s.staffId, staffName: s.name, at }, today())
      if (!outcome.ok) return outcome
      ctx.log('info', 'order handed out', { orderId, lines: outcome.lines, by: s.staffId })
      planRelease()
      return { ok: true, handoutId: outcome.handoutId, undoUntil: new Date(Date.parse(at) + UNDO_MS).toISOString(), order: info(orderById(db, orderId)!) }
    },

    'pickup.undo': ({ handoutId }): UndoResult => {
      staff()
      const state = handoutState(db, handoutId)
      if (!state) return { ok: false, reason: 'handout-unknown' }
      if (state.state !== 'held') return { ok: false, reason: 'already-sent' }
      // The window is the till's clock's: past it, the hand-out goes, whatever the timer did.
      if (clock.now().getTime() - Date.parse(state.at) >= UNDO_MS) {
        releaseDue()
        return { ok: false, reason: 'undo-expired' }
      }
      const undone = undoHandout(db, handoutId)
      if (undone.ok) ctx.log('info', 'hand-out undone', { handoutId })
      planRelease()
      return undone
    },

    'pickup.preparation': (): PreparationList => {
      staff()
      const p = preparation(db, today(), location())
      return { ...p, orderCount: p.byPickupTime.reduce((n, s) => n + s.orderCount, 0) }
    },
  }
}
