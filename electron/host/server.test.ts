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

describe('the host shell over real HTTP', () => {
  let dir: string
  let till: Till
  let host: RunningHost
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kantine-host-'))
    const renderer = join(dir, 'renderer')
    mkdirSync(renderer)
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Kantine</title>')
    till = await openTill({ dataDir: join(dir, 'till'), simulatedReader: true })
    host = await startHost({ till, rendererDir: renderer })
  })
  afterAll(async () => {
    await host.close()
    await till.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const rpc = (method: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${host.url}/rpc/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${host.secret}`, ...headers },
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
        .request({ host: '127.0.0.1', port: host.port, path: '/rpc/app.info', method: 'POST', headers: { host: 'attacker.example', authorization: `Bearer ${host.secret}` } }, (res) => resolve(res.statusCode ?? 0))
        .end('{}')
    })
    expect(status).toBe(403)
  })
  it('passes a bad argument to the core, which answers with a clear error', async () => {
    const body = await (await rpc('staff.signIn', { pin: 12 })).json()
    expect(body).toMatchObject({ ok: false, error: { code: 'bad-argument' } })
  })
  it('serves the renderer with a strict CSP and nothing outside it', async () => {
    const res = await fetch(`${host.url}/`, { headers: { authorization: `Bearer ${host.secret}` } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect((await fetch(`${host.url}/..%2f..%2fetc%2fpasswd`)).status).toBe(404)
  })
  it('streams events to a socket with the secret and closes one without', async () => {
    const ws = new WebSocket(`${host.url.replace('http', 'ws')}/events`, { headers: { cookie: `${SECRET_COOKIE}=${host.secret}` } })
    await new Promise((r) => ws.once('open', r))
    const got = new Promise((r) => ws.once('message', (d) => r(JSON.parse(String(d)))))
    await rpc('reader.simulate', { cardNumber: 'demo0001' })
    expect(await got).toEqual({ event: 'reader.card', payload: { cardNumber: 'DEMO0001' } })
    ws.close()

    for (const url of [`${host.url.replace('http', 'ws')}/events`, `${host.url.replace('http', 'ws')}/events?secret=${encodeURIComponent(host.secret)}`]) {
      const bad = new WebSocket(url)
      const code = await new Promise((r) => bad.once('close', (c) => r(c)))
      expect(code).toBe(4401)
    }
  })
})

describe('handing the secret to the window without a command line', () => {
  let dir: string
  let till: Till
  let host: RunningHost
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kantine-host-'))
    const renderer = join(dir, 'renderer')
    mkdirSync(renderer)
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Kantine</title>')
    till = await openTill({ dataDir: join(dir, 'till') })
    host = await startHost({ till, rendererDir: renderer })
  })
  afterAll(async () => {
    await host.close()
    await till.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('opens the window with a one-time code, never the secret', () => {
    expect(host.openUrl).toMatch(new RegExp(`^${host.url}/\\?code=[\\w-]{20,}$`))
    expect(host.openUrl).not.toContain(host.secret)
  })

  it('trades the code once for an HttpOnly, SameSite=Strict cookie that opens the page and the RPC', async () => {
    const first = await fetch(host.openUrl, { redirect: 'manual' })
    expect(first.status).toBe(303)
    expect(first.headers.get('location')).toBe('/')
    const setCookie = first.headers.get('set-cookie') ?? ''
    expect(setCookie).toContain(`${SECRET_COOKIE}=${host.secret}`)
    expect(setCookie).toMatch(/HttpOnly/)
    expect(setCookie).toMatch(/SameSite=Strict/)
    const cookie = setCookie.split(';')[0]!

    expect((await fetch(`${host.url}/`, { headers: { cookie } })).status).toBe(200)
    const rpc = await fetch(`${host.url}/rpc/app.info`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{}' })
    expect(await rpc.json()).toMatchObject({ ok: true, value: { tillName: 'Kasse 1' } })

    // A second use of the same code (another local user who read it off Chromium's command line).
    const second = await fetch(host.openUrl, { redirect: 'manual' })
    expect(second.status).toBe(403)
    expect(second.headers.get('set-cookie')).toBeNull()
  })

  it('does not serve the page or answer calls without the cookie', async () => {
    expect((await fetch(`${host.url}/`)).status).toBe(403)
    expect((await fetch(`${host.url}/?code=guess`, { redirect: 'manual' })).status).toBe(403)
    const rpc = await fetch(`${host.url}/rpc/app.info`, { method: 'POST', headers: { cookie: `${SECRET_COOKIE}=wrong`, 'content-type': 'application/json' }, body: '{}' })
    expect(rpc.status).toBe(401)
  })
})
