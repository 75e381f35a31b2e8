// `npm start`: installs what is missing, builds, and runs Kantine on the embedded demo (a demo
// server with PGlite and the demo data set, and a till enrolled to it). In Electron where its
// binary exists; otherwise the host shell plus the system Chromium in an app window, or with
// no display, the URL to open.
import { existsSync, readFileSync } from 'node:fs'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { ensureBuild, ensureDependencies, root, run } from './lib.mjs'

const args = process.argv.slice(2)
const wantsHelp = args.includes('--help') || args.includes('-h')

ensureDependencies()

/** The Electron executable, if its binary was downloaded (it cannot be on every machine). */
function electronBinary() {
  const pathFile = join(root, 'node_modules/electron/path.txt')
  if (!existsSync(pathFile)) return null
  const bin = join(root, 'node_modules/electron/dist', readFileSync(pathFile, 'utf8').trim())
  return existsSync(bin) ? bin : null
}

if (wantsHelp) {
  console.log(`npm start [-- options]

Starts Kantine on the embedded demo: a demo server (PGlite, demo data) and a till enrolled to it.
Opens the till in Electron where its binary exists, else in Chromium; with no display it prints the URL.

  --headless          do not open a window; print the URL and keep serving
  --port N            serve the till on 127.0.0.1:N
  --kiosk             full-screen, locked window
  --terminal KIND     till (default) or kiosk: run the parent kiosk instead of a till
  --host              use the host shell + Chromium even where Electron exists
  --data-dir DIR      where the demo keeps its data (default .data/demo)
  --help              this text

  --server-url URL    a real server instead of the demo: an unenrolled till opens its first-run
                      screen (address, enrolment code, till or kiosk)
`)
  process.exit(0)
}

ensureBuild()
const electron = electronBinary()
const useHost = args.includes('--headless') || args.includes('--host') || !electron
const passOn = args.filter((a) => a !== '--host')
// A server of one's own (`-- --server-url URL`): no demo; an unenrolled till shows its first-run screen.
const ownServer = args.includes('--server-url') || args.includes('--server')
if (useHost) {
  process.exit(run(process.execPath, ['--import', 'tsx', 'electron/host/cli.ts', ...(ownServer ? [] : ['--demo']), ...passOn]))
} else if (ownServer) {
  process.exit(run(electron, ['.', ...passOn]))
} else {
  // Electron: the demo server runs as its own process, the desktop app enrols to it.
  const dataDir = valueOf('--data-dir') ?? join(root, '.data/demo')
  const server = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', '--demo', '--port', '0', '--data-dir', join(dataDir, 'server')], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const ready = await new Promise((resolve, reject) => {
    server.once('exit', (code) => reject(new Error(`demo server stopped (${code})`)))
    createInterface({ input: server.stdout }).on('line', (line) => {
      try {
        const msg = JSON.parse(line)
        if (msg.event === 'ready') resolve(msg)
      } catch {
        // a log line
      }
    })
  })
  const terminal = valueOf('--terminal') ?? 'till'
  if (terminal !== 'till' && terminal !== 'kiosk') {
    server.kill('SIGTERM')
    throw new Error(`--terminal must be till or kiosk, got ${terminal}`)
  }
  const [locationId, tillCode] = Object.entries(ready.enrolmentCodes)[0]
  const code = terminal === 'kiosk' ? await kioskCode(ready, locationId) : tillCode
  const appArgs = ['.', '--server-url', ready.url, '--enrol-code', code, '--data-dir', join(dataDir, terminal), '--terminal', terminal, '--dev']
  if (args.includes('--kiosk')) appArgs.push('--kiosk')
  const status = run(electron, appArgs)
  server.kill('SIGTERM')
  process.exit(status)
}

/** A one-time kiosk code from the demo server, asked for with the demo's admin token. */
async function kioskCode(ready, locationId) {
  const res = await fetch(`${ready.url}/admin/enrolment-codes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ready.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ locationId, kind: 'kiosk' }),
  })
  const body = await res.json()
  if (!res.ok || !body.code) throw new Error(`the demo server gave no kiosk code (HTTP ${res.status}): ${body.message ?? ''}`)
  return body.code
}

function valueOf(flag) {
  const i = args.indexOf(flag)
  return i >= 0 ? args[i + 1] : undefined
}
