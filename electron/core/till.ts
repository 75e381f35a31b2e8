/**
 * The till's engine, assembled: local store, card reader, sync engine and the RPC handlers.
 * Both shells (electron/main's utility process and electron/host) call `openTill` and then only
 * relay `dispatch` calls and `subscribe` events; nothing here knows which shell runs it.
 */
import type { EventMessage } from './api/contract'
import type { Dispatch } from './api/dispatch'
import type { Clock, Ids } from './clock'
import type { TerminalKind } from '../../domain/sync'

export interface TillOptions {
  /** One data directory per till: the SQLite file and the uploader lock live here. */
  dataDir: string
  /** Central server, e.g. http://127.0.0.1:4800. Without it the till runs on its local store only. */
  serverUrl?: string
  /** One-time code from the server's admin; used once, when the till has no device token yet. */
  enrolmentCode?: string
  tillName?: string
  /**
   * What this terminal is: a till (default) or a parent kiosk. Kept in the data folder's settings
   * and sent at enrolment (the server refuses a code of the other kind); a folder enrolled as one
   * kind does not open as the other.
   */
  terminalKind?: TerminalKind
  /** better-sqlite3's addon built for Electron's ABI (store/db.ts OpenDbOptions); the Electron core passes it. */
  nativeBinding?: string
  /** Development builds: offer the simulated card reader panel. */
  simulatedReader?: boolean
  /** Try a USB HID card reader (node-hid). */
  hidReader?: boolean
  clock?: Clock
  ids?: Ids
  /** Background sync interval when no live poke arrives (ms). */
  syncIntervalMs?: number
  /** Without a successful sync for this long the till shows a warning (default 15 min). */
  staleAfterMs?: number
  /** A fixed number of changes per pull page (default: 1000 when current, MAX_PULL_PAGE while catching up). */
  pullPageSize?: number
  /** Per-card offline allowance in øre (default 5000), kept in the till's settings. */
  offlineAllowance?: number
  /** What one card may spend offline at this till until the server has seen it (øre, default 7500), kept in the till's settings. */
  offlineCap?: number
  /** Sign the cashier out after this many minutes without an action of theirs (kept in the till's settings; default 15). */
  signOutAfterMinutes?: number
  /**
   * Test-only fault injection: called right after a sale committed, before its answer leaves
   * the core. The host shell sets it only when KANTINE_FAULT=exit-after-sale-commit.
   */
  afterSaleCommit?: () => void
  log?: (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void
}

export interface Till {
  dispatch: Dispatch
  subscribe(listener: (message: EventMessage) => void): () => void
  close(): Promise<void>
}

export { openTill } from './till-impl'
