import type { AppResults } from '../api/areas/app'
import { getSetting } from '../store/settings'
import { locationName } from '../store/staff'
import type { AreaHandlers } from './area'
import type { HandlerContext } from './context'

export function appHandlers(ctx: HandlerContext): AreaHandlers<AppResults> {
  return {
    'app.info': () => {
      const loc = getSetting(ctx.db, 'location_id')
      return {
        version: ctx.version,
        tillName: ctx.tillName,
        location: loc ? { id: loc, name: locationName(ctx.db, loc) ?? loc } : null,
        simulatedReader: ctx.readers.simulated !== null,
        locale: 'da',
      }
    },
  }
}
