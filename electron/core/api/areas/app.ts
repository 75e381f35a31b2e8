import { noArgs } from './area'

export interface AppInfo {
  version: string
  tillName: string
  location: { id: string; name: string } | null
  /** A development build shows the simulated card reader. */
  simulatedReader: boolean
  locale: 'da' | 'en'
}

export const appMethods = {
  'app.info': { input: noArgs },
} as const

export interface AppResults {
  'app.info': AppInfo
}
