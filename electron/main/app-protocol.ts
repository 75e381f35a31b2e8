/**
 * Serves the built renderer (out/renderer, inside app.asar when packaged) on app://kantine/.
 * Only GET, only files under the renderer root (resolveAppAsset refuses anything else), with our
 * CSP and nosniff on every response: the CSP arrives as a header even for the first document,
 * before any <meta> tag is parsed.
 */
import { readFile } from 'node:fs/promises'
import { protocol, type Session } from 'electron'
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, mimeType, resolveAppAsset } from './security'

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }])
}

export function serveRenderer(ses: Session, rendererRoot: string, csp: string): void {
  const headers = (contentType: string) => ({
    'Content-Type': contentType,
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-cache',
  })
  const notFound = () => new Response('Not found', { status: 404, headers: headers('text/plain; charset=utf-8') })

  ses.protocol.handle(APP_SCHEME, async (request) => {
    if (request.method !== 'GET') return new Response('Method not allowed', { status: 405, headers: headers('text/plain; charset=utf-8') })
    const file = resolveAppAsset(request.url, rendererRoot)
    if (!file) return notFound()
    try {
      const body = await readFile(file)
      return new Response(new Uint8Array(body), { status: 200, headers: headers(mimeType(file)) })
    } catch {
      return notFound()
    }
  })
}
