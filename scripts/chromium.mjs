// Which Chromium the browser tests drive, and what to do on a machine without one. Plain Node, no
// dependencies: `npm test` asks before the long steps (npm ci, typecheck, build, the suites), so a
// new user without Chromium learns the one command to run at once, not after ten minutes.
import { existsSync, readdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'

/** Where Debian, Ubuntu, Fedora, snap and the Chrome packages put the browser, in order of preference. */
export const SYSTEM_CHROMIUMS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/snap/bin/chromium',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
]

export const APT_INSTALL = ['apt-get', 'install', '-y', 'chromium']

/**
 * The decision, as a pure function of what the machine has.
 * @param {{
 *   chromiumPath?: string,            // CHROMIUM_PATH, when set
 *   exists: (path: string) => boolean,
 *   playwrightChromiums: string[],    // Playwright's own downloads, newest first
 *   platform: string,                 // process.platform
 *   uid: number | null,               // process.getuid(), null where there is none (Windows)
 *   aptAvailable: boolean,            // apt-get on PATH
 * }} facts
 * @returns {{ action: 'use', path: string } | { action: 'install', command: string[], then: string } | { action: 'stop', message: string, command: string }}
 */
export function decideChromium(facts) {
  if (facts.chromiumPath) {
    // Asked for by name: using another one instead would test something else than was asked.
    if (facts.exists(facts.chromiumPath)) return { action: 'use', path: facts.chromiumPath }
    return {
      action: 'stop',
      message: `CHROMIUM_PATH is ${facts.chromiumPath}, and there is no such file.`,
      command: 'unset CHROMIUM_PATH   # or point it at a Chromium or Chrome executable',
    }
  }
  const system = SYSTEM_CHROMIUMS.find((p) => facts.exists(p))
  if (system) return { action: 'use', path: system }
  const playwright = facts.playwrightChromiums.find((p) => facts.exists(p))
  if (playwright) return { action: 'use', path: playwright }
  if (facts.platform === 'linux' && facts.aptAvailable) {
    if (facts.uid === 0) return { action: 'install', command: APT_INSTALL, then: '/usr/bin/chromium' }
    return {
      action: 'stop',
      message: 'The browser tests need Chromium, and this machine has none.',
      command: `sudo ${APT_INSTALL.join(' ')}`,
    }
  }
  return {
    action: 'stop',
    message: 'The browser tests need Chromium or Chrome, and none was found.',
    command: 'npx playwright install chromium   # or set CHROMIUM_PATH to a Chromium or Chrome executable',
  }
}

/** Playwright's downloaded Chromiums (`npx playwright install chromium`), newest revision first. */
export function playwrightChromiums(env = process.env, platform = process.platform) {
  const cache =
    env.PLAYWRIGHT_BROWSERS_PATH ||
    (platform === 'darwin'
      ? join(homedir(), 'Library', 'Caches', 'ms-playwright')
      : platform === 'win32'
        ? join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'ms-playwright')
        : join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'ms-playwright'))
  let dirs = []
  try {
    dirs = readdirSync(cache).filter((d) => /^chromium-\d+$/.test(d))
  } catch {
    return []
  }
  dirs.sort((a, b) => Number(b.slice(9)) - Number(a.slice(9)))
  const inside = [
    'chrome-linux64/chrome',
    'chrome-linux/chrome',
    'chrome-mac/Chromium.app/Contents/MacOS/Chromium',
    'chrome-mac-arm64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing',
    'chrome-mac-x64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing',
    'chrome-win64/chrome.exe',
    'chrome-win/chrome.exe',
  ]
  return dirs.flatMap((d) => inside.map((p) => join(cache, d, p)))
}

function onPath(cmd) {
  const dirs = (process.env.PATH ?? '').split(process.platform === 'win32' ? ';' : ':')
  return dirs.some((d) => d && existsSync(join(d, cmd)))
}

/** The facts of this machine, for decideChromium. */
export function machineFacts(env = process.env) {
  return {
    chromiumPath: env.CHROMIUM_PATH || undefined,
    exists: existsSync,
    playwrightChromiums: playwrightChromiums(env),
    platform: process.platform,
    uid: typeof process.getuid === 'function' ? process.getuid() : null,
    aptAvailable: process.platform === 'linux' && onPath('apt-get'),
  }
}

/** The Chromium to use, found on this machine, or null (no side effects: playwright.config.ts uses it). */
export function findChromium(env = process.env) {
  const decision = decideChromium(machineFacts(env))
  return decision.action === 'use' ? decision.path : null
}
