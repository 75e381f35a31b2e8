import { noArgs } from './area'

export interface SyncStatus {
  enrolled: boolean
  online: boolean
  syncing: boolean
  lastSyncAt: string | null
  pending: number
  oldestPendingAt: string | null
  rejected: number
  lastError: string | null
  /** The till has not heard from the server for longer than its configured time. */
  stale: boolean
}

export const syncMethods = {
  'sync.status': { input: noArgs },
  'sync.now': { input: noArgs },
} as const

export interface SyncResults {
  'sync.status': SyncStatus
  'sync.now': SyncStatus
}
