/**
 * Electron main: wires the window, the session's locks and the IPC relay to the till core,
 * which runs in its own utility process (out/main/core.js). Every security decision lives in
 * security.ts (tested without Electron); this file only applies them.
 */
import { join } from 'node:path'
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  session,
  type IpcMainInvokeEvent,
  type Session,
  type WebContents,
} from 'electron'
import { isMethod, type RpcResponse } from '../core/api/contract'
import { registerAppScheme, serveRenderer } from './app-protocol'
import { CALL_CHANNEL, EVENT_CHANNEL } from './channels'
import { startCore, type CoreClient } from './core-client'
import { coreArgs, dangerousSwitches, FlagError, parseFlags, type ShellFlags } from './flags'
import {
  APP_ENTRY_URL,
  contentSecurityPolicy,
  createMainWindow,
  devServerOrigin,
  isAllowedDownload,
  isAllowedNavigation,
  isAllowedPermission,
  isAllowedRequest,
  isAppUrl,
  isBlockedKioskShortcut,
  isTrustedSender,
  visitPartition,
  windowFlags,
  withSecurityHeaders,
} from './security'

// electron-vite 6 builds main as ESM (package.json "type": "module"): out/main/index.js beside core.js.
const HERE = import.meta.dirname
const PRELOAD = join(HERE, '../preload/index.cjs')
const RENDERER_ROOT = join(HERE, '../renderer')
const CORE_ENTRY = join(HERE, 'core.js')

function log(level: 'info' | 'warn' | 'error', msg: string): void {
  const line = JSON.stringify({ t: new Date().toISOString(), level, src: 'main', msg })
  if (level === 'error') console.error(line)
  else console.log(line)
}

function refuseToStart(message: string): void {
  // Safe before `ready`: on Linux it prints to stderr, elsewhere it shows a dialog.
  dialog.showErrorBox('Kantine cannot start', message)
  app.exit(2)
}

function readFlags(): ShellFlags | null {
  try {
    const flags = parseFlags(process.argv.slice(1), process.env, { packaged: app.isPackaged })
    const dangerous = app.isPackaged ? dangerousSwitches(process.argv) : []
    if (dangerous.length > 0) {
      refuseToStart(`Refusing to run with ${dangerous.join(', ')}: it would open the till to other programs.`)
      return null
    }
    return flags
  } catch (err) {
    if (!(err instanceof FlagError)) throw err
    refuseToStart(err.message)
    return null
  }
}

const flags = readFlags()
if (flags) {
  // Sandbox every renderer, whatever a future window forgets to say (checklist item 4).
  app.enableSandbox()
  registerAppScheme()
  if (!app.requestSingleInstanceLock()) {
    // A second till on the same data would fight over the SQLite file and the card reader.
    app.quit()
  } else {
    run(flags)
  }
}

function run(flags: ShellFlags): void {
  // The Vite dev server is trusted only in an unpackaged run and only on loopback.
  const devOrigin = app.isPackaged ? undefined : devServerOrigin(process.env.ELECTRON_RENDERER_URL)
  const csp = contentSecurityPolicy({ devOrigin })
  let mainWindow: BrowserWindow | null = null
  let core: CoreClient | null = null
  let quitting = false
  let coreClosed = false
  // A parent kiosk: each visit gets a fresh in-memory browser session (visitPartition). The
  // data folder says what this PC is (a packaged app has no --terminal): the core is asked at
  // start, and a first-run enrolment as a kiosk (relayCall) makes it one from then on.
  let isKiosk = flags.terminal === 'kiosk'
  let visit = 0

  if (process.platform === 'win32') app.setAppUserModelId('dk.kantine.till')

  app.on('second-instance', () => {
    if (!mainWindow) return
    if (mainWindow.isMinimized()) mainWindow.restore()
    mainWindow.focus()
  })

  // Applied to every web contents Electron ever creates (windows, DevTools), not just ours.
  app.on('web-contents-created', (_event, contents) => lockDownContents(contents))

  function lockDownContents(contents: WebContents): void {
    // Checklist item 13: navigation stays inside the app.
    contents.on('will-navigate', (event, url) => {
      if (isAllowedNavigation(url, devOrigin)) return
      event.preventDefault()
      log('warn', `blocked navigation to ${url.slice(0, 200)}`)
    })
    contents.on('will-redirect', (event, url) => {
      if (isAllowedNavigation(url, devOrigin)) return
      event.preventDefault()
      log('warn', `blocked redirect to ${url.slice(0, 200)}`)
    })
    // Checklist item 14: no new windows, and nothing is handed to the OS browser either.
    contents.setWindowOpenHandler(({ url }) => {
      log('warn', `blocked window.open of ${url.slice(0, 200)}`)
      return { action: 'deny' }
    })
    // Checklist item 12: webviewTag is off; refuse any attempt anyway.
    contents.on('will-attach-webview', (event) => event.preventDefault())
    if (flags.kiosk) {
      contents.on('before-input-event', (event, input) => {
        if (isBlockedKioskShortcut(input)) event.preventDefault()
      })
    }
  }

  function lockDownSession(ses: Session): void {
    // Checklist item 5: the till needs no camera, microphone, notifications, geolocation,
    // clipboard, HID/USB/serial (the card reader is the core's, via node-hid) or anything else;
    // a kiosk only the camera, for the child's photo (isAllowedPermission).
    ses.setPermissionRequestHandler((_contents, permission, callback, details) => {
      const mediaTypes = details && 'mediaTypes' in details ? details.mediaTypes : undefined
      callback(isAllowedPermission(permission, { mediaTypes, requestingUrl: details?.requestingUrl }, { kiosk: isKiosk, devOrigin }))
    })
    ses.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
      isAllowedPermission(
        permission,
        { mediaTypes: details?.mediaType ? [details.mediaType] : undefined, requestingUrl: details?.requestingUrl ?? requestingOrigin },
        { kiosk: isKiosk, devOrigin },
      ),
    )
    ses.setDevicePermissionHandler(() => false)
    ses.setSpellCheckerEnabled(false)
    ses.on('will-download', (event, item) => {
      if (!isAllowedDownload(item.getURL(), item.getFilename(), devOrigin)) event.preventDefault()
    })
    // No remote content: whatever the page asks for outside our origin is cancelled.
    ses.webRequest.onBeforeRequest((details, callback) => {
      const allowed = isAllowedRequest(details.url, devOrigin)
      if (!allowed) log('warn', `blocked request to ${details.url.slice(0, 200)}`)
      callback({ cancel: !allowed })
    })
    // Checklist item 7: the CSP as a header on anything served over http(s) (the dev server);
    // app:// responses carry it from the protocol handler, and index.html repeats it in a <meta>.
    ses.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: withSecurityHeaders(details.responseHeaders, csp) })
    })
  }

  /** Checklist item 17: answer only our own window's top frame showing our own app. */
  function fromOurWindow(event: IpcMainInvokeEvent): boolean {
    const frame = event.senderFrame
    return mainWindow !== null && event.sender === mainWindow.webContents && isTrustedSender(frame?.url, frame?.parent === null, devOrigin)
  }

  /**
   * The browser session of the next window: the default one for a till; for a kiosk a new
   * in-memory partition per visit, locked down and serving the renderer like the default one.
   */
  function nextSession(): { ses: Session; partition?: string } {
    if (!isKiosk) return { ses: session.defaultSession }
    const partition = visitPartition(++visit)
    const ses = session.fromPartition(partition, { cache: false })
    lockDownSession(ses)
    serveRenderer(ses, RENDERER_ROOT, csp)
    return { ses, partition }
  }

  /**
   * `app.wipe` from a kiosk's page (a parent is done, or walked away): a new window on a new
   * in-memory session replaces the old one, whose session (storage, cache, cookies) is cleared
   * and dropped. The answer goes to a page that is already gone; it is for the record.
   */
  function wipeVisit(): RpcResponse<unknown> {
    const old = mainWindow
    mainWindow = createWindow()
    if (old && !old.isDestroyed()) {
      const ses = old.webContents.session
      old.destroy()
      void ses.clearStorageData().catch(() => {})
      void ses.clearCache().catch(() => {})
    }
    log('info', `kiosk visit ended; a fresh session (visit ${visit}) is open`)
    return { ok: true, value: { fresh: true } }
  }

  async function relayCall(event: IpcMainInvokeEvent, method: unknown, args: unknown): Promise<RpcResponse<unknown>> {
    const trusted = fromOurWindow(event)
    if (!trusted) {
      const frame = event.senderFrame
      log('warn', `refused IPC from ${frame?.url.slice(0, 200) ?? 'a closed frame'}`)
      return { ok: false, error: { code: 'forbidden', message: 'This caller may not use the till' } }
    }
    if (typeof method !== 'string' || !isMethod(method)) {
      // Describe, never stringify, what the renderer sent: it may be an object with a hostile toString.
      const what = typeof method === 'string' ? method.slice(0, 80) : `(a ${typeof method})`
      return { ok: false, error: { code: 'unknown-method', message: `Unknown method: ${what}` } }
    }
    if (method === 'app.wipe' && isKiosk) return wipeVisit()
    if (!core) return { ok: false, error: { code: 'internal', message: 'The till engine is not running' } }
    // The argument goes on untouched: the core's dispatch validates it against the contract (zod).
    const answer = await core.call(method, args)
    if (method === 'enrolment.enrol') learnKind(answer)
    return answer
  }

  /** From `app.info` or a first-run enrolment's answer: whether this PC now serves as a parent kiosk. */
  function learnKind(answer: RpcResponse<unknown>): void {
    if (!answer.ok || typeof answer.value !== 'object' || answer.value === null) return
    const v = answer.value as { terminalKind?: unknown; ok?: boolean; value?: { terminalKind?: unknown } }
    const kind = v.terminalKind ?? (v.ok === true ? v.value?.terminalKind : undefined)
    if (kind !== 'kiosk' && kind !== 'till') return
    if ((kind === 'kiosk') !== isKiosk) log('info', `this PC serves as a ${kind === 'kiosk' ? 'parent kiosk' : 'till'}`)
    isKiosk = kind === 'kiosk'
  }

  function createWindow(): BrowserWindow {
    const { partition } = nextSession()
    const win = createMainWindow(BrowserWindow, PRELOAD, { ...windowFlags(flags, app.isPackaged), partition })
    win.once('ready-to-show', () => win.show())
    win.on('close', (event) => {
      // Kiosk: the window closes only when the app quits (OS shutdown, service stop), never by a key.
      if (flags.kiosk && !quitting) event.preventDefault()
    })
    // Windows shutdown or log-off does not emit before-quit; the kiosk must not block it.
    win.on('session-end', () => {
      quitting = true
    })
    win.on('closed', () => {
      if (mainWindow === win) mainWindow = null
    })
    // A crashed renderer comes back by itself (the basket is lost, the sales are not: they are the
    // core's), but not in a loop: three crashes within a minute leave the window as it is.
    const crashes: number[] = []
    win.webContents.on('render-process-gone', (_event, details) => {
      if (details.reason === 'clean-exit' || win.isDestroyed()) return
      const now = Date.now()
      crashes.push(now)
      while ((crashes[0] ?? now) < now - 60_000) crashes.shift()
      const reload = crashes.length <= 3
      log('error', `renderer gone (${details.reason}); ${reload ? 'reloading' : 'not reloading again: it keeps crashing'}`)
      if (reload) void loadApp(win)
    })
    win.webContents.on('unresponsive', () => log('warn', 'renderer unresponsive'))
    void loadApp(win)
    return win
  }

  async function loadApp(win: BrowserWindow): Promise<void> {
    const url = devOrigin && process.env.ELECTRON_RENDERER_URL ? process.env.ELECTRON_RENDERER_URL : APP_ENTRY_URL
    try {
      await win.loadURL(url)
    } catch (err) {
      log('error', `could not load ${url}: ${String(err)}`)
    }
  }

  app.on('before-quit', () => {
    quitting = true
  })

  app.on('will-quit', (event) => {
    // Let the core close SQLite and release the card reader before the app goes.
    if (coreClosed || !core) return
    event.preventDefault()
    const closing = core
    core = null
    void closing.close().finally(() => {
      coreClosed = true
      app.quit()
    })
  })

  // A till is not a document app: no window, no app (macOS included).
  app.on('window-all-closed', () => app.quit())

  void app.whenReady().then(() => {
    if (flags.kiosk || app.isPackaged) Menu.setApplicationMenu(null)
    const ses = session.defaultSession
    lockDownSession(ses)
    serveRenderer(ses, RENDERER_ROOT, csp)

    const dataDir = flags.dataDir ?? join(app.getPath('userData'), flags.terminal === 'kiosk' ? 'kiosk' : 'till')
    const env: Record<string, string> = {}
    for (const [key, value] of Object.entries(process.env)) {
      if (value !== undefined && key !== 'KANTINE_ENROL_CODE' && key !== 'ELECTRON_RUN_AS_NODE') env[key] = value
    }
    // The enrolment code goes by environment, not argv, so it does not show in the process list.
    if (flags.enrolCode) env.KANTINE_ENROL_CODE = flags.enrolCode
    core = startCore({ modulePath: CORE_ENTRY, args: coreArgs({ ...flags, dataDir }), env, log })
    core.onEvent((message) => {
      const win = mainWindow
      if (!win || win.isDestroyed() || !isAppUrl(win.webContents.getURL(), devOrigin)) return
      win.webContents.send(EVENT_CHANNEL, message)
    })

    ipcMain.handle(CALL_CHANNEL, relayCall)
    // The first window waits for the core to say what it is (a kiosk's window is a visit's session).
    // At most a few seconds: a core that cannot open still gets a window to show its fault in.
    const asked = core.call('app.info', {}).then(learnKind, () => {})
    void Promise.race([asked, new Promise((r) => setTimeout(r, 5000))])
      .finally(() => {
        mainWindow = createWindow()
        log('info', `Kantine ${app.getVersion()} started${isKiosk ? ' as a parent kiosk' : ''}${flags.kiosk ? ' in kiosk mode' : ''}; data in ${dataDir}`)
      })
  })
}
