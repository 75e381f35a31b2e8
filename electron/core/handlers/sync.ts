import type { SyncResults } from '../api/areas/sync'
import type { AreaHandlers } from './area'
import type { HandlerContext } from './context'

export function syncHandlers(ctx: HandlerContext): AreaHandlers<SyncResults> {
  return {
    'sync.status': () => ctx.sync.status(),
    'sync.now': () => ctx.sync.syncNow(),
  }
}
