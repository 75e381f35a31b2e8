import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTill, type Till } from '../core/till'
import { createGuard } from './guard'
import { SECRET_COOKIE, startHost, type RunningHost } from './server'

describe('host guard', () => {
  const guard = createGuard(5199, 'secret-of-this-launch')
  it('accepts only loopback Host headers for its own port', () => {
    expect(guard.hostAllowed('127.0.0.1:5199')).toBe(true)
    expect(guard.hostAllowed('localhost:5199')).toBe(true)
    expect(guard.hostAllowed('evil.example:5199')).toBe(false)
    expect(guard.hostAllowed('127.0.0.1:80')).toBe(false)
    expect(guard.hostAllowed(undefined)).toBe(false)
  })
  it('accepts only its own origin', () => {
    expect(guard.originAllowed('http://127.0.0.1:5199')).toBe(true)
    expect(guard.originAllowed('http://localhost:5199')).toBe(true)
    expect(guard.originAllowed('https://evil.example')).toBe(false)
    expect(guard.originAllowed('null')).toBe(false)
  })
  it('compares the secret exactly', () => {
    expect(guard.secretMatches('secret-of-this-launch')).toBe(true)
    expect(guard.secretMatches('secret-of-this-launcH')).toBe(false)
    expect(guard.secretMatches('')).toBe(false)
    expect(guard.secretMatches(null)).toBe(false)
  })
})

/** A till and its host shell on a throw-away renderer, for one describe block. */
function hostSuite(opts: { simulatedReader?: boolean } = {}) {
  const s = {} as { dir: string; till: Till; host: RunningHost }
  beforeAll(async () => {
    s.dir = mkdtempSync(join(tmpdir(), 'kantine-host-'))
    const renderer = join(s.dir, 'renderer')
    mkdirSync(renderer)
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Kantine</title>')
    s.till = await openTill({ dataDir: join(s.dir, 'till'), ...opts })
    s.host = await startHost({ till: s.till, rendererDir: renderer })
  })
  afterAll(async () => {
    await s.host.close()
    await s.till.close()
    rmSync(s.dir, { recursive: true, force: true })
  })
  return s
}

describe('the host shell over real HTTP', () => {
  const s = hostSuite({ simulatedReader: true })

  const rpc = (method: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${s.host.url}/rpc/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${s.host.secret}`, ...headers },
      body: JSON.stringify(body),
    })

  it('answers a call that carries the secret', async () => {
    const res = await rpc('app.info', {})
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ ok: true, value: { tillName: 'Kasse 1', simulatedReader: true } })
  })
  it('refuses a call without the secret or with a wrong one', async () => {
    expect((await rpc('app.info', {}, { authorization: '' })).status).toBe(401)
    expect((await rpc('app.info', {}, { authorization: 'Bearer nope' })).status).toBe(401)
  })
  it('refuses a call from another origin even with the secret', async () => {
    expect((await rpc('app.info', {}, { origin: 'https://evil.example' })).status).toBe(403)
  })
  it('refuses a request whose Host is not loopback (DNS rebinding)', async () => {
    const http = await import('node:http')
    const status = await new Promise<number>((resolve) => {
      http
        .request({ host: '127.0.0.1', port: s.host.port, path: '/rpc/app.info', method: 'POST', headers: { host: 'attacker.example', authorization: `Bearer ${s.host.secret}` } }, (res) => resolve(res.statusCode ?? 0))
        .end('{}')
    })
    expect(status).toBe(403)
  })
  it('passes a bad argument to the core, which answers with a clear error', async () => {
    const body = await (await rpc('staff.signIn', { pin: 12 })).json()
    expect(body).toMatchObject({ ok: false, error: { code: 'bad-argument' } })
  })
  it('serves the renderer with a strict CSP and nothing outside it', async () => {
    const res = await fetch(`${s.host.url}/`, { headers: { authorization: `Bearer ${s.host.secret}` } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect((await fetch(`${s.host.url}/..%2f..%2fetc%2fpasswd`)).status).toBe(404)
  })
  it('streams events to a socket with the secret and closes one without', async () => {
    const ws = new WebSocket(`${s.host.url.replace('http', 'ws')}/events`, { headers: { cookie: `${SECRET_COOKIE}=${s.host.secret}` } })
    await new Promise((r) => ws.once('open', r))
    const got = new Promise((r) => ws.once('message', (d) => r(JSON.parse(String(d)))))
    await rpc('reader.simulate', { cardNumber: 'demo0001' })
    expect(await got).toEqual({ event: 'reader.card', payload: { cardNumber: 'DEMO0001' } })
    ws.close()

    for (const url of [`${s.host.url.replace('http', 'ws')}/events`, `${s.host.url.replace('http', 'ws')}/events?secret=${encodeURIComponent(s.host.secret)}`]) {
      const bad = new WebSocket(url)
      const code = await new Promise((r) => bad.once('close', (c) => r(c)))
      expect(code).toBe(4401)
    }
  })
})

describe('handing the secret to the window without a command line', () => {
  const s = hostSuite()

  it('opens the window with a one-time code, never the secret', () => {
    expect(s.host.openUrl).toMatch(new RegExp(`^${s.host.url}/\\?code=[\\w-]{20,}$`))
    expect(s.host.openUrl).not.toContain(s.host.secret)
  })

  it('trades the code once for an HttpOnly, SameSite=Strict cookie that opens the page and the RPC', async () => {
    const first = await fetch(s.host.openUrl, { redirect: 'manual' })
    expect(first.status).toBe(303)
    expect(first.headers.get('location')).toBe('/')
    const setCookie = first.headers.get('set-cookie') ?? ''
    expect(setCookie).toContain(`${SECRET_COOKIE}=${s.host.secret}`)
    expect(setCookie).toMatch(/HttpOnly/)
    expect(setCookie).toMatch(/SameSite=Strict/)
    const cookie = setCookie.split(';')[0]!

    expect((await fetch(`${s.host.url}/`, { headers: { cookie } })).status).toBe(200)
    const rpc = await fetch(`${s.host.url}/rpc/app.info`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{}' })
    expect(await rpc.json()).toMatchObject({ ok: true, value: { tillName: 'Kasse 1' } })

    // A second use of the same code (another local user who read it off Chromium's command line).
    const second = await fetch(s.host.openUrl, { redirect: 'manual' })
    expect(second.status).toBe(403)
    expect(second.headers.get('set-cookie')).toBeNull()
  })

  it('does not serve the page or answer calls without the cookie', async () => {
    expect((await fetch(`${s.host.url}/`)).status).toBe(403)
    expect((await fetch(`${s.host.url}/?code=guess`, { redirect: 'manual' })).status).toBe(403)
    const rpc = await fetch(`${s.host.url}/rpc/app.info`, { method: 'POST', headers: { cookie: `${SECRET_COOKIE}=wrong`, 'content-type': 'application/json' }, body: '{}' })
    expect(rpc.status).toBe(401)
  })
})
