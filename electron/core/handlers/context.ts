import type { Clock, Ids } from '../clock'
import type { ReaderService } from '../reader/service'
import type { Db } from '../store/db'
import type { SyncEngine } from '../sync/engine'
import type { Session } from './session'
import type { TerminalKind } from '../../../domain/sync'

export type Log = (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void

/** What every area's handlers are built from; one per open till. */
export interface HandlerContext {
  db: Db
  clock: Clock
  ids: Ids
  sync: SyncEngine
  session: Session
  log: Log
  tillName: string
  /** A till sells; a parent kiosk relays the guardian API and refuses everything of the counter. */
  terminalKind: TerminalKind
  version: string
  readers: ReaderService
  /**
   * Test-only fault injection: runs right after a sale's transaction committed and before the
   * answer leaves the core (the cross-process test makes it exit the process). Unset in use.
   */
  afterSaleCommit?: () => void
}
