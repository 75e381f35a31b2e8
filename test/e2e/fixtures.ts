/**
 * End-to-end fixture: the real thing, as `npm start -- --headless` runs it. A demo server
 * process (PGlite + demo data) and the host shell with the till core, then the real Vue UI in
 * Chromium. Each test file gets its own data folder. `kioskTest` does the same with the host
 * as a parent kiosk (`--terminal kiosk`), and can start tills enrolled on the same server.
 */
import AxeBuilder from '@axe-core/playwright'
import { test as base, expect, type BrowserContext, type Page } from '@playwright/test'
import { randomBytes } from 'node:crypto'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'

export interface DemoTill {
  /** The till's address, without the one-time code (the fixture traded it for the cookie). */
  url: string
  /** The host's secret cookie, which every test's browser context gets before it opens the page. */
  cookie: { name: string; value: string }
  /** The demo server's process: a test may stop it to take the till offline. */
  serverPid: number
  dataDir: string
  tillDb: string
}

const root = resolve(import.meta.dirname, '../..')

interface Launched {
  /** The printed address, one-time code traded: origin + '/'. */
  url: string
  cookie: { name: string; value: string }
  /** The demo server's pid and address (only with --demo). */
  serverPid: number
  serverUrl: string
  child: ChildProcess
}

/** Starts the host shell with `args` and waits for its `Kantine <kind>: <url>` line. */
export async function launchHost(args: string[], kind: 'till' | 'kiosk', env: NodeJS.ProcessEnv = {}): Promise<Launched> {
  // KANTINE_E2E_RENDERER: a renderer built elsewhere (`npx electron-vite build --outDir DIR`,
  // then DIR/renderer), so two people working in one checkout do not rebuild each other's out/.
  const renderer = process.env.KANTINE_E2E_RENDERER ? ['--renderer', process.env.KANTINE_E2E_RENDERER] : []
  const child = spawn(process.execPath, ['--import', 'tsx', 'electron/host/cli.ts', '--headless', ...renderer, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, ...env },
  })
  const stderr: string[] = []
  child.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()))
  let serverPid = 0
  let serverUrl = ''
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} did not start in 90 s:\n${stderr.join('').slice(-3000)}`)), 90_000)
    child.once('exit', (code) => reject(new Error(`${kind} exited ${code}:\n${stderr.join('').slice(-3000)}`)))
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const server = /^Demo server: (\S+) \(pid (\d+)\)/.exec(line)
      if (server) {
        serverUrl = server[1]!
        serverPid = Number(server[2])
      }
      const m = new RegExp(`^Kantine ${kind}: (\\S+)`).exec(line)
      if (m) {
        clearTimeout(timer)
        resolveUrl(m[1]!)
      }
    })
  })
  // The printed address holds a one-time code; trade it once, as Chromium's window would, and
  // hand the cookie to each test's fresh browser context.
  const opened = await fetch(url, { redirect: 'manual' })
  const pair = /^([^=]+)=([^;]*)/.exec(opened.headers.get('set-cookie') ?? '')
  if (opened.status !== 303 || !pair) throw new Error(`the host did not trade its one-time code for a cookie (HTTP ${opened.status})`)
  return { url: `${new URL(url).origin}/`, cookie: { name: pair[1]!, value: pair[2]! }, serverPid, serverUrl, child }
}

/** Stops a host (and its demo server: one process group). */
export function stopHost(child: ChildProcess): Promise<void> {
  return new Promise<void>((r) => {
    if (child.exitCode !== null || child.signalCode !== null) return r()
    child.once('exit', () => r())
    try {
      process.kill(-child.pid!, 'SIGTERM')
    } catch {
      r()
    }
  })
}

async function startDemo(): Promise<{ till: DemoTill; child: ChildProcess }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kantine-e2e-'))
  const host = await launchHost(['--demo', '--data-dir', dataDir], 'till')
  return { till: { url: host.url, cookie: host.cookie, serverPid: host.serverPid, dataDir, tillDb: join(dataDir, 'till', 'till.sqlite') }, child: host.child }
}

/** What every browser test gets: the CSP guard and axe-core; no till (see `test` for the demo one). */
export const browserTest = base.extend<{ axe: (page: Page) => Promise<void>; cspGuard: void }>({
  /** Every page runs under the strict CSP: a violation (an inline style, a remote call) fails the test. */
  cspGuard: [
    async ({ page }, use) => {
      const violations: string[] = []
      page.on('console', (msg) => {
        if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) violations.push(msg.text())
      })
      await use()
      expect(violations).toEqual([])
    },
    { auto: true },
  ],
  /** Runs axe-core (WCAG 2.2 AA rules) on the page as it is and fails on serious or critical findings. */
  axe: async ({}, use) => {
    await use(async (page) => {
      const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze()
      const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([])
    })
  },
})

/** The demo till: a demo server and the host shell, once per worker; each test's browser context holds its cookie. */
export const test = browserTest.extend<object, { demo: DemoTill }>({
  context: async ({ context, demo }, use) => {
    await context.addCookies([{ ...demo.cookie, url: demo.url, httpOnly: true, sameSite: 'Strict' }])
    await use(context)
  },
  demo: [
    async ({}, use) => {
      const { till, child } = await startDemo()
      await use(till)
      // The host and its demo server are one process group: stop both.
      await stopHost(child)
      rmSync(till.dataDir, { recursive: true, force: true })
    },
    { scope: 'worker', timeout: 120_000 },
  ],
})

// --- the parent kiosk -------------------------------------------------------------------------

export interface DemoKiosk {
  /** The kiosk's address, without the one-time code (the fixture traded it for the cookie). */
  url: string
  cookie: { name: string; value: string }
  /** The demo server, for checking its state over HTTP (admin API, guardian API). */
  serverUrl: string
  serverPid: number
  /** The demo's launch admin token (every municipality): GET /admin/accounts/:id and friends. */
  adminToken: string
  dataDir: string
  /** The canteen the kiosk is enrolled at (its tills' default). */
  locationId: string
}

export interface TillHost {
  url: string
  cookie: { name: string; value: string }
  dataDir: string
  tillDb: string
  /** Stops this till (the fixture stops it after the test anyway). */
  stop(): Promise<void>
}

/** Calls the core of a running host as its page would (the cookie is the host's secret). */
export async function rpc(host: { url: string; cookie: { name: string; value: string } }, method: string, args: unknown = {}): Promise<unknown> {
  const res = await fetch(new URL(`/rpc/${method}`, host.url), {
    method: 'POST',
    headers: { cookie: `${host.cookie.name}=${host.cookie.value}`, 'content-type': 'application/json' },
    body: JSON.stringify(args),
  })
  const body = (await res.json()) as { ok: boolean; value?: unknown; error?: { code: string; message: string } }
  if (!body.ok) throw new Error(`${method}: ${body.error?.code} ${body.error?.message}`)
  return body.value
}

/** Waits until a host's core has enrolled with its server. */
async function enrolled(host: Launched, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const status = (await rpc(host, 'sync.status')) as { enrolled: boolean; lastError: string | null }
    if (status.enrolled) return
    if (Date.now() > deadline) throw new Error(`the host did not enrol: ${status.lastError}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

/** A JSON call to the demo server (the admin token, a guardian session, or none). */
export async function serverApi(serverUrl: string, method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...opts.headers }
  if (opts.token) headers.authorization = `Bearer ${opts.token}`
  if (opts.body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(new URL(path, serverUrl), { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), redirect: 'manual' })
  const text = await res.text()
  return { status: res.status, body: (text ? JSON.parse(text) : null) as any } // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * Makes sure a demo account holds at least `atLeast` øre on the kiosk's server, with a deposit of
 * the difference. The specs of a worker share that server, and which others ran before in the
 * same worker (and spent or topped up the demo pupils' money) depends on how files are spread
 * over workers: a spec that sells to a demo card says what it needs instead of relying on them.
 */
export async function ensureBalance(kiosk: DemoKiosk, accountId: string, atLeast: number): Promise<void> {
  const account = await serverApi(kiosk.serverUrl, 'GET', `/admin/accounts/${accountId}`, { token: kiosk.adminToken })
  if (account.status !== 200) throw new Error(`GET /admin/accounts/${accountId}: ${account.status}`)
  const balance = (account.body as { balance: number }).balance
  if (balance >= atLeast) return
  const deposit = await serverApi(kiosk.serverUrl, 'POST', `/admin/accounts/${accountId}/deposit`, { token: kiosk.adminToken, body: { amount: atLeast - balance } })
  if (deposit.status !== 200) throw new Error(`deposit to ${accountId}: ${deposit.status} ${JSON.stringify(deposit.body)}`)
}

/**
 * The parent's phone with the demo's simulated MitID: opens the user code the kiosk shows and
 * signs in as `guardianId` (default g-0001, Louise Nielsen, the guardian of DEMO0001). The kiosk
 * then gets its session at its next poll.
 */
export async function approveOnPhone(kiosk: DemoKiosk, userCode: string, guardianId = 'g-0001'): Promise<void> {
  const verify = await serverApi(kiosk.serverUrl, 'GET', `/guardian/verify?user_code=${encodeURIComponent(userCode)}`)
  if (verify.status !== 200) throw new Error(`verify: ${verify.status} ${JSON.stringify(verify.body)}`)
  const authorize = new URL(verify.body.authorizationUrl as string, kiosk.serverUrl)
  const body = { state: authorize.searchParams.get('state'), nonce: authorize.searchParams.get('nonce'), guardianId }
  const signIn = await serverApi(kiosk.serverUrl, 'POST', authorize.pathname, { body })
  if (signIn.status !== 200) throw new Error(`sign-in: ${signIn.status} ${JSON.stringify(signIn.body)}`)
  const callback = new URL(signIn.body.redirect as string)
  const done = await serverApi(kiosk.serverUrl, 'GET', callback.pathname + callback.search)
  if (done.status !== 200) throw new Error(`callback: ${done.status} ${JSON.stringify(done.body)}`)
}

/** The demo's kiosk PIN sign-in: the guardian of DEMO0001 chose 2468. */
export const DEMO_PIN_SIGN_IN = { cardNumber: 'DEMO0001', pin: '2468', guardianId: 'g-0001', guardianName: 'Louise Nielsen' } as const

/** Gives a browser context a host's cookie (a second context for a till, say). */
export async function withHostCookie(context: BrowserContext, host: { url: string; cookie: { name: string; value: string } }): Promise<void> {
  await context.addCookies([{ ...host.cookie, url: host.url, httpOnly: true, sameSite: 'Strict' }])
}

async function startKiosk(): Promise<{ kiosk: DemoKiosk; child: ChildProcess }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kantine-e2e-kiosk-'))
  const adminToken = randomBytes(24).toString('base64url')
  // The demo server is the host's child and inherits its environment: the fixture picks its admin token.
  const host = await launchHost(['--demo', '--terminal', 'kiosk', '--data-dir', dataDir], 'kiosk', { KANTINE_ADMIN_TOKEN: adminToken })
  try {
    await enrolled(host)
    const info = (await rpc(host, 'app.info')) as { location: { id: string } | null; terminalKind: string }
    if (info.terminalKind !== 'kiosk' || !info.location) throw new Error(`the kiosk host is not a kiosk: ${JSON.stringify(info)}`)
    return {
      kiosk: { url: host.url, cookie: host.cookie, serverUrl: host.serverUrl, serverPid: host.serverPid, adminToken, dataDir, locationId: info.location.id },
      child: host.child,
    }
  } catch (err) {
    await stopHost(host.child)
    throw err
  }
}

/** Starts a till host enrolled on the kiosk's server (a fresh code from the admin API). */
async function startTillOn(kiosk: DemoKiosk, opts: { locationId?: string; name?: string } = {}): Promise<{ till: TillHost; child: ChildProcess }> {
  const code = await serverApi(kiosk.serverUrl, 'POST', '/admin/enrolment-codes', { token: kiosk.adminToken, body: { locationId: opts.locationId ?? kiosk.locationId } })
  if (code.status !== 200) throw new Error(`enrolment code: ${code.status} ${JSON.stringify(code.body)}`)
  const dataDir = mkdtempSync(join(tmpdir(), 'kantine-e2e-till-'))
  const host = await launchHost(['--server-url', kiosk.serverUrl, '--enrol-code', code.body.code as string, '--data-dir', dataDir, '--name', opts.name ?? 'Kasse 2'], 'till', {
    NODE_ENV: 'development', // the simulated card reader, as the demo till has
  })
  try {
    await enrolled(host)
  } catch (err) {
    await stopHost(host.child)
    throw err
  }
  const stop = async () => {
    await stopHost(host.child)
    rmSync(dataDir, { recursive: true, force: true })
  }
  return { till: { url: host.url, cookie: host.cookie, dataDir, tillDb: join(dataDir, 'till.sqlite'), stop }, child: host.child }
}

/**
 * The parent kiosk: a demo server and the host shell as a kiosk, once per worker; each test's
 * browser context holds the kiosk's cookie. `startTill()` starts a till on the same server (for
 * a test that shows a parent's change reaching the counter); it is stopped after the test.
 */
export const kioskTest = browserTest.extend<{ startTill: (opts?: { locationId?: string; name?: string }) => Promise<TillHost> }, { kiosk: DemoKiosk }>({
  context: async ({ context, kiosk }, use) => {
    await withHostCookie(context, kiosk)
    await use(context)
  },
  startTill: async ({ kiosk }, use) => {
    const started: TillHost[] = []
    await use(async (opts) => {
      const { till } = await startTillOn(kiosk, opts)
      started.push(till)
      return till
    })
    for (const till of started) await till.stop()
  },
  kiosk: [
    async ({}, use) => {
      const { kiosk, child } = await startKiosk()
      await use(kiosk)
      await stopHost(child)
      rmSync(kiosk.dataDir, { recursive: true, force: true })
    },
    { scope: 'worker', timeout: 120_000 },
  ],
})

export { expect }
