import { EventEmitter } from 'node:events'
import type { EventMessage, EventName, Events } from './api/contract'
import { createDispatcher } from './api/dispatch'
import { systemClock, systemIds } from './clock'
import { createHandlers } from './handlers'
import { createSession } from './handlers/session'
import { ReaderService } from './reader/service'
import { openDb } from './store/db'
import { watchPriceSchedule } from './store/schedule'
import { getSetting, setSetting } from './store/settings'
import { acquireUploaderLock } from './sync/lock'
import { SyncEngine } from './sync/engine'
import type { Till, TillOptions } from './till'
import type { TerminalKind } from '../../domain/sync'
import type { Db } from './store/db'
// The one place the version is kept is package.json (also what electron-builder names the
// installers by). A JSON module with its import attribute, so every loader takes it: Vite bundles
// it, Node and tsx read it (the host shell, Playwright's in-process tills).
import pkg from '../../package.json' with { type: 'json' }

const VERSION: string = pkg.version

export async function openTill(opts: TillOptions): Promise<Till> {
  const clock = opts.clock ?? systemClock
  const ids = opts.ids ?? systemIds
  const log = opts.log ?? (() => {})
  const db = openDb(opts.dataDir, undefined, { nativeBinding: opts.nativeBinding })
  const events = new EventEmitter()
  const emit = <E extends EventName>(event: E, payload: Events[E]) => events.emit('message', { event, payload } satisfies EventMessage<E>)
  const terminalKind = settleTerminalKind(db, opts.terminalKind)
  const tillName = opts.tillName ?? getSetting(db, 'till_name') ?? (terminalKind === 'kiosk' ? 'Kiosk 1' : 'Kasse 1')
  setSetting(db, 'till_name', tillName)
  if (opts.offlineAllowance !== undefined) setSetting(db, 'offline_allowance', opts.offlineAllowance)
  if (opts.offlineCap !== undefined) setSetting(db, 'offline_cap', opts.offlineCap)
  if (opts.signOutAfterMinutes !== undefined) setSetting(db, 'signout_after_minutes', opts.signOutAfterMinutes)

  const lock = acquireUploaderLock(opts.dataDir)
  if (!lock) log('warn', 'another process holds the uploader lock of this till database; this one only pulls')

  const sync = new SyncEngine({
    db,
    clock,
    serverUrl: opts.serverUrl ?? getSetting(db, 'server_url'),
    enrolmentCode: opts.enrolmentCode,
    tillName,
    kind: terminalKind,
    intervalMs: opts.syncIntervalMs,
    staleAfterMs: opts.staleAfterMs,
    pullPage: opts.pullPageSize,
    mayUpload: lock !== null,
    onStatus: (s) => emit('sync.status', s),
    onDataChanged: (entities) => emit('data.changed', { entities }),
    log,
  })

  // The reader's device and normalisation come from the till's settings (the manager's panel).
  const readers = new ReaderService({ db, clock, emit, simulated: opts.simulatedReader ?? false, usb: opts.hidReader ?? false, log })

  const handlers = createHandlers({
    db,
    clock,
    ids,
    sync,
    session: createSession(db, clock),
    log,
    tillName,
    terminalKind,
    version: VERSION,
    readers,
    afterSaleCommit: opts.afterSaleCommit,
  })
  const dispatch = createDispatcher(handlers, (method, err) => log('error', `rpc ${method} failed`, { error: String(err) }))

  sync.start()
  watchPriceSchedule({ db, clock, events })

  return {
    dispatch,
    subscribe(listener) {
      events.on('message', listener)
      return () => events.off('message', listener)
    },
    async close() {
      await sync.stop()
      readers.close()
      lock?.release()
      db.close()
    },
  }
}

/**
 * The kind this data folder serves. A folder that has been a till (its outbox, its pupil data)
 * never opens as a kiosk, nor the reverse: that would take a new folder and a new enrolment.
 */
export function settleTerminalKind(db: Db, wanted: TerminalKind | undefined): TerminalKind {
  const stored = getSetting(db, 'terminal_kind')
  const enrolled = getSetting(db, 'device_token') !== null
  const kept: TerminalKind | null = stored === 'kiosk' || stored === 'till' ? stored : enrolled ? 'till' : null
  if (kept && wanted && kept !== wanted) {
    db.close()
    throw new Error(`This data folder belongs to a ${kept === 'kiosk' ? 'parent kiosk' : 'till'}; start it as one, or use another folder for a ${wanted}`)
  }
  const kind = kept ?? wanted ?? 'till'
  setSetting(db, 'terminal_kind', kind)
  return kind
}
