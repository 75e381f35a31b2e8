import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable']

export function findChromium(): string | null {
  if (process.env.CHROMIUM_PATH && existsSync(process.env.CHROMIUM_PATH)) return process.env.CHROMIUM_PATH
  return CANDIDATES.find((p) => existsSync(p)) ?? null
}

export function hasDisplay(): boolean {
  return process.platform === 'win32' || process.platform === 'darwin' || !!process.env.DISPLAY || !!process.env.WAYLAND_DISPLAY
}

/** Opens the till in a Chromium app window (no address bar); `kiosk` locks it full screen. */
export function openAppWindow(chromium: string, url: string, profileDir: string, kiosk: boolean) {
  const args = [
    `--app=${url}`,
    `--user-data-dir=${join(profileDir, 'chromium')}`,
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--window-size=1366,850',
  ]
  if (kiosk) args.push('--kiosk')
  if (process.getuid?.() === 0) args.push('--no-sandbox')
  return spawn(chromium, args, { stdio: 'ignore' })
}
