/**
 * Every state of the cashier screen fits at the two screen sizes canteens have (1280x800 and
 * 1024x768): each button a cashier may need is inside the window and not covered or cut off
 * (the point at its centre is the button itself). Screenshots of each state go to
 * test-results/cashier-fit/ for a person to look at.
 */
import type { Page } from '@playwright/test'
import { join } from 'node:path'
import { expect, rpc, test } from './fixtures'

const SIZES = [
  { width: 1280, height: 800 },
  { width: 1024, height: 768 },
] as const

async function signIn(page: Page, pin = '1234') {
  await page.getByRole('button', { name: '1', exact: true }).or(page.getByRole('button', { name: /Log ud/ })).first().waitFor()
  if (await page.getByRole('button', { name: /Log ud/ }).isVisible()) await page.getByRole('button', { name: /Log ud/ }).click()
  for (const digit of pin) await page.getByRole('button', { name: digit, exact: true }).click()
  await page.getByRole('button', { name: /^(OK|Log ind)$/i }).click()
  await expect(page).toHaveURL(/#\/cashier/)
}

async function tap(page: Page, category: string, count = 1) {
  await page.getByRole('group', { name: /kategorier/i }).getByRole('button', { name: category }).click()
  for (let i = 0; i < count; i++) await page.locator('.product-tile').nth(i).click()
}

async function scan(page: Page, card: string) {
  const field = page.getByRole('textbox', { name: 'Kortnummer', exact: true })
  await field.fill(card)
  await field.press('Enter')
}

/**
 * The buttons of the card panel, the pay row, the outcome, the status bar, the recent sales and
 * any open dialog: each inside the viewport and the topmost element at its centre. Buttons in a
 * list that scrolls on purpose (products, basket lines) are not counted; the recent sales scroll
 * up and down, but a void button cut off at their side counts.
 *
 * It runs in the page, so it is a string: this file is type-checked without the DOM's types.
 */
const FIT_CHECK = /* js */ `(() => {
  const scope = '.card-panel button, .pay-row button, .outcome button, .status-bar button, dialog[open] button, .recent button'
  const problems = []
  const modal = document.querySelector('dialog[open]')
  const outcome = document.querySelector('.outcome-region.active')
  const px = (n) => Math.round(n)
  for (const b of document.querySelectorAll(scope)) {
    if (modal && !modal.contains(b)) continue // behind the modal's backdrop on purpose
    if (outcome && b.closest('.pay-row')) continue // the outcome covers the basket and Betal on purpose
    const r = b.getBoundingClientRect()
    if (r.width === 0 && r.height === 0) continue // not rendered
    const name = (b.getAttribute('aria-label') || b.textContent || '').trim().replace(/\\s+/g, ' ')
    const list = b.closest('.recent-scroll')
    if (list) {
      const box = list.getBoundingClientRect()
      if (r.left < box.left - 0.5 || r.right > box.right + 0.5) problems.push(name + ': cut off at the side of the recent sales (' + px(r.right) + ' > ' + px(box.right) + ')')
      continue
    }
    if (r.left < 0 || r.top < 0 || r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5) {
      problems.push(name + ': outside the window (' + px(r.left) + ',' + px(r.top) + ')-(' + px(r.right) + ',' + px(r.bottom) + ')')
      continue
    }
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)
    if (!hit || !(hit === b || b.contains(hit))) problems.push(name + ': covered or cut off by ' + (hit ? hit.className || hit.tagName : 'nothing'))
  }
  return problems
})()`

async function offScreenButtons(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(FIT_CHECK)
}

for (const size of SIZES) {
  test.describe(`at ${size.width}x${size.height}`, () => {
    test.use({ viewport: size })

    test('every state of the cashier screen has its buttons on screen', async ({ page, demo, axe }, info) => {
      // The demo's canteens take cash (the server's setting, with the first pull), so the cash
      // button is part of the states.
      await expect.poll(async () => ((await rpc(demo, 'app.settings')) as { cashAllowed: boolean }).cashAllowed, { timeout: 30_000 }).toBe(true)
      await page.goto(demo.url)
      await signIn(page)
      const shot = async (state: string) => {
        await page.waitForTimeout(150) // transitions, and the live region's text
        await page.screenshot({ path: join(info.project.outputDir, 'cashier-fit', `${size.width}x${size.height}-${state}.png`) })
        expect(await offScreenButtons(page), state).toEqual([])
      }

      await shot('01-empty')
      await tap(page, 'Varm mad', 2)
      await expect(page.getByRole('button', { name: 'Kontant' })).toBeEnabled()
      await shot('02-basket-no-card')
      await axe(page) // the cash button beside Betal

      // The old card of a pupil with a day limit: badge, limits, and the refusal's "Ret kurven".
      await scan(page, 'OLD00004')
      await expect(page.locator('.card-panel')).toContainText('Gammelt kort')
      await expect(page.locator('.card-panel')).toContainText('Denne uge')
      await expect(page.getByRole('button', { name: 'Kontant' })).toHaveCount(0)
      await shot('03-old-card')
      await axe(page) // the limits left, the badge
      await page.getByRole('button', { name: /^Betal/ }).click()
      await expect(page.locator('.outcome.refused')).toBeVisible()
      await expect(page.getByRole('button', { name: 'Ret kurven' })).toBeVisible()
      await shot('04-old-card-refused')
      await page.getByRole('button', { name: 'Ret kurven' }).click()

      // A longer basket, then the day limit refused for the active card.
      await tap(page, 'Sandwich', 3)
      await scan(page, 'DEMO0004')
      await expect(page.locator('.card-panel')).toContainText('William Pedersen')
      await shot('05-card-long-basket')
      await page.getByRole('button', { name: /^Betal/ }).click()
      await expect(page.locator('.outcome.refused')).toBeVisible()
      await shot('06-limit-refused')
      await page.getByRole('button', { name: 'Ret kurven' }).click()

      // Unknown card.
      await page.getByRole('button', { name: 'Fjern kort' }).click()
      await scan(page, 'NOSUCH99')
      await expect(page.locator('.card-problem')).toBeVisible()
      await shot('07-unknown-card')

      // Approved card sale, to a demo pupil no other spec counts the money of (the demo server is shared by the worker's specs).
      await page.getByRole('button', { name: 'Tøm kurv' }).click()
      await tap(page, 'Frugt')
      await scan(page, '35466454')
      await expect(page.locator('.card-panel')).toContainText('Oscar Ali')
      await page.getByRole('button', { name: /^Betal/ }).click()
      await expect(page.locator('.outcome.approved')).toBeVisible()
      await shot('08-approved')
      await page.getByRole('button', { name: 'Næste kunde' }).click()

      // A guest pays cash: the amount to take, large.
      await tap(page, 'Frugt', 2)
      await page.getByRole('button', { name: 'Kontant' }).click()
      await expect(page.locator('.outcome.cash')).toContainText('Modtag kontant')
      await shot('09-cash-approved')
      await axe(page)
      await page.getByRole('button', { name: 'Næste kunde' }).click()

      // The sound settings.
      await page.getByRole('button', { name: /^Lyd/ }).click()
      await expect(page.getByRole('dialog', { name: /Lyd ved godkendt/ })).toBeVisible()
      await shot('10-sound-settings')
      await axe(page)
      await page.getByRole('checkbox', { name: 'Lyd til' }).uncheck()
      await page.getByRole('button', { name: 'Luk', exact: true }).click()
      await expect(page.getByRole('button', { name: 'Lyd fra' })).toBeVisible()
      expect(await rpc(demo, 'app.settings')).toMatchObject({ sound: { on: false } })
      await page.getByRole('button', { name: 'Lyd fra' }).click()
      await page.getByRole('checkbox', { name: 'Lyd til' }).check()
      await page.getByRole('button', { name: 'Luk', exact: true }).click()
      await expect(page.getByRole('button', { name: /^Lyd 70/ })).toBeVisible()
    })
  })
}
