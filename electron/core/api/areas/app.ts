import { noArgs } from './area'

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

export const appMethods = {
  'app.info': { input: noArgs },
  'app.wipe': { input: noArgs },
} as const

export interface AppResults {
  'app.info': AppInfo
  'app.wipe': WipeResult
}
