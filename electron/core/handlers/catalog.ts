import type { CatalogResults } from '../api/areas/catalog'
import { readCatalog } from '../store/catalog'
import { getSetting } from '../store/settings'
import type { AreaHandlers } from './area'
import type { HandlerContext } from './context'

export function catalogHandlers(ctx: HandlerContext): AreaHandlers<CatalogResults> {
  return {
    'catalog.get': () => readCatalog(ctx.db, getSetting(ctx.db, 'location_id'), ctx.clock.now().getTime()),
  }
}
