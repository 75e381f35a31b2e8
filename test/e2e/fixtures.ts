/**
 * End-to-end fixture: the real thing, as `npm start -- --headless` runs it. A demo server
 * process (PGlite + demo data) and the host shell with the till core, then the real Vue UI in
 * Chromium. Each test file gets its own data folder.
 */
import AxeBuilder from '@axe-core/playwright'
import { test as base, expect, type Page } from '@playwright/test'
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

async function startDemo(): Promise<{ till: DemoTill; child: ChildProcess }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kantine-e2e-'))
  const child = spawn(process.execPath, ['--import', 'tsx', 'electron/host/cli.ts', '--demo', '--headless', '--data-dir', dataDir], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  const stderr: string[] = []
  child.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()))
  let serverPid = 0
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo did not start in 90 s:\n${stderr.join('').slice(-3000)}`)), 90_000)
    child.once('exit', (code) => reject(new Error(`demo exited ${code}:\n${stderr.join('').slice(-3000)}`)))
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const pid = /^Demo server: \S+ \(pid (\d+)\)/.exec(line)
      if (pid) serverPid = Number(pid[1])
      const m = /^Kantine till: (\S+)/.exec(line)
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
  const base = new URL(url)
  return { till: { url: `${base.origin}/`, cookie: { name: pair[1]!, value: pair[2]! }, serverPid, dataDir, tillDb: join(dataDir, 'till', 'till.sqlite') }, child }
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
      await new Promise<void>((r) => {
        child.once('exit', () => r())
        try {
          process.kill(-child.pid!, 'SIGTERM')
        } catch {
          r()
        }
      })
      rmSync(till.dataDir, { recursive: true, force: true })
    },
    { scope: 'worker', timeout: 120_000 },
  ],
})

export { expect }
