/**
 * The card reader at the counter: a keyboard-wedge reader typing into whatever has focus, a
 * product barcode scanned the same way, and the manager's reader panel with its test read.
 */
import type { Page } from '@playwright/test'
import { expect, test } from './fixtures'

async function signIn(page: Page, pin: string) {
  await page.getByRole('button', { name: '1', exact: true }).or(page.getByRole('button', { name: /Log ud/ })).first().waitFor()
  if (await page.getByRole('button', { name: /Log ud/ }).isVisible()) await page.getByRole('button', { name: /Log ud/ }).click()
  for (const digit of pin) await page.getByRole('button', { name: digit, exact: true }).click()
  await page.getByRole('button', { name: /^(OK|Log ind)$/i }).click()
  await expect(page).toHaveURL(/#\/cashier/)
}

/** What a USB keyboard-wedge reader does: the whole number and Enter, a few ms a key. */
async function readerTypes(page: Page, text: string) {
  await page.keyboard.type(text, { delay: 4 })
  await page.keyboard.press('Enter')
}

test('a wedge reader typing into a focused field presents the card and leaves the field empty', async ({ page, demo, axe }) => {
  await page.goto(demo.url)
  await signIn(page, '1234')
  const field = page.getByRole('textbox', { name: 'Kortnummer', exact: true })
  await field.focus()
  await readerTypes(page, 'demo0001')
  await expect(page.locator('.card-panel')).toContainText('Freja Nielsen')
  await expect(field).toHaveValue('')

  // A person typing slowly in the same field still gets their keys.
  await field.pressSequentially('demo', { delay: 150 })
  await expect(field).toHaveValue('demo')
  await field.fill('')

  // A product's barcode scanned the same way (check digit verified) adds the product.
  await page.getByRole('button', { name: /^Betal/ }).focus()
  await readerTypes(page, '5793101433680')
  await expect(page.locator('.basket')).toContainText('Vindruer i bæger')
  // Its Enter pressed nothing: no sale was attempted.
  await expect(page.locator('.outcome')).toHaveCount(0)
  await axe(page)
})

test('a manager opens the reader panel from the status bar and tests a card without selling', async ({ page, demo, axe }) => {
  await page.goto(demo.url)
  await signIn(page, '9999')
  await page.getByRole('button', { name: /Indstil kortlæser/ }).click()
  const dialog = page.getByRole('dialog', { name: 'Kortlæser' })
  await expect(dialog).toBeVisible()
  await expect(dialog.getByRole('radio', { name: /skriver som et tastatur/ })).toBeChecked()
  await axe(page)

  await readerTypes(page, 'demo0002')
  await expect(dialog.locator('.reader-read').first()).toContainText('Kort: DEMO0002')
  await readerTypes(page, '5793101433680')
  await expect(dialog.locator('.reader-read').first()).toContainText('Vare: Vindruer i bæger')

  // Reads during the test went to no sale.
  await dialog.getByRole('button', { name: 'Luk' }).click()
  await expect(dialog).toBeHidden()
  await expect(page.locator('.card-panel')).not.toContainText('DEMO0002')
  await expect(page.locator('.basket')).not.toContainText('Vindruer')

  // The setting is kept: reading as hex with reversed byte order.
  await page.getByRole('button', { name: /Indstil kortlæser/ }).click()
  await dialog.getByRole('radio', { name: 'Hex' }).first().check()
  await dialog.getByRole('checkbox', { name: 'Omvendt byte-rækkefølge' }).check()
  await dialog.getByRole('button', { name: 'Gem' }).click()
  await expect(dialog.getByRole('status')).toContainText('Gemt')
  await readerTypes(page, '1c3ba204')
  await expect(dialog.locator('.reader-read').first()).toContainText('Kort: 04A23B1C')
  await axe(page)

  // It fits the small counter screens: Save and Close in view without scrolling the page.
  for (const size of [{ width: 1280, height: 800 }, { width: 1024, height: 768 }]) {
    await page.setViewportSize(size)
    for (const name of ['Gem', 'Luk']) {
      const box = await dialog.getByRole('button', { name, exact: true }).boundingBox()
      expect(box, `${name} at ${size.width}x${size.height}`).not.toBeNull()
      expect(box!.y + box!.height).toBeLessThanOrEqual(size.height)
      expect(box!.x + box!.width).toBeLessThanOrEqual(size.width)
    }
    await page.screenshot({ path: `test-results/reader-panel-${size.width}x${size.height}.png` })
  }
})
