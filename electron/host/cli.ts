/**
 * The host shell's command line: the till core plus its renderer on 127.0.0.1, for any
 * Chromium. `npm start` runs it (with --demo) where no Electron binary exists.
 */
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { checkServerUrl, serverUrlRefusalMessage } from '../core/server-url'
import { openTill } from '../core/till'
import { findChromium, hasDisplay, openAppWindow } from './browser'
import { startDemoServer } from './demo'
import { defaultDataDir } from './paths'
import { startHost } from './server'

const HELP = `Kantine till (host shell)

  --demo              start the embedded demo server (PGlite + demo data) and enrol this till
  --port N            serve on 127.0.0.1:N (default: a free port)
  --headless          do not open a window; print the URL and keep serving
  --kiosk             open the window full screen, locked (kiosk mode)
  --data-dir DIR      the till's data folder (default: ${defaultDataDir()}; with --demo: .data/demo/till)
  --server-url URL    the central server, e.g. https://kantine.kommune.dk
  --enrol-code CODE   one-time enrolment code from the server (first start only)
  --name NAME         this till's name (default "Kasse 1")
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
      'enrol-code': { type: 'string' },
      name: { type: 'string' },
      renderer: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  })
  if (values.help) {
    process.stdout.write(HELP)
    return
  }
  const repoRoot = resolve(import.meta.dirname, '../..')
  const port = values.port === undefined ? 0 : Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got ${values.port}`)
  const rendererDir = resolve(values.renderer ?? join(repoRoot, 'out/renderer'))
  if (!existsSync(join(rendererDir, 'index.html'))) throw new Error(`No built renderer in ${rendererDir}: run "npm run build" first`)

  let serverUrl = values['server-url']
  // The device token travels with every request: https, or http only to this machine.
  if (serverUrl !== undefined) {
    const checked = checkServerUrl(serverUrl)
    if (!checked.ok) throw new Error(`--server-url: ${serverUrlRefusalMessage(checked.reason)}`)
    serverUrl = checked.url
  }
  let enrolmentCode = values['enrol-code']
  let stopDemo: (() => Promise<void>) | null = null
  const dataRoot = values['data-dir'] ? resolve(values['data-dir']) : values.demo ? join(repoRoot, '.data/demo') : defaultDataDir()
  const tillDir = values.demo ? join(dataRoot, 'till') : dataRoot
  if (values.demo) {
    const demo = await startDemoServer({ repoRoot, dataDir: join(dataRoot, 'server') })
    serverUrl = demo.ready.url
    enrolmentCode = Object.values(demo.ready.enrolmentCodes)[0]
    stopDemo = demo.stop
    console.log(`Demo server: ${serverUrl} (pid ${demo.child.pid})`)
  }

  const log = (level: string, msg: string, extra?: Record<string, unknown>) =>
    console.error(JSON.stringify({ level, msg, ...extra, time: new Date().toISOString() }))
  const till = await openTill({
    dataDir: tillDir,
    serverUrl,
    enrolmentCode,
    tillName: values.name,
    simulatedReader: values.demo || process.env.NODE_ENV === 'development',
    hidReader: true,
    log,
    afterSaleCommit: faultAfterSaleCommit(),
  })
  const host = await startHost({ till, rendererDir, port })
  console.log(`Kantine till: ${host.openUrl}`)

  const chromium = findChromium()
  if (!values.headless && hasDisplay() && chromium) {
    const win = openAppWindow(chromium, host.openUrl, tillDir, values.kiosk)
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
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown())
  process.on('SIGTERM', () => void shutdown())
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
