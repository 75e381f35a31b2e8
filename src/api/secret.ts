/**
 * The host shell's secret never reaches this code: the host opens the page with a one-time code,
 * trades it for an HttpOnly cookie and redirects to the clean address. The browser sends that
 * cookie with every call and with the events socket; no script can read it.
 */

/** `ws://host/events` from the page's own origin (`wss:` if it ever runs over https). */
export function eventsUrl(origin: string): string {
  const url = new URL('/events', origin)
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  return url.toString()
}

/** Reconnect delay: 0.5 s doubling to 15 s, with a little jitter so tills do not beat in step. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(15_000, 500 * 2 ** Math.max(0, attempt))
  return Math.round(base * (0.85 + 0.3 * random()))
}
