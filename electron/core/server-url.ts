/**
 * Which central-server addresses a till may talk to. The till sends its device token on every
 * request and receives names, balances and staff PIN hashes: over plain http anyone on the path
 * reads and can change them. So https, and http only where the traffic never leaves the machine
 * (the demo server, tests): 127.0.0.0/8, ::1 and localhost.
 *
 * Pure (no I/O, no DNS): a name other than `localhost` is not loopback, whatever it resolves to.
 */

export type ServerUrlRefusal = 'not-a-url' | 'not-http' | 'credentials' | 'http-not-loopback'

export type ServerUrlCheck = { ok: true; url: string } | { ok: false; reason: ServerUrlRefusal }

export function checkServerUrl(input: string): ServerUrlCheck {
  let url: URL
  try {
    url = new URL(input)
  } catch {
    return { ok: false, reason: 'not-a-url' }
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, reason: 'not-http' }
  if (url.username || url.password) return { ok: false, reason: 'credentials' }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) return { ok: false, reason: 'http-not-loopback' }
  // The same server written with or without a trailing slash is one server (the till stores it).
  return { ok: true, url: url.origin + url.pathname.replace(/\/+$/, '') }
}

/**
 * `hostname` as the WHATWG URL parser leaves it: IPv4 in dotted decimal whatever form it was
 * written in (`127.1`, `0x7f000001` become `127.0.0.1`), IPv6 in brackets and compressed, names
 * lower-cased.
 */
function isLoopback(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '[::1]') return true
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
}

/** The refusal as a sentence for a command line or a log (English, like the shells' other flag errors). */
export function serverUrlRefusalMessage(reason: ServerUrlRefusal): string {
  switch (reason) {
    case 'not-a-url':
      return 'is not a URL'
    case 'not-http':
      return 'must be http or https'
    case 'credentials':
      return 'must not carry credentials'
    case 'http-not-loopback':
      return 'must use https (http only to this machine: localhost, 127.0.0.0/8, ::1)'
  }
}
