/**
 * The sign-in screen's refusals that are not "wrong PIN": a till that was never enrolled, and a
 * lockout after too many wrong PINs. Each test runs its own till and host in this process.
 */
import type { Page } from '@playwright/test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { openTill } from '../../electron/core/till'
import { openDb } from '../../electron/core/store/db'
import { startHost } from '../../electron/host/server'
import { seedCanteen } from '../support/core'
import { browserTest as test, expect } from './fixtures'

async function withTill(seeded: boolean, story: (openUrl: string) => Promise<void>, clock?: { now(): Date }, tillOpts: { serverUrl?: string; enrolmentCode?: string } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'kantine-e2e-signin-'))
  if (seeded) {
    const db = openDb(join(dir, 'till'))
    seedCanteen(db)
    db.close()
  }
  const till = await openTill({ dataDir: join(dir, 'till'), clock, ...tillOpts })
  const host = await startHost({ till, rendererDir: resolve(import.meta.dirname, '../../out/renderer') })
  try {
    await story(host.openUrl)
  } finally {
    await host.close()
    await till.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function typePin(page: Page, pin: string) {
  for (const digit of pin) await page.getByRole('button', { name: digit, exact: true }).click()
  await page.getByRole('button', { name: 'OK', exact: true }).click()
}

test('a till whose command-line enrolment has not gone through says so at sign-in instead of "wrong PIN"', async ({ page, axe }) => {
  // A fresh install with no code shows the first-run screen instead (first-run.spec.ts); a till
  // given a code on its command line waits for it at sign-in. Nothing listens on port 9.
  await withTill(false, async (openUrl) => {
    await page.goto(openUrl)
    await typePin(page, '1234')
    await expect(page.locator('#pin-error')).toContainText('Kassen er ikke tilmeldt serveren')
    await expect(page.locator('#pin-error')).not.toContainText('Forkert PIN-kode')
    await page.screenshot({ path: 'test-results/signin-not-enrolled.png' })
    await axe(page)
  }, undefined, { serverUrl: 'http://127.0.0.1:9', enrolmentCode: 'ABCDE-FGHJK' })
})

test('after three wrong PINs the screen says how long to wait, and OK waits too', async ({ page, axe }) => {
  // Time stands still on both sides, so a slow machine cannot outlast the 30 s lockout mid-story.
  const now = new Date('2026-03-02T10:00:00Z')
  await page.clock.setFixedTime(now)
  await withTill(true, async (openUrl) => {
    await page.goto(openUrl)
    for (let i = 0; i < 3; i++) {
      await typePin(page, '0000')
      await expect(page.locator('#pin-error')).toContainText('Forkert PIN-kode')
    }
    await typePin(page, '0000')
    await expect(page.locator('#pin-error')).toContainText('For mange forkerte PIN-koder')
    await expect(page.locator('#pin-error')).toContainText('Vent 30 sekunder')
    for (const digit of '1234') await page.getByRole('button', { name: digit, exact: true }).click()
    await expect(page.getByRole('button', { name: /^0:[0-3]\d$/ })).toBeDisabled()
    await page.screenshot({ path: 'test-results/signin-locked.png' })
    await axe(page)
  }, { now: () => now })
})
