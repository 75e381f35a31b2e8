import { z } from 'zod'
import { noArgs } from './area'
import { MAX_OFFLINE_ALLOWANCE, MAX_OFFLINE_CAP } from '../../../../domain/checkout'

export interface AppInfo {
  version: string
  tillName: string
  /** A till (the counter) or a parent kiosk: the renderer shows the one it is. */
  terminalKind: 'till' | 'kiosk'
  location: { id: string; name: string } | null
  /** A development build shows the simulated card reader. */
  simulatedReader: boolean
  locale: 'da' | 'en'
}

/**
 * `app.wipe`: a parent kiosk's visit is over (signed out, or left idle). Electron answers it in
 * main: a new window on a new in-memory browser session replaces the page (`fresh: true`, which
 * the old page may never hear). Elsewhere (the host shell in a plain browser) nothing outside the
 * page can be wiped: `fresh: false`, and the page reloads itself to drop what it held.
 */
export interface WipeResult {
  fresh: boolean
}

/**
 * The counter's preferences: whether guests may pay cash (the canteen's setting, as last pulled
 * from the server with the location; read only here), what a card may spend while the till is
 * offline (øre: below its last known balance, and in all at this till until the server has seen
 * it) and the sounds (both kept in the till's settings).
 */
export interface CounterSettings {
  cashAllowed: boolean
  offlineAllowance: number
  offlineCap: number
  sound: { on: boolean; volume: number }
}


export const appMethods = {
  'app.info': { input: noArgs },
  'app.wipe': { input: noArgs },
  'app.settings': { input: noArgs },
  /** The approved/refused sounds: on or off, and their volume (0–100). Any signed-in staff member may change them. */
  'app.sound.set': { input: z.object({ on: z.boolean(), volume: z.number().int().min(0).max(100) }).strict() },
  /**
   * The offline limits of this till: a manager's choice (whole kroner, in øre). Cash is the
   * canteen's setting, changed on the server (manager.request PUT /manager/canteens/:id/cash).
   */
  'app.counter.set': {
    input: z
      .object({
        offlineAllowance: z.number().int().min(0).max(MAX_OFFLINE_ALLOWANCE).multipleOf(100),
        offlineCap: z.number().int().min(0).max(MAX_OFFLINE_CAP).multipleOf(100),
      })
      .strict(),
  },
} as const

export interface AppResults {
  'app.info': AppInfo
  'app.wipe': WipeResult
  'app.settings': CounterSettings
  'app.sound.set': CounterSettings
  'app.counter.set': CounterSettings
}
