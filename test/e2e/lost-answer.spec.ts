/**
 * Paying twice, as the cashier sees it: the answer to Betal never arrives (the connection resets),
 * and the screen must say what became of the sale instead of inviting a second tap.
 */
import Database from 'better-sqlite3'
import type { Page } from '@playwright/test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { openTill } from '../../electron/core/till'
import { openDb } from '../../electron/core/store/db'
import { startHost } from '../../electron/host/server'
import { seedCanteen } from '../support/core'
import { browserTest, expect, test } from './fixtures'

async function signIn(page: Page) {
  await page.getByRole('button', { name: '1', exact: true }).or(page.getByRole('button', { name: /Log ud/ })).first().waitFor()
  if (await page.getByRole('button', { name: /Log ud/ }).isVisible()) await page.getByRole('button', { name: /Log ud/ }).click()
  for (const digit of '1234') await page.getByRole('button', { name: digit, exact: true }).click()
  await page.getByRole('button', { name: /^(OK|Log ind)$/i }).click()
  await expect(page).toHaveURL(/#\/cashier/)
}

async function basketForFreja(page: Page) {
  await page.getByRole('group', { name: /kategorier/i }).getByRole('button', { name: 'Frugt' }).click()
  await page.locator('.product-tile').first().click()
  await page.getByRole('textbox', { name: 'Kortnummer', exact: true }).fill('DEMO0001')
  await page.getByRole('textbox', { name: 'Kortnummer', exact: true }).press('Enter')
  await expect(page.locator('.card-panel')).toContainText('Freja Nielsen')
}

function salesOf(tillDb: string): number {
  const db = new Database(tillDb, { readonly: true, fileMustExist: true })
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM sales WHERE card_number = 'DEMO0001'`).get() as { n: number }).n
  } finally {
    db.close()
  }
}

test('the core recorded the sale but its answer was lost: the screen shows it approved, and nothing is charged twice', async ({ page, demo, axe }) => {
  await page.goto(demo.url)
  await signIn(page)
  await basketForFreja(page)
  const before = salesOf(demo.tillDb)

  // The call reaches the core and is recorded; the connection resets before the answer arrives.
  await page.route('**/rpc/sale.record', async (route) => {
    await route.fetch()
    await route.abort('connectionreset')
  })
  await page.getByRole('button', { name: /^Betal/ }).click()
  const outcome = page.locator('.outcome.approved')
  await expect(outcome).toContainText('Godkendt')
  await expect(outcome).toContainText('Salget fra før afbrydelsen')
  expect(salesOf(demo.tillDb)).toBe(before + 1)
  await page.screenshot({ path: 'test-results/lost-answer-approved.png' })
  await axe(page)
})

test('the sale never reached the core: after a reload the screen says it was NOT recorded and rings it up again', async ({ page, demo, axe }) => {
  await page.goto(demo.url)
  await signIn(page)
  await basketForFreja(page)
  const before = salesOf(demo.tillDb)

  // Neither the sale nor the question about it gets through; then the page reloads.
  await page.route('**/rpc/sale.{record,outcome}', (route) => route.abort('connectionreset'))
  await page.getByRole('button', { name: /^Betal/ }).click()
  await expect(page.locator('.outcome.checking')).toContainText('Tjekker om salget gik igennem')
  await expect(page.getByRole('button', { name: /^Betal/ })).toBeDisabled()
  await page.screenshot({ path: 'test-results/lost-answer-checking.png' })
  await page.unroute('**/rpc/sale.{record,outcome}')
  await page.reload()

  const lost = page.locator('.outcome.not-recorded')
  await expect(lost).toContainText('Salget blev IKKE gennemført')
  await expect(lost).toContainText('Freja Nielsen')
  await page.screenshot({ path: 'test-results/lost-answer-not-recorded.png' })
  await axe(page)
  expect(salesOf(demo.tillDb)).toBe(before)

  await lost.getByRole('button', { name: 'Slå salget op igen' }).click()
  await expect(page.locator('.card-panel')).toContainText('Freja Nielsen')
  await page.getByRole('button', { name: /^Betal/ }).click()
  await expect(page.locator('.outcome.approved')).toContainText('Godkendt')
  expect(salesOf(demo.tillDb)).toBe(before + 1)
})

browserTest('the window opens with a one-time code: in once, the code is gone from the address, a second use is refused', async ({ page, browser }) => {
  const dir = mkdtempSync(join(tmpdir(), 'kantine-e2e-code-'))
  const db = openDb(join(dir, 'till'))
  seedCanteen(db)
  db.close()
  const till = await openTill({ dataDir: join(dir, 'till') })
  const host = await startHost({ till, rendererDir: resolve(import.meta.dirname, '../../out/renderer') })
  try {
    await page.goto(host.openUrl)
    await expect(page.getByRole('heading', { name: 'Log ind' })).toBeVisible()
    expect(page.url()).not.toContain('code=')

    const other = await browser.newContext()
    const stranger = await other.newPage()
    await stranger.goto(host.openUrl)
    await expect(stranger.getByText('Linket virker kun én gang')).toBeVisible()
    await other.close()
  } finally {
    await host.close()
    await till.close()
    rmSync(dir, { recursive: true, force: true })
  }
})
