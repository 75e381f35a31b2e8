import { timingSafeEqual } from 'node:crypto'

/**
 * Who may talk to the host: only pages it served itself, on loopback, holding the per-launch
 * secret. The Host check stops DNS rebinding (a web page resolving its own name to 127.0.0.1);
 * the Origin check stops other local pages; the secret stops other local programs and users.
 */
export interface HostGuard {
  hostAllowed(hostHeader: string | undefined): boolean
  originAllowed(originHeader: string | undefined): boolean
  secretMatches(presented: string | undefined | null): boolean
}

export function createGuard(port: number, secret: string): HostGuard {
  const hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`])
  const origins = new Set([...hosts].map((h) => `http://${h}`))
  const expected = Buffer.from(secret)
  return {
    hostAllowed: (host) => host !== undefined && hosts.has(host.toLowerCase()),
    // Browsers send Origin on every POST and WebSocket; no Origin means a non-browser client,
    // which still needs the secret.
    originAllowed: (origin) => origin === undefined || origins.has(origin.toLowerCase()),
    secretMatches: (presented) => {
      if (!presented) return false
      const got = Buffer.from(presented)
      return got.length === expected.length && timingSafeEqual(got, expected)
    },
  }
}

export function bearer(authorization: string | undefined): string | undefined {
  const m = /^Bearer (.+)$/.exec(authorization ?? '')
  return m?.[1]
}
