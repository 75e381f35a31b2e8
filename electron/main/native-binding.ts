/**
 * Which better-sqlite3 addon the till core loads. node_modules holds the build for the local
 * Node (tests, the host shell); a packaged app (and `electron-vite dev` after
 * `npm run dist:natives`) also carries a copy built for Electron's ABI in
 * native/electron/<platform>-<arch>/ (scripts/rebuild-electron-natives.mjs), which only a core
 * running inside Electron may load: the same file in plain Node fails with "was compiled against
 * a different Node.js version".
 *
 * Without that copy the default (node_modules) build is used, as before.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'

export interface BindingContext {
  /** The app's root folder (…/resources/app.asar when packaged, the checkout in development). */
  appRoot: string
  /** `process.versions.electron`: undefined when the core runs in plain Node. */
  electron: string | undefined
  platform?: string
  arch?: string
  exists?: (file: string) => boolean
}

/** Where scripts/rebuild-electron-natives.mjs puts the Electron build, relative to the app root. */
export function electronBindingFile(platform: string, arch: string): string {
  return join('native', 'electron', `${platform}-${arch}`, 'better_sqlite3.node')
}

/**
 * The Electron build of better-sqlite3 for this platform and arch, or undefined for the default
 * one. A .node file cannot be loaded from inside app.asar: the unpacked copy beside it
 * (asarUnpack) is the one to load.
 */
export function sqliteNativeBinding({ appRoot, electron, platform = process.platform, arch = process.arch, exists = existsSync }: BindingContext): string | undefined {
  if (!electron) return undefined
  const inApp = join(appRoot, electronBindingFile(platform, arch))
  const unpacked = inApp.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2')
  for (const file of unpacked === inApp ? [inApp] : [unpacked, inApp]) {
    if (exists(file)) return file
  }
  return undefined
}
