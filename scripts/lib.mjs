// Shared by start.mjs and test.mjs. Plain Node, no dependencies: it runs before `npm ci`.
import { spawnSync } from 'node:child_process'
import { existsSync, statSync, readdirSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { decideChromium, machineFacts } from './chromium.mjs'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..')

export function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts, env: { ...process.env, ...opts.env } })
  return res.status ?? 1
}

/** Installs the locked dependencies when node_modules is missing or older than the lockfile. */
export function ensureDependencies() {
  const marker = join(root, 'node_modules/.package-lock.json')
  const lock = join(root, 'package-lock.json')
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs - 1000) return
  console.log('Installing dependencies (npm ci; better-sqlite3 compiles from source, about 2 minutes)…')
  // The Electron binary cannot be downloaded everywhere; everything but the desktop shell runs without it.
  const code = run('npm', ['ci', '--no-audit', '--no-fund'], { env: { ELECTRON_SKIP_BINARY_DOWNLOAD: process.env.ELECTRON_SKIP_BINARY_DOWNLOAD ?? '1' } })
  if (code !== 0) throw new Error('npm ci failed')
}

function newest(path) {
  if (!existsSync(path)) return 0
  const st = statSync(path)
  if (!st.isDirectory()) return st.mtimeMs
  return Math.max(st.mtimeMs, ...readdirSync(path).map((f) => newest(join(path, f))))
}

/** Builds main, preload and renderer with electron-vite when a source is newer than the output. */
export function ensureBuild(force = false) {
  const out = join(root, 'out/renderer/index.html')
  const sources = Math.max(...['src', 'electron', 'domain', 'index.html', 'electron.vite.config.ts'].map((p) => newest(join(root, p))))
  if (!force && existsSync(out) && statSync(out).mtimeMs >= sources) return
  console.log('Building (electron-vite build)…')
  if (run('npx', ['electron-vite', 'build']) !== 0) throw new Error('electron-vite build failed')
}

/**
 * The Chromium the browser tests drive (scripts/chromium.mjs decides): found, or installed from
 * Debian where we are root with apt, or `null` after saying which one command to run.
 */
export function ensureChromium(env = process.env) {
  let decision = decideChromium(machineFacts(env))
  if (decision.action === 'install') {
    console.log(`No Chromium on this machine: installing Debian's (${decision.command.join(' ')})…`)
    const quiet = { stdio: ['ignore', 'ignore', 'inherit'], env: { DEBIAN_FRONTEND: 'noninteractive' } }
    const ok = run('apt-get', ['update', '-qq'], quiet) === 0 && run(decision.command[0], [...decision.command.slice(1), '-qq'], quiet) === 0
    decision = ok ? decideChromium(machineFacts(env)) : { action: 'stop', message: 'Installing Chromium with apt-get failed (above).', command: decision.command.join(' ') }
    if (decision.action === 'install') decision = { action: 'stop', message: 'apt-get installed chromium, but no Chromium was found after.', command: 'CHROMIUM_PATH=/path/to/chromium npm test' }
  }
  if (decision.action === 'use') return decision.path
  console.error(`\n${decision.message}\nRun this, then npm test again:\n\n    ${decision.command}\n`)
  return null
}
