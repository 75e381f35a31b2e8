import { describe, expect, it } from 'vitest'
import { SECRET_STORAGE_KEY, backoffMs, eventsUrl, takeSecret } from './secret'

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial))
  return {
    data,
    getItem: (key: string) => data.get(key) ?? null,
    setItem: (key: string, value: string) => void data.set(key, value),
  }
}

describe('the host secret', () => {
  it('is taken from the address the host printed, kept for reloads, and removed from the address bar', () => {
    const storage = memoryStorage()
    const taken = takeSecret({ pathname: '/', search: '?secret=s3cr3t', hash: '' }, storage)
    expect(taken).toEqual({ secret: 's3cr3t', cleanUrl: '/' })
    expect(storage.data.get(SECRET_STORAGE_KEY)).toBe('s3cr3t')
  })

  it('keeps the other query parameters and the route when it strips the secret', () => {
    const taken = takeSecret({ pathname: '/', search: '?kiosk=1&secret=abc', hash: '#/cashier' }, memoryStorage())
    expect(taken.cleanUrl).toBe('/?kiosk=1#/cashier')
  })

  it('survives a reload: the address no longer has it, the tab storage does', () => {
    const storage = memoryStorage({ [SECRET_STORAGE_KEY]: 'from-before' })
    expect(takeSecret({ pathname: '/', search: '', hash: '#/cashier' }, storage)).toEqual({ secret: 'from-before', cleanUrl: null })
  })

  it('a new secret in the address replaces a stale one (the host was restarted)', () => {
    const storage = memoryStorage({ [SECRET_STORAGE_KEY]: 'old' })
    expect(takeSecret({ pathname: '/', search: '?secret=new', hash: '' }, storage).secret).toBe('new')
    expect(storage.data.get(SECRET_STORAGE_KEY)).toBe('new')
  })

  it('is missing when the page was opened without one', () => {
    expect(takeSecret({ pathname: '/', search: '', hash: '' }, memoryStorage())).toEqual({ secret: null, cleanUrl: null })
  })

  it('goes to the events socket on the same host, URL-encoded', () => {
    expect(eventsUrl('http://127.0.0.1:5199', 'a+b/c')).toBe('ws://127.0.0.1:5199/events?secret=a%2Bb%2Fc')
  })
})

describe('reconnecting the events socket', () => {
  it('backs off from half a second up to fifteen seconds', () => {
    const mid = () => 0.5
    expect(backoffMs(0, mid)).toBe(500)
    expect(backoffMs(1, mid)).toBe(1000)
    expect(backoffMs(3, mid)).toBe(4000)
    expect(backoffMs(30, mid)).toBe(15_000)
  })
})
