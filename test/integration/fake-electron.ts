/**
 * A recording stand-in for the parts of the `electron` module that electron/main uses, for
 * electron-shell.test.ts (vi.mock('electron')). It does nothing Electron does; it keeps what
 * main registered (handlers, window options, forked processes) so a test can drive main's
 * wiring the way Electron would: an IPC call from some frame, a navigation, a permission
 * request, a message from the core. Nothing here runs in the app.
 */
type Handler = (...args: never[]) => unknown

class Emitter {
  readonly handlers = new Map<string, Handler[]>()
  on(event: string, handler: Handler): this {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler])
    return this
  }
  once(event: string, handler: Handler): this {
    return this.on(event, handler)
  }
  emit(event: string, ...args: unknown[]): void {
    for (const h of this.handlers.get(event) ?? []) (h as (...a: unknown[]) => unknown)(...args)
  }
}

export class FakeWebContents extends Emitter {
  url = ''
  sent: [string, unknown][] = []
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null
  setWindowOpenHandler(h: (details: { url: string }) => { action: string }) {
    this.windowOpenHandler = h
  }
  send(channel: string, message: unknown) {
    this.sent.push([channel, message])
  }
  getURL() {
    return this.url
  }
  reload() {}
}

export class FakeChild extends Emitter {
  posted: unknown[] = []
  killed = false
  constructor(
    readonly modulePath: string,
    readonly args: string[],
    readonly options: { env?: Record<string, string> },
  ) {
    super()
  }
  postMessage(message: unknown) {
    this.posted.push(message)
  }
  kill() {
    this.killed = true
    this.emit('exit', 1)
  }
}

export interface FakeState {
  isPackaged: boolean
  windows: FakeWindow[]
  children: FakeChild[]
  ipcHandlers: Map<string, (event: unknown, ...args: unknown[]) => unknown>
  privilegedSchemes: unknown[]
  sandboxEnabled: boolean
  applicationMenu: unknown
  errorBoxes: string[]
  exitCodes: number[]
  quits: number
  session: {
    permissionRequest?: (wc: unknown, permission: string, callback: (granted: boolean) => void, details?: { mediaTypes?: string[]; requestingUrl?: string }) => void
    permissionCheck?: (...a: unknown[]) => boolean
    devicePermission?: (...a: unknown[]) => boolean
    spellChecker?: boolean
    beforeRequest?: (details: { url: string }, callback: (r: { cancel: boolean }) => void) => void
    headersReceived?: (details: { responseHeaders?: Record<string, string[]> }, callback: (r: { responseHeaders: Record<string, string[]> }) => void) => void
    protocolHandlers: Map<string, (request: Request) => Promise<Response>>
    events: Emitter
  }
}

export const state: FakeState = freshState()

function freshState(): FakeState {
  return {
    isPackaged: false,
    windows: [],
    children: [],
    ipcHandlers: new Map(),
    privilegedSchemes: [],
    sandboxEnabled: false,
    applicationMenu: undefined,
    errorBoxes: [],
    exitCodes: [],
    quits: 0,
    session: { protocolHandlers: new Map(), events: new Emitter() },
  }
}

export function resetFakeElectron(packaged = false): void {
  Object.assign(state, freshState(), { isPackaged: packaged })
  app.handlers.clear()
}

class FakeApp extends Emitter {
  get isPackaged() {
    return state.isPackaged
  }
  enableSandbox() {
    state.sandboxEnabled = true
  }
  requestSingleInstanceLock() {
    return true
  }
  whenReady() {
    return Promise.resolve()
  }
  getPath(name: string) {
    return `/fake/${name}`
  }
  getVersion() {
    return '0.0.0-test'
  }
  setAppUserModelId() {}
  quit() {
    state.quits++
  }
  exit(code: number) {
    state.exitCodes.push(code)
  }
}
export const app = new FakeApp()

export class FakeWindow extends Emitter {
  readonly webContents = new FakeWebContents()
  shown = false
  constructor(readonly options: Record<string, unknown>) {
    super()
    state.windows.push(this)
    app.emit('web-contents-created', {}, this.webContents)
  }
  loadURL(url: string) {
    this.webContents.url = url
    return Promise.resolve()
  }
  show() {
    this.shown = true
  }
  isDestroyed() {
    return false
  }
  isMinimized() {
    return false
  }
  restore() {}
  focus() {}
}
export const BrowserWindow = FakeWindow

export const ipcMain = {
  handle(channel: string, handler: (event: unknown, ...args: unknown[]) => unknown) {
    state.ipcHandlers.set(channel, handler)
  },
}
export const Menu = {
  setApplicationMenu(menu: unknown) {
    state.applicationMenu = menu
  },
}
export const dialog = {
  showErrorBox(_title: string, message: string) {
    state.errorBoxes.push(message)
  },
}
export const protocol = {
  registerSchemesAsPrivileged(schemes: unknown[]) {
    state.privilegedSchemes.push(...schemes)
  },
}
export const utilityProcess = {
  fork(modulePath: string, args: string[], options: { env?: Record<string, string> }) {
    const child = new FakeChild(modulePath, args, options)
    state.children.push(child)
    return child
  },
}
export const session = {
  get defaultSession() {
    const s = state.session
    return {
      setPermissionRequestHandler: (h: NonNullable<typeof s.permissionRequest>) => (s.permissionRequest = h),
      setPermissionCheckHandler: (h: NonNullable<typeof s.permissionCheck>) => (s.permissionCheck = h),
      setDevicePermissionHandler: (h: NonNullable<typeof s.devicePermission>) => (s.devicePermission = h),
      setSpellCheckerEnabled: (on: boolean) => (s.spellChecker = on),
      on: (event: string, h: Handler) => s.events.on(event, h),
      webRequest: {
        onBeforeRequest: (h: NonNullable<typeof s.beforeRequest>) => (s.beforeRequest = h),
        onHeadersReceived: (h: NonNullable<typeof s.headersReceived>) => (s.headersReceived = h),
      },
      protocol: { handle: (scheme: string, h: (request: Request) => Promise<Response>) => s.protocolHandlers.set(scheme, h) },
    }
  },
}
