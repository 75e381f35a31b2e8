/**
 * The host shell's command line: the till core plus its renderer on 127.0.0.1, for any
 * Chromium. `npm start` runs it (with --demo) where no Electron binary exists. With
 * `--terminal kiosk` the same core runs as a parent kiosk (it relays the guardian API only).
 * A till with no enrolment code and no device token shows its first-run screen, where the
 * server's address and a code are typed (src/views/FirstRunView.vue): that is how a fresh
 * install is enrolled, with or without --server-url to prefill the address.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { checkServerUrl, serverUrlRefusalMessage } from '../core/server-url'
import { openTill } from '../core/till'
import { findChromium, hasDisplay, openAppWindow } from './browser'
import { startDemoServer, type DemoServerReady } from './demo'
import { TerminalKind } from '../../domain/sync'
import { defaultDataDir } from './paths'
import { startHost } from './server'

const HELP = `Kantine till (host shell)

  --demo              start the embedded demo server (PGlite + demo data) and enrol this till
  --port N            serve on 127.0.0.1:N (default: a free port)
  --headless          do not open a window; print the URL and keep serving
  --kiosk             open the window full screen, locked (kiosk mode)
  --data-dir DIR      the till's data folder (default: ${defaultDataDir()}; with --demo: .data/demo/till)
  --server-url URL    the central server, e.g. https://kantine.kommune.dk (also --server;
                      given with --demo, the demo server is not started)
  --enrol-code CODE   one-time enrolment code from the server (first start only); without
                      one, an unenrolled till shows its first-run screen to enrol it there
  --name NAME         this till's name (default "Kasse 1"; a kiosk: "Kiosk 1")
  --terminal KIND     till (default) or kiosk: the parent kiosk, enrolled with a kiosk code
                      (with --demo: one the demo server makes; data in .data/demo/kiosk)
  --renderer DIR      built renderer (default out/renderer)
  --help              this text
`

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      demo: { type: 'boolean', default: false },
      port: { type: 'string' },
      headless: { type: 'boolean', default: false },
      kiosk: { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      'server-url': { type: 'string' },
      server: { type: 'string' },
      'enrol-code': { type: 'string' },
      name: { type: 'string' },
      renderer: { type: 'string' },
      terminal: { type: 'string', default: 'till' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  })
  if (values.help) {
    process.stdout.write(HELP)
    return
  }
  const terminal = TerminalKind.safeParse(values.terminal)
  if (!terminal.success) throw new Error(`--terminal must be till or kiosk, got ${values.terminal}`)
  const kind = terminal.data
  const repoRoot = resolve(import.meta.dirname, '../..')
  const port = values.port === undefined ? 0 : Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got ${values.port}`)
  const rendererDir = resolve(values.renderer ?? join(repoRoot, 'out/renderer'))
  if (!existsSync(join(rendererDir, 'index.html'))) throw new Error(`No built renderer in ${rendererDir}: run "npm run build" first`)

  if (values['server-url'] !== undefined && values.server !== undefined) throw new Error('Give the server once: --server-url or --server')
  let serverUrl = values['server-url'] ?? values.server
  // A real server named on the command line wins over the demo (`npm start` always adds --demo).
  const demo = values.demo && serverUrl === undefined
  if (values.demo && !demo) console.log('A server was given: the demo server is not started')
  // The device token travels with every request: https, or http only to this machine.
  if (serverUrl !== undefined) {
    const checked = checkServerUrl(serverUrl)
    if (!checked.ok) throw new Error(`--server-url: ${serverUrlRefusalMessage(checked.reason)}`)
    serverUrl = checked.url
  }
  let enrolmentCode = values['enrol-code']
  let stopDemo: (() => Promise<void>) | null = null
  const dataRoot = values['data-dir'] ? resolve(values['data-dir']) : demo ? join(repoRoot, '.data/demo') : defaultDataDir()
  const tillDir = demo ? join(dataRoot, kind) : dataRoot
  if (demo) {
    const demo = await startDemoServer({ repoRoot, dataDir: join(dataRoot, 'server') })
    serverUrl = demo.ready.url
    stopDemo = demo.stop
    const [locationId, tillCode] = Object.entries(demo.ready.enrolmentCodes)[0] ?? []
    enrolmentCode = kind === 'kiosk' && locationId ? await kioskCode(demo.ready, locationId).catch(async (err: unknown) => {
      await demo.stop()
      throw err
    }) : tillCode
    console.log(`Demo server: ${serverUrl} (pid ${demo.child.pid})`)
  }

  const log = (level: string, msg: string, extra?: Record<string, unknown>) =>
    console.error(JSON.stringify({ level, msg, ...extra, time: new Date().toISOString() }))
  const till = await openTill({
    dataDir: tillDir,
    serverUrl,
    enrolmentCode,
    tillName: values.name,
    terminalKind: kind,
    simulatedReader: demo || process.env.NODE_ENV === 'development',
    hidReader: true,
    log,
    afterSaleCommit: faultAfterSaleCommit(),
  })
  const host = await startHost({ till, rendererDir, port })
  console.log(`Kantine ${kind}: ${host.openUrl}`)

  const chromium = findChromium()
  // A kiosk's browser keeps nothing between launches: a throw-away profile, removed at the end.
  let profileDir = tillDir
  if (!values.headless && hasDisplay() && chromium) {
    if (kind === 'kiosk') profileDir = mkdtempSync(join(tmpdir(), 'kantine-kiosk-browser-'))
    const win = openAppWindow(chromium, host.openUrl, profileDir, values.kiosk)
    win.on('exit', () => void shutdown())
  } else if (!values.headless) {
    console.log('No display or no Chromium found: open the URL above in a browser. Serving until Ctrl+C.')
  }

  let closing = false
  async function shutdown(): Promise<void> {
    if (closing) return
    closing = true
    await host.close()
    await till.close()
    await stopDemo?.()
    if (profileDir !== tillDir) rmSync(profileDir, { recursive: true, force: true })
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown())
  process.on('SIGTERM', () => void shutdown())
}

/** A one-time kiosk code from the demo server, asked for with the demo's admin token. */
async function kioskCode(ready: DemoServerReady, locationId: string): Promise<string> {
  const res = await fetch(`${ready.url}/admin/enrolment-codes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ready.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ locationId, kind: 'kiosk' }),
  })
  const body = (await res.json()) as { code?: string; message?: string }
  if (!res.ok || !body.code) throw new Error(`The demo server gave no kiosk code (HTTP ${res.status}): ${body.message ?? ''}`)
  return body.code
}

/**
 * Test-only: KANTINE_FAULT=exit-after-sale-commit kills this process right after a sale's commit,
 * before its answer leaves, as a power cut would. Without the variable it does nothing.
 */
function faultAfterSaleCommit(): (() => void) | undefined {
  if (process.env.KANTINE_FAULT !== 'exit-after-sale-commit') return undefined
  console.error('KANTINE_FAULT=exit-after-sale-commit: this till dies after its first sale')
  return () => process.kill(process.pid, 'SIGKILL')
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
})
