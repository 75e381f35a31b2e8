import Database from 'better-sqlite3'
import type { Page } from '@playwright/test'
import { expect, test } from './fixtures'

/** "kr. 1.234,50" → 123450 øre */
function ore(text: string): number {
  const m = /(-?)kr\.\s*([\d.]+),(\d{2})/.exec(text)
  if (!m) throw new Error(`no amount in "${text}"`)
  return (m[1] ? -1 : 1) * (Number(m[2]!.replace(/\./g, '')) * 100 + Number(m[3]))
}

async function signIn(page: Page, pin = '1234') {
  // The core remembers who is signed in across page loads; start each story at the PIN pad.
  await page.getByRole('button', { name: '1', exact: true }).or(page.getByRole('button', { name: /Log ud/ })).first().waitFor()
  if (await page.getByRole('button', { name: /Log ud/ }).isVisible()) await page.getByRole('button', { name: /Log ud/ }).click()
  for (const digit of pin) await page.getByRole('button', { name: digit, exact: true }).click()
  await page.getByRole('button', { name: /^(OK|Log ind)$/i }).click()
}

async function tapProduct(page: Page, category: string, index = 0): Promise<{ name: string; price: number }> {
  await page.getByRole('group', { name: /kategorier/i }).getByRole('button', { name: category }).click()
  const tile = page.locator('.product-tile').nth(index)
  const text = (await tile.innerText()).replace(/\s+/g, ' ')
  await tile.click()
  return { name: text.replace(/kr\..*$/, '').trim(), price: ore(text) }
}

test('a cashier signs in, sells two products to a demo card and sees the new balance; the sale is in the till file', async ({ page, demo, axe }) => {
  await page.goto(demo.url)
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible()
  await axe(page)
  await signIn(page)

  await expect(page).toHaveURL(/#\/cashier/)
  await expect(page.getByText('Mette Hansen')).toBeVisible()
  await axe(page)

  const lunch = await tapProduct(page, 'Varm mad')
  const drink = await tapProduct(page, 'Drikkevarer')
  const total = lunch.price + drink.price
  await expect(page.locator('.basket')).toContainText(lunch.name)

  await page.getByRole('textbox', { name: 'Kortnummer', exact: true }).fill('demo0001')
  await page.getByRole('textbox', { name: 'Kortnummer', exact: true }).press('Enter')
  await expect(page.locator('.card-panel')).toContainText('Freja Nielsen')
  await expect(page.locator('.card-panel')).toContainText('kr. 150,00')
  // The photo is fetched from the server the first time the card is seen, then shown.
  await expect(page.getByRole('img', { name: 'Foto af Freja Nielsen' })).toBeVisible()
  await axe(page)

  await page.getByRole('button', { name: /^Betal/ }).click()
  const outcome = page.locator('.outcome.approved')
  await expect(outcome).toContainText('Godkendt')
  const expectedBalance = 15000 - total
  await expect(outcome).toContainText(new Intl.NumberFormat('da-DK', { minimumFractionDigits: 2 }).format(expectedBalance / 100))
  await axe(page)

  // The sale is in the till's own SQLite file, with its outbox row for the server.
  const db = new Database(demo.tillDb, { readonly: true, fileMustExist: true })
  try {
    const sale = db.prepare(`SELECT id, total, card_number FROM sales WHERE card_number = 'DEMO0001' ORDER BY seq DESC LIMIT 1`).get() as { id: string; total: number; card_number: string }
    expect(sale.total).toBe(total)
    const lines = db.prepare('SELECT name, qty, unit_price FROM sale_lines WHERE sale_id = ? ORDER BY line_no').all(sale.id)
    expect(lines).toEqual([
      { name: lunch.name, qty: 1, unit_price: lunch.price },
      { name: drink.name, qty: 1, unit_price: drink.price },
    ])
    expect(db.prepare(`SELECT kind FROM outbox WHERE payload LIKE ?`).get(`%${sale.id}%`)).toEqual({ kind: 'sale.record' })
  } finally {
    db.close()
  }
})

test('a blocked card is refused with the reason and what to do', async ({ page, demo, axe }) => {
  await page.goto(demo.url)
  await signIn(page)
  await tapProduct(page, 'Frugt')
  await page.getByRole('textbox', { name: 'Kortnummer', exact: true }).fill('DEMO0003')
  await page.getByRole('textbox', { name: 'Kortnummer', exact: true }).press('Enter')
  await expect(page.getByText('Ida Hansen')).toBeVisible()
  await page.getByRole('button', { name: /^Betal/ }).click()
  const refused = page.locator('.outcome.refused')
  await expect(refused).toContainText(/spærret/i)
  await axe(page)
})

test('a wrong PIN is refused on the sign-in screen', async ({ page, demo }) => {
  await page.goto(demo.url)
  await signIn(page, '0000')
  await expect(page.locator('#pin-error')).toContainText(/PIN/i)
  await expect(page).not.toHaveURL(/#\/cashier/)
})

// Last in this file: it stops the demo server this worker's tests share.
test('with the server gone, the till says so and keeps selling; the sale waits to be sent', async ({ page, demo, axe }) => {
  await page.goto(demo.url)
  await signIn(page)
  expect(demo.serverPid).toBeGreaterThan(0)
  process.kill(demo.serverPid, 'SIGKILL')
  await expect(page.getByText('Offline', { exact: true })).toBeVisible({ timeout: 15_000 })

  await tapProduct(page, 'Frugt')
  await page.getByRole('textbox', { name: 'Kortnummer', exact: true }).fill('DEMO0001')
  await page.getByRole('textbox', { name: 'Kortnummer', exact: true }).press('Enter')
  await expect(page.locator('.card-panel')).toContainText('Freja Nielsen')
  await page.getByRole('button', { name: /^Betal/ }).click()
  await expect(page.locator('.outcome.approved')).toContainText('Godkendt')
  await expect(page.getByText('1 salg venter')).toBeVisible()
  await expect(page.getByText('Venter', { exact: true }).first()).toBeVisible()
  await axe(page)
})
