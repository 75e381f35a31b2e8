/**
 * Scheduled price changes come due at the till's clock, offline too (store/catalog.ts prices
 * them at the moment it is asked). The views hold the catalogue they last read, so one timer to
 * the earliest change still to come tells them to read it again (`data.changed` { entities:
 * ['product'] }) when it is due. It is set again after each pull that changed products and at
 * least once a minute (a till's clock may be set back or forward). It ends with the database.
 */
import type { EventEmitter } from 'node:events'
import type { EventMessage, EventName, Events } from '../api/contract'
import type { Clock } from '../clock'
import { getSetting } from './settings'
import type { Db } from './db'

export const SCHEDULE_RECHECK_MS = 60_000

export interface ScheduleTimers {
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

const nodeTimers: ScheduleTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
}

/** The instants (ms) of this canteen's scheduled price changes, in no order. */
export function scheduledInstants(db: Db): number[] {
  const locationId = getSetting(db, 'location_id')
  if (!locationId) return []
  const rows = db.prepare(`SELECT schedule FROM products WHERE available = 1 AND schedule <> '{}'`).all() as { schedule: string }[]
  const out: number[] = []
  for (const row of rows) {
    const own = (JSON.parse(row.schedule) as Record<string, [number, number | null][]>)[locationId]
    for (const [from] of own ?? []) out.push(from)
  }
  return out
}

export interface PriceScheduleOptions {
  db: Db
  clock: Clock
  /** The till's event emitter: data changes re-arm the timer; due changes are emitted on it. */
  events: EventEmitter
  timers?: ScheduleTimers
}

/** Starts the timer; the answer stops it (it also stops by itself once the database is closed). */
export function watchPriceSchedule(opts: PriceScheduleOptions): () => void {
  const { db, clock, events } = opts
  const timers = opts.timers ?? nodeTimers
  let handle: unknown = null
  let checkedTo = clock.now().getTime()
  let stopped = false

  const arm = () => {
    if (handle !== null) timers.clearTimeout(handle)
    handle = null
    if (stopped || !db.open) return
    const now = clock.now().getTime()
    const instants = scheduledInstants(db)
    const due = instants.some((t) => t > checkedTo && t <= now)
    checkedTo = Math.max(checkedTo, now)
    const next = instants.filter((t) => t > now).reduce((a, b) => Math.min(a, b), Infinity)
    handle = timers.setTimeout(arm, Math.min(next - now, SCHEDULE_RECHECK_MS))
    // Last: the listeners (this one too) may arm again at once.
    if (due) emit()
  }
  const emit = () => {
    const message: EventMessage<'data.changed'> = { event: 'data.changed', payload: { entities: ['product'] } }
    events.emit('message', message)
  }
  const onMessage = (m: EventMessage<EventName>) => {
    if (m.event !== 'data.changed') return
    const entities = (m.payload as Events['data.changed']).entities
    // Its own message, too, re-arms: harmless (nothing new is due), and one path.
    if (entities.includes('product')) arm()
  }
  events.on('message', onMessage)
  arm()
  return () => {
    stopped = true
    events.off('message', onMessage)
    if (handle !== null) timers.clearTimeout(handle)
    handle = null
  }
}
