import type { AppResults } from '../api/areas/app'
import { counterSettings, getSetting, setSetting } from '../store/settings'
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
        terminalKind: ctx.terminalKind,
        location: loc ? { id: loc, name: locationName(ctx.db, loc) ?? getSetting(ctx.db, 'location_name') ?? loc } : null,
        simulatedReader: ctx.readers.simulated !== null,
        locale: 'da',
      }
    },
    // Only Electron's main can swap the browser session (it answers this call itself).
    'app.wipe': () => ({ fresh: false }),
    'app.settings': () => counterSettings(ctx.db),
    'app.sound.set': ({ on, volume }) => {
      ctx.session.signedIn()
      ctx.db.transaction(() => {
        setSetting(ctx.db, 'sound_on', on ? 1 : 0)
        setSetting(ctx.db, 'sound_volume', volume)
      })()
      return counterSettings(ctx.db)
    },
    // Cash from guests is the canteen's setting, not this till's: the manager sets it on the
    // server (PUT /manager/canteens/:id/cash) and it arrives with the location on the next pull.
    'app.counter.set': ({ offlineAllowance, offlineCap }) => {
      const manager = ctx.session.signedIn('manager')
      ctx.db.transaction(() => {
        setSetting(ctx.db, 'offline_allowance', offlineAllowance)
        setSetting(ctx.db, 'offline_cap', offlineCap)
      })()
      ctx.log('info', 'counter settings changed', { by: manager.staffId, offlineAllowance, offlineCap })
      return counterSettings(ctx.db)
    },
  }
}
