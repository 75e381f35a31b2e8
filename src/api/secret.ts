/**
 * The host shell opens the page as `http://127.0.0.1:PORT/?secret=SECRET`. The secret proves the
 * page was opened by whoever launched the host; it must not stay in the address bar (screens,
 * screenshots, history), but a reload must still work, so it is kept in sessionStorage, which
 * dies with the tab.
 */
export const SECRET_PARAM = 'secret'
export const SECRET_STORAGE_KEY = 'kantine.host.secret'

export interface SecretLocation {
  pathname: string
  search: string
  hash: string
}

export interface SecretStorage {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
}

export interface TakenSecret {
  secret: string | null
  /** The address without the secret, to put back with history.replaceState; null: leave it. */
  cleanUrl: string | null
}

/** Pure: what the secret is and what the address bar should say afterwards. */
export function takeSecret(location: SecretLocation, storage: SecretStorage): TakenSecret {
  const params = new URLSearchParams(location.search)
  if (!params.has(SECRET_PARAM)) {
    const stored = storage.getItem(SECRET_STORAGE_KEY)
    return { secret: stored === '' ? null : stored, cleanUrl: null }
  }
  const fromUrl = params.get(SECRET_PARAM) ?? ''
  params.delete(SECRET_PARAM)
  const search = params.toString()
  const cleanUrl = `${location.pathname}${search ? `?${search}` : ''}${location.hash}`
  if (fromUrl === '') return { secret: storage.getItem(SECRET_STORAGE_KEY) || null, cleanUrl }
  storage.setItem(SECRET_STORAGE_KEY, fromUrl)
  return { secret: fromUrl, cleanUrl }
}

/** `ws://host/events?secret=…` from the page's own origin (`wss:` if it ever runs over https). */
export function eventsUrl(origin: string, secret: string): string {
  const url = new URL('/events', origin)
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  url.searchParams.set(SECRET_PARAM, secret)
  return url.toString()
}

/** Reconnect delay: 0.5 s doubling to 15 s, with a little jitter so tills do not beat in step. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(15_000, 500 * 2 ** Math.max(0, attempt))
  return Math.round(base * (0.85 + 0.3 * random()))
}
