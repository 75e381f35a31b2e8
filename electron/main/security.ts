/**
 * The desktop shell's security decisions, in one file with no Electron at run time (type
 * imports only), so every rule is unit-tested in plain Node (test/integration/electron-shell.test.ts).
 * index.ts applies them; it decides nothing on its own.
 *
 * Threat model in one line: the renderer is untrusted. Whatever runs there (a bug, an injected
 * string in a product name, a poisoned sync payload) must not reach Node, the file system, the
 * network or another origin; its only door is the typed RPC through the preload, which main
 * checks (sender + method name) and the core checks again (zod).
 */
import { extname, isAbsolute, relative, resolve, sep } from 'node:path'
import type { BrowserWindowConstructorOptions, Input } from 'electron'

// ---- where the app lives ----------------------------------------------------------------------

/**
 * The renderer is served from a custom privileged scheme, `app://kantine/`, not `file://`.
 * Why (Electron security checklist item 18): a `file://` page has an opaque origin shared with
 * every local file and, by default, may read other `file://` URLs; a standard, secure custom
 * scheme gives the bundle a real origin of its own, so CSP `'self'` means exactly our bundle,
 * the sender check below compares one origin, and the protocol handler serves only files under
 * out/renderer (see resolveAppAsset). The GrantFileProtocolExtraPrivileges fuse is then turned
 * off too (electronFuses in electron-builder.yml).
 */
export const APP_SCHEME = 'app'
export const APP_HOST = 'kantine'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`

/**
 * The privileges the scheme is registered with (before `ready`). Deliberately without
 * `bypassCSP` (our CSP applies), `corsEnabled` (no other origin may read our files; same-origin
 * module scripts do not need it) and `allowServiceWorkers` (nothing to cache offline: the files
 * are local).
 */
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true } as const

function parseUrl(raw: string): URL | null {
  try {
    return new URL(raw)
  } catch {
    return null
  }
}

/**
 * A development server origin (electron-vite's ELECTRON_RENDERER_URL) is trusted only when it is
 * plain http on the loopback interface; anything else is ignored, so an environment variable
 * cannot point the window at a remote site.
 */
export function devServerOrigin(raw: string | undefined): string | undefined {
  if (!raw) return undefined
  const url = parseUrl(raw)
  if (!url || url.protocol !== 'http:' || url.username || url.password) return undefined
  if (!['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) return undefined
  return url.origin
}

/** Is this URL part of our own app (the app:// bundle, or the loopback dev server in development)? */
export function isAppUrl(raw: string, devOrigin?: string): boolean {
  const url = parseUrl(raw)
  if (!url || url.username || url.password) return false
  // url.host includes any port, so app://kantine:1/ is someone else.
  if (url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST) return true
  return devOrigin !== undefined && url.origin === devOrigin
}

/**
 * Checklist item 17: main answers IPC only from a frame showing our own app. The caller passes
 * the sender frame's URL and whether it is a top-level frame: a sub-frame (which our CSP forbids
 * anyway) never speaks for the app.
 */
export function isTrustedSender(frameUrl: string | undefined | null, isTopFrame = true, devOrigin?: string): boolean {
  if (!frameUrl || !isTopFrame) return false
  return isAppUrl(frameUrl, devOrigin)
}

/**
 * Checklist item 13: the window may only navigate within the app (a full reload of our own
 * page); every other destination is refused, and nothing is ever handed to the OS browser
 * (the app has no external links; shell.openExternal is not used anywhere).
 */
export function isAllowedNavigation(targetUrl: string, devOrigin?: string): boolean {
  return isAppUrl(targetUrl, devOrigin)
}

/**
 * "No remote content": what the renderer's session may request at all. Our scheme, inline
 * data (images), blobs it made itself, and DevTools' own pages; in development also the
 * loopback dev server (http + its HMR WebSocket). Everything else is cancelled before it leaves.
 */
export function isAllowedRequest(raw: string, devOrigin?: string): boolean {
  const url = parseUrl(raw)
  if (!url) return false
  if (isAppUrl(raw)) return true
  if (url.protocol === 'data:' || url.protocol === 'blob:' || url.protocol === 'devtools:') return true
  if (devOrigin) {
    const dev = new URL(devOrigin)
    if ((url.protocol === 'http:' || url.protocol === 'ws:') && url.host === dev.host) return true
  }
  return false
}

// ---- Content-Security-Policy ------------------------------------------------------------------

/**
 * Checklist item 7. No inline script, no eval, nothing remote: every directive falls back to
 * `default-src 'none'` and opens only what the bundle needs from its own origin. Images also
 * from `data:`/`blob:` (card photos arrive as data URLs through the RPC, never as remote URLs).
 * `frame-ancestors` only works as a header, so the meta-tag variant leaves it out.
 *
 * The dev server variant (never used by a packaged app) adds Vite's HMR WebSocket and the inline
 * `<style>` tags Vite injects while serving; script-src stays `'self'`.
 */
export function contentSecurityPolicy(options: { devOrigin?: string; forMeta?: boolean } = {}): string {
  const { devOrigin, forMeta = false } = options
  const directives: [string, ...string[]][] = [
    ['default-src', "'none'"],
    ['script-src', "'self'"],
    ['style-src', "'self'", ...(devOrigin ? ["'unsafe-inline'"] : [])],
    ['img-src', "'self'", 'data:', 'blob:'],
    ['font-src', "'self'"],
    ['media-src', "'self'"],
    ['connect-src', "'self'", ...(devOrigin ? [devOrigin.replace(/^http:/, 'ws:')] : [])],
    ['worker-src', "'none'"],
    ['manifest-src', "'none'"],
    ['object-src', "'none'"],
    ['frame-src', "'none'"],
    ['child-src', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'none'"],
    ...(forMeta ? [] : [['frame-ancestors', "'none'"] as [string, ...string[]]]),
  ]
  return directives.map((d) => d.join(' ')).join('; ')
}

/** Response headers with our CSP in place of any the response brought (header names are case-insensitive). */
export function withSecurityHeaders(
  headers: Record<string, string | string[]> | undefined,
  csp: string,
): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  const replaced = new Set(['content-security-policy', 'content-security-policy-report-only', 'x-content-type-options'])
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (replaced.has(name.toLowerCase())) continue
    out[name] = Array.isArray(value) ? value : [value]
  }
  out['Content-Security-Policy'] = [csp]
  out['X-Content-Type-Options'] = ['nosniff']
  return out
}

// ---- the app:// protocol handler's file mapping -----------------------------------------------

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.txt': 'text/plain; charset=utf-8',
}

export function mimeType(file: string): string {
  return MIME[extname(file).toLowerCase()] ?? 'application/octet-stream'
}

/**
 * Maps an app:// URL to a file under the renderer root, or null. A path that would leave the
 * root (`..`, encoded `%2e%2e`/`%2f`, a backslash, a NUL) is refused, whatever its spelling.
 * A path without an extension is a client-side route and gets index.html (history routing).
 */
export function resolveAppAsset(rawUrl: string, rendererRoot: string): string | null {
  const url = parseUrl(rawUrl)
  if (!url || url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST || url.username || url.password) return null
  let path: string
  try {
    path = decodeURIComponent(url.pathname)
  } catch {
    return null
  }
  // Decoding may have produced separators or dot segments the URL parser never saw: refuse them
  // outright rather than resolve them.
  if (path.includes('\0') || path.includes('\\') || path.split('/').some((seg) => seg === '..' || seg === '.')) return null
  if (path === '/' || path === '' || extname(path) === '') path = '/index.html'
  const root = resolve(rendererRoot)
  const file = resolve(root, `.${path}`)
  const rel = relative(root, file)
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) return null
  return file
}

// ---- the window --------------------------------------------------------------------------------

export interface WindowFlags {
  kiosk: boolean
  /**
   * The browser session the window uses. A parent kiosk gets a new in-memory one per visit (no
   * `persist:` prefix): nothing a parent's visit left in the page's storage or cache reaches the next.
   */
  partition?: string
  /** DevTools available (development builds outside kiosk mode only). */
  devTools: boolean
}

/**
 * DevTools only in a development run (unpackaged, or `--dev`), never in kiosk mode: a kiosk is
 * self-service, and DevTools would hand the RPC door to whoever stands at it.
 */
export function windowFlags(flags: { kiosk: boolean; dev: boolean }, packaged: boolean): WindowFlags {
  return { kiosk: flags.kiosk, devTools: !flags.kiosk && (flags.dev || !packaged) }
}

/**
 * Builds the main window with the constructor it is handed: index.ts hands it Electron's
 * BrowserWindow, the test a recorder that keeps the options. The options are one literal at the
 * `new BrowserWindow(…)` call, so the decisions are visible where they take effect and
 * electronegativity (which reads that call) checks the same object the test pins.
 *
 * webPreferences cover checklist items 2, 3, 4, 6, 8, 9, 10 and 11/12 (no <webview> at all).
 * Every value is spelled out, even where it is Electron's default, so it is a decision, not a
 * hope about defaults.
 */
export function createMainWindow<W>(
  BrowserWindow: new (options: BrowserWindowConstructorOptions) => W,
  preloadPath: string,
  flags: WindowFlags,
): W {
  return new BrowserWindow({
    title: 'Kantine',
    width: 1280,
    height: 800,
    minWidth: 1024,
    minHeight: 600,
    show: false,
    backgroundColor: '#ffffff',
    autoHideMenuBar: true,
    // Kiosk lockdown: fullscreen with no way out from inside the app. Not alwaysOnTop: the OS's
    // on-screen keyboard of a touch kiosk must be able to show above the window.
    kiosk: flags.kiosk,
    fullscreen: flags.kiosk,
    minimizable: !flags.kiosk,
    maximizable: !flags.kiosk,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      // Middle-click "open in new window" (also denied by the window-open handler).
      disableBlinkFeatures: 'Auxclick',
      navigateOnDragDrop: false,
      // Spell-check dictionaries are downloaded from Google's CDN: remote content we do not want.
      spellcheck: false,
      safeDialogs: true,
      devTools: flags.devTools,
      // A parent kiosk only: its visit's in-memory session. A till keeps the default session.
      ...(flags.partition === undefined ? {} : { partition: flags.partition }),
    },
  })
}

/** A parent kiosk's browser session for one visit: in memory only, never reused. */
export function visitPartition(visit: number): string {
  return `kiosk-visit-${visit}`
}

/**
 * Kiosk mode: key combinations that would close, reload, print or inspect the app, or leave
 * fullscreen. (The OS's own combinations, Ctrl+Alt+Del, Alt+Tab, the Windows key, are not the
 * app's to block: lock them with the OS's kiosk mode, e.g. Windows Assigned Access.)
 */
export function isBlockedKioskShortcut(input: Pick<Input, 'type' | 'key' | 'control' | 'alt' | 'shift' | 'meta'>): boolean {
  if (input.type !== 'keyDown' && input.type !== 'rawKeyDown') return false
  const key = input.key.length === 1 ? input.key.toLowerCase() : input.key
  const mod = input.control || input.meta
  if (input.alt && key === 'F4') return true
  if (['F5', 'F11', 'F12'].includes(key)) return true
  if (key === 'BrowserBack' || key === 'BrowserForward' || key === 'BrowserRefresh') return true
  if (input.alt && (key === 'ArrowLeft' || key === 'ArrowRight')) return true
  if (mod && ['w', 'q', 'r', 'p', 's', 'o', 'n', 't', 'u', 'f4'].includes(key.toLowerCase())) return true
  if (mod && input.shift && ['i', 'j', 'c', 'delete'].includes(key.toLowerCase())) return true
  return false
}

/**
 * Checklist item 5, with one exception: a parent kiosk may use the camera (video only, never the
 * microphone) for the child's photo, and only for our own page. A till needs no permission at all.
 */
export function isAllowedPermission(
  permission: string,
  details: { mediaTypes?: readonly string[]; requestingUrl?: string },
  opts: { kiosk: boolean; devOrigin?: string },
): boolean {
  if (!opts.kiosk || permission !== 'media') return false
  const types = details.mediaTypes ?? []
  if (types.length === 0 || types.some((t) => t !== 'video')) return false
  return details.requestingUrl !== undefined && isAppUrl(details.requestingUrl, opts.devOrigin)
}

/**
 * Downloads are cancelled, except the reports the page itself makes (the day report's CSV): a
 * blob: URL minted by our own page, saved as .csv through the save dialog Electron then shows.
 */
export function isAllowedDownload(url: string, filename: string, devOrigin?: string): boolean {
  if (!url.startsWith('blob:') || !/^[\w .,()-]{1,120}\.csv$/i.test(filename)) return false
  return isAppUrl(url.slice('blob:'.length), devOrigin)
}
