import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTill, type Till } from '../core/till'
import { RELAY_BODY_LIMIT, SECRET_COOKIE, startHost, type RunningHost } from './server'

const ROOT = resolve(import.meta.dirname, '../..')

describe('the host of a parent kiosk', () => {
  const s = {} as { dir: string; till: Till; host: RunningHost }
  beforeAll(async () => {
    s.dir = mkdtempSync(join(tmpdir(), 'kantine-host-kiosk-'))
    const renderer = join(s.dir, 'renderer')
    mkdirSync(renderer)
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Kantine</title>')
    s.till = await openTill({ dataDir: join(s.dir, 'kiosk'), terminalKind: 'kiosk' })
    s.host = await startHost({ till: s.till, rendererDir: renderer })
  })
  afterAll(async () => {
    await s.host.close()
    await s.till.close()
    rmSync(s.dir, { recursive: true, force: true })
  })

  const post = (method: string, body: string, secret: string | null = s.host.secret) =>
    fetch(`${s.host.url}/rpc/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret ? { cookie: `${SECRET_COOKIE}=${secret}` } : {}) },
      body,
    })

  /** A guardian.request carrying a photo of `bytes` base64 characters. */
  const photoCall = (bytes: number) => JSON.stringify({ method: 'PUT', path: '/guardian/accounts/a-1/photo', body: { image: 'A'.repeat(bytes) } })

  it('takes a photo-sized guardian.request (≈ 11 MB of base64), which the core answers', async () => {
    const res = await post('guardian.request', photoCall(11 * 1024 * 1024))
    expect(res.status).toBe(200)
    // Not enrolled: the core answered it (status 0), so the body got through whole.
    expect(await res.json()).toMatchObject({ ok: true, value: { status: 0, body: { error: 'not-enrolled' } } })
  })

  it('refuses a guardian.request above the limit, and every other method above the small one', async () => {
    expect((await post('guardian.request', photoCall(RELAY_BODY_LIMIT + 1))).status).toBe(413)
    const big = JSON.stringify({ pin: '1'.repeat(300 * 1024) })
    expect((await post('staff.signIn', big)).status).toBe(413)
  })

  it('wants the host secret before it reads a large body', async () => {
    const res = await post('guardian.request', photoCall(11 * 1024 * 1024), null)
    expect(res.status).toBe(401)
    expect(await res.json()).toMatchObject({ error: 'unauthorized' })
  })
})

describe('the host command line', () => {
  it('refuses a terminal kind it does not know, before it starts anything', () => {
    const renderer = mkdtempSync(join(tmpdir(), 'kantine-renderer-'))
    writeFileSync(join(renderer, 'index.html'), '<!doctype html>')
    const dataDir = mkdtempSync(join(tmpdir(), 'kantine-till-'))
    try {
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'electron/host/cli.ts', '--headless', '--renderer', renderer, '--data-dir', dataDir, '--terminal', 'toaster'], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
      })
      expect(run.status).toBe(1)
      expect(run.stderr).toContain('--terminal must be till or kiosk, got toaster')
      expect(run.stdout).not.toMatch(/Kantine (till|kiosk):/)
    } finally {
      rmSync(renderer, { recursive: true, force: true })
      rmSync(dataDir, { recursive: true, force: true })
    }
  })

  it('runs a kiosk with --terminal kiosk and says so, with its address', async () => {
    const renderer = mkdtempSync(join(tmpdir(), 'kantine-renderer-'))
    writeFileSync(join(renderer, 'index.html'), '<!doctype html>')
    const dataDir = mkdtempSync(join(tmpdir(), 'kantine-kiosk-'))
    const child = spawn(process.execPath, ['--import', 'tsx', 'electron/host/cli.ts', '--headless', '--renderer', renderer, '--data-dir', dataDir, '--terminal', 'kiosk'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    try {
      const line = await new Promise<string>((resolveLine, reject) => {
        let out = ''
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString()
          const m = /^Kantine kiosk: (\S+)$/m.exec(out)
          if (m) resolveLine(m[1]!)
        })
        child.once('exit', (code) => reject(new Error(`exited ${code}`)))
      })
      expect(line).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?code=/)
    } finally {
      await new Promise<void>((r) => {
        child.once('exit', () => r())
        child.kill('SIGTERM')
      })
      rmSync(renderer, { recursive: true, force: true })
      rmSync(dataDir, { recursive: true, force: true })
    }
  }, 60_000)
})
