/**
 * The Electron desktop shell, tested without the Electron binary (it cannot be downloaded on
 * this kind of machine): the security decisions (electron/main/security.ts, flags.ts), the
 * main ↔ core message protocol, the built preload and core entry run in plain Node, the fuse
 * hook on a fake fuse wire, and the electron-builder configuration end to end with a stand-in
 * executable. What only a real Electron can show (the window, the sandbox, the app:// scheme at
 * run time, real fuses) is listed in the shell's report, not pretended here.
 */
import { execFile, fork } from 'node:child_process'
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { builtinModules, createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import vm from 'node:vm'
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { EventMessage, RpcResponse } from '../../electron/core/api/contract'
import type { Till } from '../../electron/core/till'
import { createRelay, serveTill, type FromCore, type ParentPortLike, type ToCore } from '../../electron/main/core-protocol'
import { coreArgs, dangerousSwitches, FlagError, parseFlags } from '../../electron/main/flags'
import {
  APP_ENTRY_URL,
  contentSecurityPolicy,
  createMainWindow,
  devServerOrigin,
  isAllowedNavigation,
  isAllowedPermission,
  isAllowedRequest,
  isBlockedKioskShortcut,
  isTrustedSender,
  mimeType,
  resolveAppAsset,
  windowFlags,
  withSecurityHeaders,
} from '../../electron/main/security'
import * as fakeElectron from './fake-electron'

// Only the "main's wiring" tests import electron/main/index.ts; everything else here is Electron-free.
// The factory hands out the one instance the test holds, also after vi.resetModules().
vi.mock('electron', () => (globalThis as { __kantineFakeElectron?: typeof fakeElectron }).__kantineFakeElectron!)
;(globalThis as { __kantineFakeElectron?: typeof fakeElectron }).__kantineFakeElectron = fakeElectron

const root = resolve(import.meta.dirname, '../..')
const packageVersion = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version
const require = createRequire(import.meta.url)
const tmpDirs: string[] = []
function tmp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `kantine-shell-${prefix}-`))
  tmpDirs.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true })
})

// ---- the window ---------------------------------------------------------------------------------

type WindowOptions = Electron.BrowserWindowConstructorOptions
function recordWindow(flags: { kiosk: boolean; devTools: boolean }): WindowOptions {
  const seen: WindowOptions[] = []
  class RecordingWindow {
    constructor(options: WindowOptions) {
      seen.push(options)
    }
  }
  createMainWindow(RecordingWindow, '/app/out/preload/index.cjs', flags)
  expect(seen).toHaveLength(1)
  return seen[0]!
}

describe('the till window', () => {
  it('isolates and sandboxes the renderer, with Node nowhere in it', () => {
    const prefs = recordWindow({ kiosk: false, devTools: false }).webPreferences!
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: false,
      preload: '/app/out/preload/index.cjs',
    })
    expect(prefs.disableBlinkFeatures).toContain('Auxclick')
  })

  it('sets no preference outside the reviewed list (no enableBlinkFeatures, no partition tricks)', () => {
    const prefs = recordWindow({ kiosk: false, devTools: true }).webPreferences!
    const reviewed = [
      'preload', 'contextIsolation', 'sandbox', 'nodeIntegration', 'nodeIntegrationInWorker', 'nodeIntegrationInSubFrames',
      'webSecurity', 'allowRunningInsecureContent', 'experimentalFeatures', 'webviewTag', 'disableBlinkFeatures',
      'navigateOnDragDrop', 'spellcheck', 'safeDialogs', 'devTools',
    ]
    expect(Object.keys(prefs).filter((k) => !reviewed.includes(k))).toEqual([])
  })

  it('locks a kiosk into fullscreen kiosk mode without DevTools', () => {
    const kiosk = recordWindow({ kiosk: true, devTools: false })
    expect(kiosk).toMatchObject({ kiosk: true, fullscreen: true, minimizable: false })
    expect(kiosk.webPreferences!.devTools).toBe(false)
    expect(recordWindow({ kiosk: false, devTools: false })).toMatchObject({ kiosk: false, fullscreen: false })
  })

  it('offers DevTools in development only, and never in a kiosk', () => {
    expect(windowFlags({ kiosk: false, dev: false }, true)).toEqual({ kiosk: false, devTools: false })
    expect(windowFlags({ kiosk: false, dev: true }, true)).toEqual({ kiosk: false, devTools: true })
    expect(windowFlags({ kiosk: false, dev: false }, false)).toEqual({ kiosk: false, devTools: true })
    expect(windowFlags({ kiosk: true, dev: true }, false)).toEqual({ kiosk: true, devTools: false })
  })

  it('blocks the keys that would close, reload, print or inspect a kiosk, and nothing a cashier types', () => {
    const key = (k: string, mods: Partial<{ control: boolean; alt: boolean; shift: boolean; meta: boolean }> = {}, type = 'keyDown') =>
      isBlockedKioskShortcut({ type: type as 'keyDown', key: k, control: false, alt: false, shift: false, meta: false, ...mods })
    expect(key('F4', { alt: true })).toBe(true)
    expect(key('w', { control: true })).toBe(true)
    expect(key('R', { control: true, shift: true })).toBe(true)
    expect(key('F5')).toBe(true)
    expect(key('F11')).toBe(true)
    expect(key('F12')).toBe(true)
    expect(key('I', { control: true, shift: true })).toBe(true)
    expect(key('p', { control: true })).toBe(true)
    expect(key('ArrowLeft', { alt: true })).toBe(true)
    for (const k of ['1', 'a', 'A', 'Enter', 'Backspace', 'Escape', 'Tab', 'ArrowLeft', ' ']) expect(key(k), k).toBe(false)
    expect(key('F4', { alt: true }, 'keyUp')).toBe(false)
  })
})

// ---- CSP ----------------------------------------------------------------------------------------

function directives(policy: string): Map<string, string[]> {
  const map = new Map<string, string[]>()
  for (const part of policy.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/)
    if (name) map.set(name.toLowerCase(), values)
  }
  return map
}

/** Sources that would let remote content in: any scheme or host other than our own origin and inline data. */
function remoteSources(policy: string, allowLoopback = false): string[] {
  const out: string[] = []
  for (const [, values] of directives(policy)) {
    for (const v of values) {
      if (v.startsWith("'") || v === 'data:' || v === 'blob:') continue
      if (allowLoopback && /^(https?|wss?):\/\/(127\.0\.0\.1|localhost)(:(\d+|\*))?$/.test(v)) continue
      out.push(v)
    }
  }
  return out
}

const UNSAFE = ["'unsafe-inline'", "'unsafe-eval'", "'wasm-unsafe-eval'", "'unsafe-hashes'", '*']

describe('permissions', () => {
  it('lets only a kiosk use the camera, video only, for its own page', () => {
    const own = { requestingUrl: 'app://kantine/index.html' }
    expect(isAllowedPermission('media', { ...own, mediaTypes: ['video'] }, { kiosk: true })).toBe(true)
    expect(isAllowedPermission('media', { ...own, mediaTypes: ['video'] }, { kiosk: false })).toBe(false)
    expect(isAllowedPermission('media', { ...own, mediaTypes: ['video', 'audio'] }, { kiosk: true })).toBe(false)
    expect(isAllowedPermission('media', { ...own, mediaTypes: ['audio'] }, { kiosk: true })).toBe(false)
    expect(isAllowedPermission('media', { ...own, mediaTypes: [] }, { kiosk: true })).toBe(false)
    expect(isAllowedPermission('media', { requestingUrl: 'https://evil.example/', mediaTypes: ['video'] }, { kiosk: true })).toBe(false)
    expect(isAllowedPermission('media', { mediaTypes: ['video'] }, { kiosk: true })).toBe(false)
    for (const p of ['geolocation', 'notifications', 'hid', 'clipboard-read', 'fullscreen']) {
      expect(isAllowedPermission(p, { ...own, mediaTypes: ['video'] }, { kiosk: true }), p).toBe(false)
    }
  })
})

describe('the content security policy', () => {
  const header = contentSecurityPolicy()
  const meta = contentSecurityPolicy({ forMeta: true })

  it('allows script only from the app itself: no inline script, no eval, nothing remote', () => {
    for (const policy of [header, meta]) {
      const d = directives(policy)
      expect(d.get('default-src')).toEqual(["'none'"])
      expect(d.get('script-src')).toEqual(["'self'"])
      expect(d.get('object-src')).toEqual(["'none'"])
      expect(d.get('base-uri')).toEqual(["'none'"])
      expect(d.get('form-action')).toEqual(["'none'"])
      expect(d.get('frame-src')).toEqual(["'none'"])
      for (const values of d.values()) for (const u of UNSAFE) expect(values).not.toContain(u)
      expect(remoteSources(policy)).toEqual([])
    }
    expect(directives(header).get('frame-ancestors')).toEqual(["'none'"])
    // frame-ancestors is ignored (with a console error) in a <meta> tag.
    expect(directives(meta).has('frame-ancestors')).toBe(false)
  })

  it('passes Google\'s CSP evaluator (the one electronegativity uses) with no high or medium finding', () => {
    const csp = require('@doyensec/csp-evaluator')
    for (const policy of [header, meta]) {
      const findings: { severity: number; description: string }[] = new csp.CspEvaluator(new csp.CspParser(policy).csp, csp.Version.CSP3).evaluate()
      const serious = findings.filter((f) => f.severity <= csp.severities.MEDIUM)
      expect(serious.map((f) => f.description)).toEqual([])
    }
  })

  it('opens only the loopback dev server, and only for HMR and Vite\'s injected styles, in development', () => {
    const dev = directives(contentSecurityPolicy({ devOrigin: 'http://localhost:5173' }))
    expect(dev.get('script-src')).toEqual(["'self'"])
    expect(dev.get('connect-src')).toEqual(["'self'", 'ws://localhost:5173'])
    expect(dev.get('style-src')).toEqual(["'self'", "'unsafe-inline'"])
  })

  it('replaces whatever CSP a response brought with ours, whatever the header\'s spelling', () => {
    const headers = withSecurityHeaders({ 'content-security-policy': ["default-src *"], 'Content-Type': 'text/html', 'X-Content-Type-Options': 'x' }, header)
    expect(headers['Content-Security-Policy']).toEqual([header])
    expect(headers['X-Content-Type-Options']).toEqual(['nosniff'])
    expect(headers['Content-Type']).toEqual(['text/html'])
    expect(Object.keys(headers).filter((k) => k.toLowerCase() === 'content-security-policy')).toHaveLength(1)
  })

  it.skipIf(!existsSync(join(root, 'index.html')))('index.html repeats a CSP with no inline script, no eval and nothing beyond loopback', () => {
    const html = readFileSync(join(root, 'index.html'), 'utf8')
    const tag = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html)
    expect(tag, 'index.html has a CSP <meta> tag').not.toBeNull()
    const policy = tag![1]!
    const d = directives(policy)
    const scriptSrc = d.get('script-src') ?? d.get('default-src') ?? []
    for (const u of UNSAFE) expect(scriptSrc).not.toContain(u)
    expect(scriptSrc.length).toBeGreaterThan(0)
    expect(remoteSources(policy, true)).toEqual([])
  })
})

// ---- who may talk to main, and where the window may go ---------------------------------------

describe('the IPC sender check', () => {
  it('trusts the top frame of our own app:// origin', () => {
    expect(isTrustedSender(APP_ENTRY_URL)).toBe(true)
    expect(isTrustedSender('app://kantine/index.html#/sale?x=1')).toBe(true)
    expect(isTrustedSender('app://kantine/')).toBe(true)
  })

  it('rejects every other origin, a look-alike, a sub-frame and a closed frame', () => {
    for (const url of [
      'app://kantine.evil/index.html',
      'app://evil/index.html',
      'app://kantine:8080/index.html',
      'app://user@kantine/index.html',
      'app://kantine@evil/index.html',
      'app://evil/#app://kantine/',
      'kantine://app/index.html',
      'file:///work/main/out/renderer/index.html',
      'https://kantine/index.html',
      'http://localhost:5173/',
      'about:blank',
      'devtools://devtools/bundled/inspector.html',
      'data:text/html,<script>1</script>',
      'null',
      '',
    ]) {
      expect(isTrustedSender(url), url).toBe(false)
    }
    expect(isTrustedSender(APP_ENTRY_URL, false)).toBe(false)
    expect(isTrustedSender(undefined)).toBe(false)
    expect(isTrustedSender(null)).toBe(false)
  })

  it('trusts a dev server only on loopback http, and then only that exact origin', () => {
    expect(devServerOrigin('http://localhost:5173/')).toBe('http://localhost:5173')
    expect(devServerOrigin('http://127.0.0.1:5173')).toBe('http://127.0.0.1:5173')
    for (const bad of ['https://localhost:5173', 'http://evil.example:5173', 'http://localhost.evil.example', 'http://user@localhost:5173', 'file:///x', '', undefined]) {
      expect(devServerOrigin(bad), String(bad)).toBeUndefined()
    }
    const dev = 'http://localhost:5173'
    expect(isTrustedSender('http://localhost:5173/#/sale', true, dev)).toBe(true)
    expect(isTrustedSender('http://localhost:5174/', true, dev)).toBe(false)
    expect(isTrustedSender('http://127.0.0.1:5173/', true, dev)).toBe(false)
  })
})

describe('navigation and requests', () => {
  it('keeps the window inside the app', () => {
    expect(isAllowedNavigation('app://kantine/index.html')).toBe(true)
    for (const url of ['https://example.com/', 'http://127.0.0.1:4800/', 'file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,x', 'app://other/']) {
      expect(isAllowedNavigation(url), url).toBe(false)
    }
  })

  it('lets the page load nothing from the network', () => {
    for (const url of ['app://kantine/assets/index.js', 'data:image/png;base64,AAAA', 'blob:app://kantine/1234', 'devtools://devtools/x']) {
      expect(isAllowedRequest(url), url).toBe(true)
    }
    for (const url of ['https://cdn.example/x.js', 'http://127.0.0.1:4800/api', 'ws://localhost:5173/', 'file:///etc/passwd', 'app://evil/x']) {
      expect(isAllowedRequest(url), url).toBe(false)
    }
    expect(isAllowedRequest('ws://localhost:5173/', 'http://localhost:5173')).toBe(true)
  })

  it('serves only files under the renderer folder on app://', () => {
    const r = '/app/out/renderer'
    expect(resolveAppAsset('app://kantine/', r)).toBe(join(r, 'index.html'))
    expect(resolveAppAsset('app://kantine/index.html', r)).toBe(join(r, 'index.html'))
    expect(resolveAppAsset('app://kantine/assets/index-1.js?v=1#x', r)).toBe(join(r, 'assets/index-1.js'))
    expect(resolveAppAsset('app://kantine/sale/today', r)).toBe(join(r, 'index.html'))
    for (const url of [
      'app://kantine/../../etc/passwd',
      'app://kantine/%2e%2e/%2e%2e/etc/passwd',
      'app://kantine/assets/..%2f..%2f..%2fetc%2fpasswd',
      'app://kantine/..%5c..%5cwindows%5cwin.ini',
      'app://kantine/assets/x.js%00.png',
      'app://kantine/%E0%A4%A',
      'app://evil/index.html',
      'app://kantine:1/index.html',
    ]) {
      const file = resolveAppAsset(url, r)
      expect(file === null || file.startsWith(`${r}/`), `${url} → ${file}`).toBe(true)
      if (file) expect(file).not.toContain('passwd')
    }
    expect(resolveAppAsset('app://kantine/assets/..%2f..%2f..%2fetc%2fpasswd', r)).toBeNull()
    expect(mimeType('a/b.JS')).toMatch(/^text\/javascript/)
    expect(mimeType('x.unknown')).toBe('application/octet-stream')
  })
})

// ---- flags --------------------------------------------------------------------------------------

describe('command-line flags', () => {
  it('reads --flag value and --flag=value, and ignores what is not ours', () => {
    const flags = parseFlags(['/opt/Kantine/kantine', '--kiosk', '--no-zygote', '--data-dir', '/var/lib/kantine', '--server-url=https://kantine.kommune.dk/', '--name=Kasse 2'])
    expect(flags).toEqual({ kiosk: true, dev: false, dataDir: '/var/lib/kantine', serverUrl: 'https://kantine.kommune.dk', tillName: 'Kasse 2' })
    expect(parseFlags(['.', '--dev'])).toEqual({ kiosk: false, dev: true })
  })

  it('takes the enrolment code from the environment too, and never passes it on argv', () => {
    const flags = parseFlags(['--data-dir=/d'], { KANTINE_ENROL_CODE: 'ABCD-1234' })
    expect(flags.enrolCode).toBe('ABCD-1234')
    expect(coreArgs({ ...flags, dataDir: '/d', dev: true }).join(' ')).toBe('--data-dir=/d --dev')
    expect(parseFlags(['--enrol-code', 'XY12-34ZZ']).enrolCode).toBe('XY12-34ZZ')
  })

  it('refuses values that are missing or wrong, with a message that says which', () => {
    expect(() => parseFlags(['--data-dir'])).toThrow(FlagError)
    expect(() => parseFlags(['--data-dir', '--kiosk'])).toThrow(/--data-dir needs a value/)
    expect(() => parseFlags(['--server-url=ftp://x'])).toThrow(/http or https/)
    expect(() => parseFlags(['--server-url=not a url'])).toThrow(/not a URL/)
    expect(() => parseFlags(['--server-url=https://u:p@x.dk'])).toThrow(/credentials/)
    expect(() => parseFlags(['--enrol-code=a b'])).toThrow(/enrol-code/)
    expect(() => parseFlags(['--kiosk=no'])).toThrow(/takes no value/)
    expect(() => parseFlags(['--name='])).toThrow(/--name/)
  })

  it('ignores --dev in a packaged app: a counter till never shows the simulated card reader', () => {
    expect(parseFlags(['/opt/Kantine/kantine', '--dev'], {}, { packaged: true })).toEqual({ kiosk: false, dev: false })
    expect(parseFlags(['/opt/Kantine/kantine', '--kiosk', '--dev'], {}, { packaged: true }).kiosk).toBe(true)
    const flags = parseFlags(['--dev', '--data-dir=/d'], {}, { packaged: true })
    expect(coreArgs({ ...flags, dataDir: '/d' })).toEqual(['--data-dir=/d'])
    // An unpackaged run (development) keeps it.
    expect(parseFlags(['.', '--dev'], {}, { packaged: false }).dev).toBe(true)
  })

  it('takes --server-url only as https, or http to this machine', () => {
    expect(() => parseFlags(['--server-url=http://kantine.kommune.dk'])).toThrow(/must use https/)
    expect(() => parseFlags(['--server-url', 'http://192.168.1.10:4800'])).toThrow(FlagError)
    expect(() => parseFlags([], { KANTINE_SERVER_URL: 'http://10.0.0.5' })).toThrow(/must use https/)
    expect(parseFlags(['--server-url=http://127.0.0.1:4800/']).serverUrl).toBe('http://127.0.0.1:4800')
    expect(parseFlags(['--server-url=http://localhost:4800']).serverUrl).toBe('http://localhost:4800')
    expect(parseFlags(['--server-url=http://[::1]:4800']).serverUrl).toBe('http://[::1]:4800')
    expect(() => parseFlags(['--server-url=https://u:secret@x.dk'])).toThrow(/^(?!.*secret).*credentials/)
  })

  it('spots the switches a packaged till refuses to start with', () => {
    expect(dangerousSwitches(['kantine', '--kiosk', '--remote-debugging-port=9222', '--inspect', '--no-sandbox'])).toEqual([
      '--remote-debugging-port=9222',
      '--inspect',
      '--no-sandbox',
    ])
    expect(dangerousSwitches(['kantine', '--kiosk', '--data-dir=/x'])).toEqual([])
  })
})

// ---- main ↔ core protocol ------------------------------------------------------------------------

function fakePort() {
  let listener: ((e: { data: unknown }) => void) | null = null
  const sent: FromCore[] = []
  const port: ParentPortLike = {
    on(_event, l) {
      listener = l
      return port
    },
    postMessage: (m) => sent.push(m),
  }
  return { port, sent, deliver: (data: unknown) => listener?.({ data }) }
}

const flush = () => new Promise((r) => setImmediate(r))

describe('the relay between main and the core', () => {
  it('answers each call with its own response, whatever order the core answers in', async () => {
    const posted: ToCore[] = []
    const relay = createRelay((m) => posted.push(m))
    const a = relay.call('app.info', {})
    const b = relay.call('sync.status', {})
    expect(posted).toEqual([
      { id: 1, method: 'app.info', args: {} },
      { id: 2, method: 'sync.status', args: {} },
    ])
    relay.receive({ id: 2, response: { ok: true, value: 'B' } })
    relay.receive({ id: 1, response: { ok: true, value: 'A' } })
    expect(await a).toEqual({ ok: true, value: 'A' })
    expect(await b).toEqual({ ok: true, value: 'B' })
    expect(relay.pending).toBe(0)
  })

  it('passes events through and ignores malformed messages', () => {
    const relay = createRelay(() => {})
    const event: EventMessage = { event: 'reader.card', payload: { cardNumber: 'DEMO0001' } }
    expect(relay.receive({ event })).toEqual(event)
    expect(relay.receive({ id: 99, response: { ok: true, value: 1 } })).toBeNull()
    expect(relay.receive({ id: 'x', response: 1 })).toBeNull()
    expect(relay.receive(null)).toBeNull()
  })

  it('fails calls still waiting when the core dies, instead of leaving the till hanging', async () => {
    const relay = createRelay(() => {})
    const call = relay.call('sale.record', { cardNumber: 'X', lines: [] })
    relay.failAll('The till engine stopped')
    expect(await call).toEqual({ ok: false, error: { code: 'internal', message: 'The till engine stopped' } })
  })

  it('serves calls that arrive before the till has opened, forwards events, and closes the till on request', async () => {
    const { port, sent, deliver } = fakePort()
    const listeners: ((m: EventMessage) => void)[] = []
    let closed = false
    let opened!: (t: Till) => void
    const till: Till = {
      dispatch: async (method, args) => ({ ok: true, value: { method, args } }),
      subscribe: (l) => {
        listeners.push(l)
        return () => {}
      },
      close: async () => {
        closed = true
      },
    }
    const exits: number[] = []
    serveTill(port, new Promise<Till>((r) => (opened = r)), (code) => exits.push(code))
    deliver({ id: 7, method: 'app.info', args: {} })
    await flush()
    expect(sent).toEqual([])
    opened(till)
    await flush()
    expect(sent).toEqual([{ id: 7, response: { ok: true, value: { method: 'app.info', args: {} } } }])
    listeners[0]!({ event: 'sync.status', payload: {} as never })
    expect(sent.at(-1)).toEqual({ event: { event: 'sync.status', payload: {} } })
    deliver({ close: true })
    await flush()
    expect(closed).toBe(true)
    expect(exits).toEqual([0])
    deliver({ id: 8, method: 'app.info', args: {} })
    await flush()
    expect(sent.at(-1)).toMatchObject({ id: 8, response: { ok: false, error: { code: 'internal' } } })
  })

  it('exits with an error when the till cannot open, so main restarts it', async () => {
    const { port, sent, deliver } = fakePort()
    const exits: number[] = []
    serveTill(port, Promise.reject(new Error('disk full')), (code) => exits.push(code))
    deliver({ id: 1, method: 'app.info', args: {} })
    await flush()
    expect(exits).toEqual([1])
    expect(sent).toEqual([{ id: 1, response: { ok: false, error: { code: 'internal', message: expect.any(String) } } }])
  })
})

// ---- main's wiring, driven through a fake electron module -----------------------------------------

const { state } = fakeElectron
const argvBefore = process.argv
const envBefore = { ...process.env }

/** Loads electron/main/index.ts afresh, as Electron would with this command line, and lets `ready` run. */
async function startMain(argv: string[], options: { packaged?: boolean; env?: Record<string, string> } = {}) {
  fakeElectron.resetFakeElectron(options.packaged ?? false)
  process.argv = ['/opt/Kantine/kantine', ...argv]
  for (const [k, v] of Object.entries(options.env ?? {})) process.env[k] = v
  vi.resetModules()
  await import('../../electron/main/index')
  await flush()
  // Main asks the core what this PC is (app.info) before it opens the first window; the stand-in
  // core answers as a till, and the question is taken off the record so the tests see only theirs.
  const child = state.children[0]
  const asked = child?.posted.findIndex((m) => (m as { method?: string }).method === 'app.info') ?? -1
  if (child && asked !== -1) {
    const [question] = child.posted.splice(asked, 1) as [{ id: number }]
    child.emit('message', { id: question.id, response: { ok: true, value: { terminalKind: 'till' } } })
    await flush()
  }
  return { win: state.windows[0], child: state.children[0] }
}

afterEach(() => {
  process.argv = argvBefore
  for (const k of Object.keys(process.env)) if (!(k in envBefore)) delete process.env[k]
})

function ipcEvent(win: fakeElectron.FakeWindow, url: string | null, topFrame = true) {
  return { sender: win.webContents, senderFrame: url === null ? null : { url, parent: topFrame ? null : {} } }
}

describe("main's wiring (a fake electron module records what main registers)", () => {
  // main logs every refusal; here the refusals are the point, not news.
  beforeEach(() => {
    vi.spyOn(console, 'log').mockImplementation(() => {})
    vi.spyOn(console, 'error').mockImplementation(() => {})
  })
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('sandboxes every renderer, registers app:// without bypassing CSP, and loads the app from it', async () => {
    const { win } = await startMain(['--data-dir=/d'])
    expect(state.sandboxEnabled).toBe(true)
    expect(state.privilegedSchemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }])
    expect(win!.webContents.url).toBe('app://kantine/index.html')
    expect((win!.options.webPreferences as Record<string, unknown>).sandbox).toBe(true)
    expect(String((win!.options.webPreferences as Record<string, unknown>).preload)).toMatch(/preload[/\\]index\.cjs$/)
  })

  it('relays a call from its own window to the core and hands back the core\'s answer', async () => {
    const { win, child } = await startMain(['--data-dir=/d'])
    const handler = state.ipcHandlers.get('kantine:call')!
    const answer = handler(ipcEvent(win!, 'app://kantine/index.html#/sale'), 'app.info', {}) as Promise<RpcResponse<unknown>>
    await flush()
    // Ids go on from main's own app.info at start (startMain).
    expect(child!.posted).toEqual([{ id: 2, method: 'app.info', args: {} }])
    child!.emit('message', { id: 2, response: { ok: true, value: { tillName: 'Kasse 1' } } })
    expect(await answer).toEqual({ ok: true, value: { tillName: 'Kasse 1' } })
  })

  it('refuses IPC from another origin, a sub-frame, a closed frame or another web contents, and relays nothing', async () => {
    const { win, child } = await startMain(['--data-dir=/d'])
    const handler = state.ipcHandlers.get('kantine:call')!
    const other = new fakeElectron.FakeWindow({})
    for (const event of [
      ipcEvent(win!, 'https://evil.example/'),
      ipcEvent(win!, 'file:///tmp/x.html'),
      ipcEvent(win!, 'app://kantine/index.html', false),
      ipcEvent(win!, null),
      ipcEvent(other, 'app://kantine/index.html'),
    ]) {
      // A refused call is answered at once; one that slipped through waits for the (silent) core.
      const answer = await Promise.race([
        handler(event, 'sale.record', { cardNumber: 'DEMO0001', lines: [{ productId: 'p', qty: 1 }] }),
        new Promise((r) => setTimeout(() => r('relayed to the core'), 200)),
      ])
      expect(answer, JSON.stringify(event.senderFrame)).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    }
    expect(await handler(ipcEvent(win!, 'app://kantine/index.html'), 'constructor', {})).toMatchObject({ ok: false, error: { code: 'unknown-method' } })
    expect(await handler(ipcEvent(win!, 'app://kantine/index.html'), { toString: 1 }, {})).toMatchObject({ ok: false, error: { code: 'unknown-method' } })
    expect(child!.posted).toEqual([])
  })

  it('sends core events to the window, and only while it shows the app', async () => {
    const { win, child } = await startMain(['--data-dir=/d'])
    const event = { event: 'reader.card', payload: { cardNumber: 'DEMO0001' } }
    child!.emit('message', { event })
    expect(win!.webContents.sent).toEqual([['kantine:event', event]])
    win!.webContents.url = 'https://evil.example/'
    child!.emit('message', { event })
    expect(win!.webContents.sent).toHaveLength(1)
  })

  it('denies navigation away, new windows, webviews, permissions, downloads and remote requests', async () => {
    const { win } = await startMain(['--data-dir=/d'])
    const wc = win!.webContents
    const nav = (event: string, url: string) => {
      const e = { preventDefault: vi.fn() }
      wc.emit(event, e, url)
      return e.preventDefault.mock.calls.length > 0
    }
    expect(nav('will-navigate', 'https://evil.example/')).toBe(true)
    expect(nav('will-navigate', 'app://kantine/index.html')).toBe(false)
    expect(nav('will-redirect', 'http://127.0.0.1:4800/')).toBe(true)
    expect(nav('will-attach-webview', 'app://kantine/index.html')).toBe(true)
    expect(wc.windowOpenHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' })

    const s = state.session
    for (const permission of ['media', 'geolocation', 'notifications', 'hid', 'clipboard-read', 'fullscreen']) {
      const granted = vi.fn()
      s.permissionRequest!(wc, permission, granted)
      expect(granted).toHaveBeenCalledWith(false)
    }
    // A till refuses the camera even for its own page.
    const camera = vi.fn()
    s.permissionRequest!(wc, 'media', camera, { mediaTypes: ['video'], requestingUrl: 'app://kantine/index.html' })
    expect(camera).toHaveBeenCalledWith(false)
    expect(s.permissionCheck!()).toBe(false)
    expect(s.devicePermission!()).toBe(false)
    expect(s.spellChecker).toBe(false)
    const download = (url: string, filename: string) => {
      const e = { preventDefault: vi.fn() }
      s.events.emit('will-download', e, { getURL: () => url, getFilename: () => filename })
      return e.preventDefault.mock.calls.length > 0
    }
    expect(download('https://evil.example/x.exe', 'x.exe')).toBe(true)
    expect(download('blob:https://evil.example/1234', 'z.csv')).toBe(true)
    expect(download('blob:app://kantine/1234', 'run.sh')).toBe(true)
    // The day report's CSV, made by our own page.
    expect(download('blob:app://kantine/1234', 'z-rapport-2026-11-30.csv')).toBe(false)

    const cancelled = (url: string) => {
      let result: boolean | undefined
      s.beforeRequest!({ url }, (r) => (result = r.cancel))
      return result
    }
    expect(cancelled('https://cdn.example/x.js')).toBe(true)
    expect(cancelled('app://kantine/assets/index.js')).toBe(false)

    let headers: Record<string, string[]> = {}
    s.headersReceived!({ responseHeaders: { 'Content-Security-Policy': ["default-src *"] } }, (r) => (headers = r.responseHeaders))
    expect(headers['Content-Security-Policy']).toEqual([contentSecurityPolicy()])
  })

  it('serves app:// with the CSP header and nothing outside the renderer folder', async () => {
    await startMain(['--data-dir=/d'])
    const handle = state.session.protocolHandlers.get('app')!
    const traversal = await handle(new Request('app://kantine/%2e%2e/%2e%2e/package.json'))
    expect(traversal.status).toBe(404)
    expect(traversal.headers.get('content-security-policy')).toBe(contentSecurityPolicy())
    expect((await handle(new Request('app://kantine/index.html', { method: 'POST', body: 'x' }))).status).toBe(405)
  })

  it('forks the core with its data folder and passes the enrolment code by environment only', async () => {
    const { child } = await startMain(['--data-dir=/var/lib/kantine', '--server-url=https://kantine.kommune.dk', '--enrol-code=ABCD-1234'])
    expect(child!.modulePath).toMatch(/[/\\]core\.js$/)
    expect(child!.args).toEqual(['--data-dir=/var/lib/kantine', '--server-url=https://kantine.kommune.dk'])
    expect(child!.options.env?.KANTINE_ENROL_CODE).toBe('ABCD-1234')
    expect(child!.args.join(' ')).not.toContain('ABCD-1234')
    const { child: defaultChild } = await startMain([])
    expect(defaultChild!.args).toEqual(['--data-dir=/fake/userData/till'])
  })

  it('restarts a core that dies, failing the calls it left behind', async () => {
    const { win, child } = await startMain(['--data-dir=/d'])
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    try {
      const handler = state.ipcHandlers.get('kantine:call')!
      const pending = handler(ipcEvent(win!, 'app://kantine/index.html'), 'sync.now', {}) as Promise<RpcResponse<unknown>>
      child!.emit('exit', 139)
      expect(await pending).toMatchObject({ ok: false, error: { code: 'internal' } })
      expect(state.children).toHaveLength(1)
      await vi.advanceTimersByTimeAsync(1_000)
      expect(state.children).toHaveLength(2)
    } finally {
      vi.useRealTimers()
    }
  })

  it('in kiosk mode: kiosk window, no menu, no DevTools, blocked shortcuts, and no closing until the app quits', async () => {
    const { win, child } = await startMain(['--kiosk', '--data-dir=/d'])
    expect(win!.options).toMatchObject({ kiosk: true, fullscreen: true })
    expect((win!.options.webPreferences as Record<string, unknown>).devTools).toBe(false)
    expect(state.applicationMenu).toBeNull()
    const key = { preventDefault: vi.fn() }
    win!.webContents.emit('before-input-event', key, { type: 'keyDown', key: 'F4', alt: true, control: false, shift: false, meta: false })
    expect(key.preventDefault).toHaveBeenCalled()
    const close = { preventDefault: vi.fn() }
    win!.emit('close', close)
    expect(close.preventDefault).toHaveBeenCalled()

    fakeElectron.app.emit('before-quit')
    const closeOnQuit = { preventDefault: vi.fn() }
    win!.emit('close', closeOnQuit)
    expect(closeOnQuit.preventDefault).not.toHaveBeenCalled()

    // will-quit waits for the core to close the till (SQLite, reader) before the app goes.
    const willQuit = { preventDefault: vi.fn() }
    fakeElectron.app.emit('will-quit', willQuit)
    expect(willQuit.preventDefault).toHaveBeenCalled()
    expect(child!.posted).toEqual([{ close: true }])
    child!.emit('exit', 0)
    await flush()
    expect(state.quits).toBe(1)
  })

  it('a packaged till refuses to start with a debugging port or without the sandbox', async () => {
    await startMain(['--remote-debugging-port=9222'], { packaged: true })
    expect(state.exitCodes).toEqual([2])
    expect(state.errorBoxes.join()).toContain('--remote-debugging-port')
    expect(state.windows).toEqual([])
    expect(state.children).toEqual([])
    await startMain(['--no-sandbox'], { packaged: true })
    expect(state.exitCodes).toEqual([2])
    await startMain(['--server-url=ftp://x'])
    expect(state.errorBoxes.join()).toContain('http or https')
    expect(state.windows).toEqual([])
  })
})

// ---- the built bundles --------------------------------------------------------------------------

const built = existsSync(join(root, 'out/main/index.js')) && existsSync(join(root, 'out/main/core.js')) && existsSync(join(root, 'out/preload/index.cjs'))
const needsBuild = built ? '' : ' (SKIPPED: run `npx electron-vite build` first)'

describe(`the built preload${needsBuild}`, () => {
  it.skipIf(!built)('exposes exactly window.kantine = { call, subscribe } and requires nothing but electron', async () => {
    const code = readFileSync(join(root, 'out/preload/index.cjs'), 'utf8')
    const exposed = new Map<string, Record<string, unknown>>()
    const invoked: unknown[][] = []
    const handlers = new Map<string, (...a: unknown[]) => void>()
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: Record<string, unknown>) => exposed.set(key, api) },
      ipcRenderer: {
        invoke: async (...a: unknown[]) => {
          invoked.push(a)
          return { ok: true, value: null } satisfies RpcResponse<null>
        },
        on: (channel: string, h: (...a: unknown[]) => void) => handlers.set(channel, h),
        removeListener: (channel: string, h: unknown) => {
          if (handlers.get(channel) === h) handlers.delete(channel)
        },
      },
    }
    const required: string[] = []
    const fakeRequire = (name: string) => {
      required.push(name)
      // A sandboxed preload gets only a few modules; anything else would fail in the app.
      if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`)
      return electron
    }
    const module = { exports: {} }
    vm.compileFunction(code, ['require', 'module', 'exports'])(fakeRequire, module, module.exports)
    expect(required).toEqual(['electron'])
    expect([...exposed.keys()]).toEqual(['kantine'])
    const kantine = exposed.get('kantine')! as { call: (m: string, a: unknown) => Promise<unknown>; subscribe: (l: (m: unknown) => void) => () => void }
    expect(Object.keys(kantine).sort()).toEqual(['call', 'subscribe'])

    await kantine.call('app.info', {})
    expect(invoked).toEqual([['kantine:call', 'app.info', {}]])

    const got: unknown[] = []
    const off = kantine.subscribe((m) => got.push(m))
    handlers.get('kantine:event')!({ sender: 'the IPC event must not reach the page' }, { event: 'reader.state', payload: 'connected' })
    expect(got).toEqual([{ event: 'reader.state', payload: 'connected' }])
    off()
    expect(handlers.has('kantine:event')).toBe(false)
  })
})

/**
 * Runs a core entry (out/main/core.js, or the copy inside a packaged app) in a stand-in utility
 * process and talks to it as main does: calls by id, an event, and a clean close.
 */
async function exerciseCore(coreEntry: string): Promise<void> {
  const dataDir = tmp('core')
  const child = fork(join(root, 'test/integration/utility-process-harness.mjs'), [`--data-dir=${dataDir}`, '--name=Testkasse', '--dev'], {
    env: { ...process.env, KANTINE_CORE_ENTRY: coreEntry },
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  })
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
  const answers = new Map<number, RpcResponse<unknown>>()
  const events: EventMessage[] = []
  child.on('message', (m: FromCore) => {
    if ('id' in m) answers.set(m.id, m.response)
    else events.push(m.event)
  })
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
  const waitFor = async (cond: () => boolean, what: string) => {
    for (let i = 0; i < 400 && !cond() && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 25))
    expect(cond(), `${what}\n${stderr}`).toBe(true)
  }
  try {
    child.send({ id: 1, method: 'app.info', args: {} } satisfies ToCore)
    child.send({ id: 2, method: 'no.such.method', args: {} })
    child.send({ id: 3, method: 'staff.signIn', args: { pin: 'abc' } })
    child.send({ id: 4, method: 'reader.simulate', args: { cardNumber: 'demo0001' } })
    await waitFor(() => answers.size === 4, 'four answers')
    // The version is package.json's, built into the bundle (electron/core/till-impl.ts).
    expect(answers.get(1)).toMatchObject({ ok: true, value: { tillName: 'Testkasse', simulatedReader: true, version: packageVersion } })
    expect(answers.get(2)).toMatchObject({ ok: false, error: { code: 'unknown-method' } })
    expect(answers.get(3)).toMatchObject({ ok: false, error: { code: 'bad-argument' } })
    await waitFor(() => events.some((e) => e.event === 'reader.card'), 'a reader.card event')
    expect(events.find((e) => e.event === 'reader.card')).toEqual({ event: 'reader.card', payload: { cardNumber: 'DEMO0001' } })
    child.send({ close: true } satisfies ToCore)
    expect(await exited).toBe(0)
  } finally {
    child.kill()
  }
}

describe(`the built core entry (out/main/core.js) in a stand-in utility process${needsBuild}`, () => {
  it.skipIf(!built)('opens a till, answers calls by id, validates at the core, forwards events and closes cleanly', async () => {
    await exerciseCore(join(root, 'out/main/core.js'))
  })
})

// ---- fuses --------------------------------------------------------------------------------------

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'
/** Electron's own defaults, in @electron/fuses' order: RunAsNode on, cookies off, NODE_OPTIONS on, inspect on, integrity off, asar-only off, snapshot off, file privileges on. */
const DEFAULT_WIRE = '10110001'

/** A stand-in "electron": a shell script that carries a fuse wire laid out as in the real binary. */
function standInExecutable(file: string): void {
  const wire = Buffer.concat([Buffer.from(`#!/bin/sh\n# ${SENTINEL}`), Buffer.from([1, DEFAULT_WIRE.length]), Buffer.from(DEFAULT_WIRE), Buffer.from('\necho "Kantine stand-in"\n')])
  writeFileSync(file, wire)
  chmodSync(file, 0o755)
}

function readWire(file: string): string {
  const bin = readFileSync(file)
  const at = bin.indexOf(SENTINEL) + SENTINEL.length
  expect(at).toBeGreaterThan(SENTINEL.length - 1)
  return bin.subarray(at + 2, at + 2 + bin[at + 1]!).toString('latin1')
}

// RunAsNode off, cookie encryption on, NODE_OPTIONS off, --inspect off, ASAR integrity on,
// only-from-asar on, V8 snapshot untouched, file:// privileges off.
const HARDENED_WIRE = '01001100'

/** Runs `body` with KANTINE_SKIP_FUSES as given (undefined: not set), and puts it back. */
async function withSkipFuses(value: string | undefined, body: () => Promise<void>): Promise<void> {
  const before = process.env.KANTINE_SKIP_FUSES
  try {
    if (value === undefined) delete process.env.KANTINE_SKIP_FUSES
    else process.env.KANTINE_SKIP_FUSES = value
    await body()
  } finally {
    if (before === undefined) delete process.env.KANTINE_SKIP_FUSES
    else process.env.KANTINE_SKIP_FUSES = before
  }
}

describe("the fuse guards around electron-builder's electronFuses", () => {
  const afterPack = require(join(root, 'build/after-pack.cjs')) as ((ctx: unknown) => Promise<void>) & { WANTED: Record<string, boolean> }
  const verify = require(join(root, 'build/verify-fuses.cjs')) as ((result: unknown) => Promise<string[]>) & { wrongFuses(file: string): string[] }
  const context = (appOutDir: string, ...fuses: [Record<string, boolean> | null | undefined] | []) => ({
    appOutDir,
    electronPlatformName: 'linux',
    arch: 1,
    // No second argument: the reviewed fuses; an explicit undefined or null: none configured.
    packager: { executableName: 'kantine', appInfo: { productFilename: 'Kantine' }, config: { electronFuses: fuses.length === 0 ? afterPack.WANTED : fuses[0] } },
  })

  it('lets a complete fuse configuration and an executable with a fuse wire through to electron-builder, which flips them', async () => {
    const dir = tmp('fuses')
    standInExecutable(join(dir, 'kantine'))
    await withSkipFuses(undefined, () => afterPack(context(dir)))
    // The hook only checks; electron-builder flips right after it (the packaging test below).
    expect(readWire(join(dir, 'kantine'))).toBe(DEFAULT_WIRE)
  })

  it('refuses a configuration that lost or changed a fuse', async () => {
    const dir = tmp('fuses-lost')
    standInExecutable(join(dir, 'kantine'))
    const { runAsNode: _dropped, ...lost } = afterPack.WANTED
    await expect(afterPack(context(dir, lost))).rejects.toThrow(/runAsNode should be false, is undefined/)
    await expect(afterPack(context(dir, { ...afterPack.WANTED, enableCookieEncryption: false }))).rejects.toThrow(/enableCookieEncryption should be true/)
  })

  it('refuses an executable without a fuse wire, saying how to package a stand-in', async () => {
    const dir = tmp('nofuses')
    writeFileSync(join(dir, 'kantine'), '#!/bin/sh\n')
    for (const skip of [undefined, '1']) {
      await withSkipFuses(skip, () => expect(afterPack(context(dir))).rejects.toThrow(/KANTINE_SKIP_FUSES=1 and package with -c build\/electron-builder\.stand-in\.yml/))
    }
  })

  it('switches the fuses off only when KANTINE_SKIP_FUSES=1 says it is a stand-in, and says so loudly', async () => {
    const dir = tmp('skip')
    writeFileSync(join(dir, 'kantine'), '#!/bin/sh\n')
    for (const off of [null, undefined]) {
      await withSkipFuses(undefined, () => expect(afterPack(context(dir, off))).rejects.toThrow(/electronFuses is switched off/))
      await withSkipFuses('yes', () => expect(afterPack(context(dir, off))).rejects.toThrow(/electronFuses is switched off/))
    }
    const said = vi.spyOn(console, 'log').mockImplementation(() => {})
    try {
      await withSkipFuses('1', () => expect(afterPack(context(dir, null))).resolves.toBeUndefined())
      expect(said.mock.calls.flat().join('\n')).toMatch(/FUSES NOT FLIPPED.*never ship this build/)
    } finally {
      said.mockRestore()
    }
  })

  it('reads the fuses back from every packaged executable and fails the build on one that is not hardened', async () => {
    const out = tmp('verify')
    const configuration = { productName: 'Kantine', linux: { executableName: 'kantine' }, electronFuses: afterPack.WANTED }
    await expect(verify({ outDir: out, configuration })).rejects.toThrow(/no packaged app found/)
    mkdirSync(join(out, 'linux-unpacked'))
    mkdirSync(join(out, 'win-unpacked'))
    standInExecutable(join(out, 'linux-unpacked/kantine'))
    standInExecutable(join(out, 'win-unpacked/Kantine.exe'))
    expect(verify.wrongFuses(join(out, 'linux-unpacked/kantine'))).toEqual([
      'runAsNode should be off',
      'enableNodeOptionsEnvironmentVariable should be off',
      'enableNodeCliInspectArguments should be off',
      'enableEmbeddedAsarIntegrityValidation should be on',
      'onlyLoadAppFromAsar should be on',
      'enableCookieEncryption should be on',
      'grantFileProtocolExtraPrivileges should be off',
    ])
    await expect(verify({ outDir: out, configuration })).rejects.toThrow(/Fuses did not take in .*linux-unpacked\/kantine/)
    hardenWire(join(out, 'linux-unpacked/kantine'))
    await expect(verify({ outDir: out, configuration })).rejects.toThrow(/Fuses did not take in .*win-unpacked\/Kantine\.exe/)
    hardenWire(join(out, 'win-unpacked/Kantine.exe'))
    await expect(verify({ outDir: out, configuration })).resolves.toEqual([])
    // The stand-in build (fuses off, which after-pack.cjs allowed) is not read back.
    standInExecutable(join(out, 'linux-unpacked/kantine'))
    await expect(verify({ outDir: out, configuration: { ...configuration, electronFuses: null } })).resolves.toEqual([])
  })
})

/** Writes HARDENED_WIRE into a stand-in's fuse wire, as electron-builder's flip would. */
function hardenWire(file: string): void {
  const bin = readFileSync(file)
  const at = bin.indexOf(SENTINEL) + SENTINEL.length + 2
  bin.write(HARDENED_WIRE, at, 'latin1')
  writeFileSync(file, bin)
}

// ---- packaging ----------------------------------------------------------------------------------

interface AsarEntry {
  files?: Record<string, AsarEntry>
  unpacked?: boolean
  size?: number
  offset?: string
}
/** The file list of an asar archive (its JSON header), without depending on @electron/asar. */
function asarFiles(file: string): Map<string, AsarEntry> {
  const buf = readFileSync(file)
  const header = JSON.parse(buf.toString('utf8', 16, 16 + buf.readUInt32LE(12))) as AsarEntry
  const out = new Map<string, AsarEntry>()
  const walk = (entry: AsarEntry, prefix: string) => {
    for (const [name, child] of Object.entries(entry.files ?? {})) {
      const path = `${prefix}${name}`
      if (child.files) walk(child, `${path}/`)
      else out.set(path, child)
    }
  }
  walk(header, '')
  return out
}

/** Unpacks an app.asar (and its .unpacked folder) into `dest`, as Electron would see it. */
function extractAsar(file: string, dest: string): void {
  const buf = readFileSync(file)
  const dataStart = 8 + buf.readUInt32LE(4)
  for (const [path, entry] of asarFiles(file)) {
    const target = join(dest, path)
    mkdirSync(join(target, '..'), { recursive: true })
    if (entry.unpacked) cpSync(join(`${file}.unpacked`, path), target)
    else if (entry.offset !== undefined && entry.size !== undefined) {
      const start = dataStart + Number(entry.offset)
      writeFileSync(target, buf.subarray(start, start + entry.size))
    }
  }
}

/** Bare packages that the built main bundles import (static, dynamic or require), without Node's and Electron's. */
function bundleImports(): Set<string> {
  const names = new Set<string>()
  const files = readdirSync(join(root, 'out/main'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'))
  for (const f of files) {
    const code = readFileSync(join(root, 'out/main', f), 'utf8')
    for (const m of code.matchAll(/(?:from\s*|import\s*\(\s*|require\s*\(\s*|import\s+)["']([^"'./][^"']*)["']/g)) {
      const spec = m[1]!
      if (spec.startsWith('node:') || spec === 'electron' || spec.startsWith('electron/')) continue
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!
      if (builtinModules.includes(name)) continue
      names.add(name)
    }
  }
  return names
}

/** A package and everything it declares it needs at run time, as installed here. */
function dependencyClosure(names: Iterable<string>): Set<string> {
  const seen = new Set<string>()
  const visit = (name: string, from: string) => {
    if (seen.has(name)) return
    let dir = join(from, 'node_modules', name)
    if (!existsSync(dir)) dir = join(root, 'node_modules', name)
    seen.add(name)
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep, dir)
  }
  for (const n of names) visit(n, root)
  return seen
}

const rendererBuilt = built && existsSync(join(root, 'out/renderer/index.html'))

/** Runs electron-builder --dir --linux with `args` (KANTINE_SKIP_FUSES only if given); what it printed. */
async function packageDir(args: string[], skipFuses?: string): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env }
  delete env.KANTINE_SKIP_FUSES
  if (skipFuses !== undefined) env.KANTINE_SKIP_FUSES = skipFuses
  const { stdout, stderr } = await promisify(execFile)(join(root, 'node_modules/.bin/electron-builder'), [...args, '--dir', '--linux', '--publish=never'], {
    cwd: root,
    env,
    timeout: 100_000,
    maxBuffer: 16 * 1024 * 1024,
  }).catch((err: { message: string; stdout?: string; stderr?: string }) => {
    const tail = (text = '') => text.split('\n').filter((l) => !l.includes('duplicate dependency')).slice(-15).join('\n')
    throw new Error(`electron-builder failed: ${err.message.split('\n')[0]}\n${tail(err.stdout)}\n${tail(err.stderr)}`)
  })
  // Our hooks write to stdout, electron-builder's own steps to stderr.
  return stdout + stderr
}

describe(`packaging with electron-builder and a stand-in Electron${rendererBuilt ? '' : ' (SKIPPED: run `npx electron-vite build` first)'}`, () => {
  it.skipIf(!rendererBuilt)(
    'puts the build (and only the build) into app.asar, unpacks the native modules, and flips the fuses',
    async () => {
      const work = tmp('pack')
      const dist = join(work, 'electron-dist')
      mkdirSync(dist)
      standInExecutable(join(dist, 'electron'))
      const output = join(work, 'out')
      // The release configuration as it is (npmRebuild off there), and no KANTINE_SKIP_FUSES: the
      // stand-in carries a fuse wire, so electron-builder's electronFuses really flips it.
      const stdout = await packageDir([`-c.electronDist=${dist}`, `-c.directories.output=${output}`])
      const app = join(output, 'linux-unpacked')
      const asar = asarFiles(join(app, 'resources/app.asar'))

      for (const f of ['out/main/index.js', 'out/main/core.js', 'out/preload/index.cjs', 'out/renderer/index.html', 'package.json']) {
        expect(asar.has(f), f).toBe(true)
      }
      // (native/electron/: better-sqlite3 built for Electron, where `npm run dist:natives` has run.)
      const sources = [...asar.keys()].filter((f) => !f.startsWith('node_modules/') && !f.startsWith('out/') && !f.startsWith('native/electron/') && f !== 'package.json')
      expect(sources, 'nothing but out/, native/electron/ and package.json from the project').toEqual([])
      expect([...asar.keys()].some((f) => f.endsWith('.map') && f.startsWith('out/'))).toBe(false)

      const sqlite = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'
      expect(asar.get(sqlite)?.unpacked).toBe(true)
      expect(existsSync(join(app, 'resources/app.asar.unpacked', sqlite))).toBe(true)
      const nativeInAsar = [...asar].filter(([f, e]) => f.endsWith('.node') && !e.unpacked).map(([f]) => f)
      expect(nativeInAsar, 'every .node file is unpacked').toEqual([])
      // The udev rule that lets a Linux till open keyboard-class card readers ships beside the app,
      // with the setup script the deb's after-install runs (executable) and the autostart template.
      expect(existsSync(join(app, 'resources/linux/70-kantine-card-reader.rules'))).toBe(true)
      expect(statSync(join(app, 'resources/linux/kantine-setup.sh')).mode & 0o111).not.toBe(0)
      expect(existsSync(join(app, 'resources/linux/kantine-autostart.desktop'))).toBe(true)

      // What main and the core import must be there, with what those packages need in turn;
      // an exclusion in electron-builder.yml that breaks the app fails here, not at a canteen.
      const imports = bundleImports()
      expect(imports.has('better-sqlite3')).toBe(true)
      expect(imports.has('node-hid')).toBe(true)
      const missing = [...dependencyClosure(imports)].filter((name) => !asar.has(`node_modules/${name}/package.json`))
      expect(missing).toEqual([])
      // …and what only the renderer or the server needs stays out.
      for (const name of ['vue', '@electric-sql/pglite', 'fastify', 'tsx']) expect(asar.has(`node_modules/${name}/package.json`), name).toBe(false)

      expect(stdout).toContain('electronFuses checked')
      expect(stdout).toContain(`fuses verified in ${join(app, 'kantine')}`)
      expect(readWire(join(app, 'kantine'))).toBe(HARDENED_WIRE)

      // The packaged core itself, with the packaged node_modules, opens a till: nothing it loads
      // was left out. (better-sqlite3 is built for this Node here: npmRebuild is off.)
      const extracted = join(work, 'app')
      extractAsar(join(app, 'resources/app.asar'), extracted)
      await exerciseCore(join(extracted, 'out/main/core.js'))
    },
    // About 15 s on a quiet 2-core machine; the margin is for a machine busy with other suites.
    120_000,
  )

  it.skipIf(!rendererBuilt)(
    'packages a stand-in without a fuse wire only with the stand-in configuration AND KANTINE_SKIP_FUSES=1, and says so',
    async () => {
      const work = tmp('pack-standin')
      const dist = join(work, 'electron-dist')
      mkdirSync(dist)
      writeFileSync(join(dist, 'electron'), '#!/bin/sh\necho "Kantine stand-in without fuses"\n')
      chmodSync(join(dist, 'electron'), 0o755)
      const args = (out: string) => [`-c.electronDist=${dist}`, `-c.directories.output=${join(work, out)}`]
      // The release configuration refuses it (before @electron/fuses would fail on it)…
      await expect(packageDir(args('a'), '1')).rejects.toThrow(/has no Electron fuse wire/)
      // …the stand-in configuration without the variable too…
      await expect(packageDir(['-c', 'build/electron-builder.stand-in.yml', ...args('b')])).rejects.toThrow(/electronFuses is switched off/)
      // …and both together package it, loudly.
      const stdout = await packageDir(['-c', 'build/electron-builder.stand-in.yml', ...args('c')], '1')
      expect(stdout).toMatch(/FUSES NOT FLIPPED: KANTINE_SKIP_FUSES=1/)
      expect(stdout).toMatch(/FUSES NOT VERIFIED/)
      // Nothing touched the stand-in.
      expect(readFileSync(join(work, 'c/linux-unpacked/kantine'), 'utf8')).toBe(readFileSync(join(dist, 'electron'), 'utf8'))
      expect(asarFiles(join(work, 'c/linux-unpacked/resources/app.asar')).has('out/main/core.js')).toBe(true)
    },
    300_000,
  )
})
