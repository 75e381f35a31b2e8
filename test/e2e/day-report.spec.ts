/**
 * The end of the day through the real UI: a manager sells, voids a sale, reads the X report,
 * counts the drawer blind, closes the day (Z report no. 1, refused first while a sale waits to be
 * sent), prints the Z report to PDF and exports its CSV, which is checked against the sales the
 * till holds. The server receives the Z report and finds the same totals.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import type { Page } from '@playwright/test'
import { parse } from 'csv-parse/sync'
import { ensureBalance, expect, kioskTest as test, rpc, withHostCookie } from './fixtures'

interface Sale {
  saleId: string
  total: number
  lines: { productId: string; name: string; qty: number; unitPrice: number }[]
  voided: { sync: string } | null
  sync: string
}

async function signIn(page: Page, pin: string) {
  for (const digit of pin) await page.getByRole('button', { name: digit, exact: true }).click()
  await page.getByRole('button', { name: /^(OK|Log ind)$/i }).click()
}

/** Rings up the first product of a category for Freja (DEMO0001) and pays. */
async function sell(page: Page, category: string) {
  await page.getByRole('group', { name: /kategorier/i }).getByRole('button', { name: category }).click()
  await page.locator('.product-tile').first().click()
  const card = page.getByRole('textbox', { name: 'Kortnummer', exact: true })
  await card.fill('demo0001')
  await card.press('Enter')
  await expect(page.locator('.card-panel')).toContainText('Freja Nielsen')
  await page.getByRole('button', { name: /^Betal/ }).click()
  await expect(page.locator('.outcome.approved')).toContainText('Godkendt')
  await page.getByRole('button', { name: 'Næste kunde' }).click()
  await expect(page.locator('.outcome.approved')).toBeHidden()
}

const kr = (ore: number) => `kr. ${new Intl.NumberFormat('da-DK', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(ore / 100)}`
const csvKr = (s: string) => Math.round(Number(s) * 100)

test('a manager reads the X report, counts the drawer blind, closes the day with Z report no. 1, prints it and exports a CSV that matches the sales', async ({
  page,
  context,
  kiosk,
  startTill,
  axe,
}) => {
  test.setTimeout(180_000)
  // A till of its own (Z report no. 1 is a fresh till's first close) on a server this test may pause.
  // Freja (a-0001) pays: enough on her account, whatever other specs of this worker spent.
  await ensureBalance(kiosk, 'a-0001', 10_000)
  const demo = await startTill()
  await withHostCookie(context, demo)
  await page.goto(demo.url)
  await signIn(page, '9999')
  await expect(page.getByText('Jonas Berg')).toBeVisible()

  // Two sales to Freja; the first is voided (a manager's PIN: Jonas's own).
  await sell(page, 'Varm mad')
  await sell(page, 'Drikkevarer')
  const recent = page.getByRole('region', { name: 'Seneste salg' })
  await recent.getByRole('button', { name: /^Annullér salget kl\. .* til Freja Nielsen/ }).last().click()
  const dialog = page.getByRole('dialog', { name: 'Annullér salg' })
  await dialog.getByRole('radio', { name: 'Forkert vare slået ind' }).check()
  const pad = dialog.getByRole('group', { name: 'Taltastatur til lederens PIN-kode' })
  for (const digit of '9999') await pad.getByRole('button', { name: digit, exact: true }).click()
  await dialog.getByRole('button', { name: 'Annullér salget', exact: true }).click()
  await expect(dialog).toBeHidden()

  // Everything so far reached the server.
  await expect.poll(async () => ((await rpc(demo, 'sync.now')) as { pending: number }).pending, { timeout: 30_000 }).toBe(0)

  // Take the server away for a moment (the process is paused, not killed): the next sale waits to be sent.
  process.kill(kiosk.serverPid, 'SIGSTOP')
  let paused = true
  try {
    await sell(page, 'Drikkevarer')

    await page.getByRole('navigation', { name: 'Tilstand' }).getByRole('link', { name: 'Dagsrapport' }).click()
    await expect(page.getByRole('heading', { name: 'X-rapport (dagen er ikke lukket)' })).toBeVisible()
    await expect(page.getByText('1 salg venter på at blive sendt til serveren.')).toBeVisible()

    // The count is blind: no expected figure before it is typed.
    await expect(page.getByText('Forventet kontant vises, når kassen er talt op.')).toBeVisible()
    await expect(page.getByRole('row', { name: /^Betalt kontant/ })).toContainText('vises efter optælling')
    await axe(page)
    await page.screenshot({ path: test.info().outputPath('x-report-blind-1280.png') })
    await page.setViewportSize({ width: 1920, height: 1080 })
    await page.screenshot({ path: test.info().outputPath('x-report-blind-1920.png') })
    await page.setViewportSize({ width: 1280, height: 800 })
    // The whole drawer is counted, its opening float with it: the float is offered (none yet), then typed.
    await expect(page.getByRole('textbox', { name: 'Byttepenge ved dagens start (kr.)' })).toHaveValue('0,00')
    await page.getByRole('textbox', { name: 'Byttepenge ved dagens start (kr.)' }).fill('100,00')
    await page.getByRole('textbox', { name: 'Optalt kontant (kr.)' }).fill('112,50')
    await page.getByRole('button', { name: 'Vis difference' }).click()
    await expect(page.getByText('Optalt kr. 112,50, forventet kr. 100,00: difference kr. 12,50.')).toBeVisible()
    await expect(page.getByRole('row', { name: /^Betalt kontant/ })).toContainText('kr. 0,00')

    // Closing is refused while the sale waits, and says how many.
    await page.getByRole('button', { name: 'Luk dagen med Z-rapport' }).click()
    await expect(page.getByRole('alert').filter({ hasText: 'Dagen kan ikke lukkes' })).toContainText('Dagen kan ikke lukkes: 1 salg venter på at blive sendt.')
    await axe(page)
    await page.screenshot({ path: test.info().outputPath('x-report-refused-1280.png'), fullPage: true })
  } finally {
    if (paused) process.kill(kiosk.serverPid, 'SIGCONT')
    paused = false
  }

  // The server is back: "Send nu", then the close goes through.
  await page.getByRole('button', { name: 'Send nu' }).click()
  await expect.poll(async () => ((await rpc(demo, 'sync.status')) as { pending: number }).pending, { timeout: 30_000 }).toBe(0)
  await page.getByRole('button', { name: 'Opdatér' }).click()
  await expect(page.getByText('Alt er sendt til serveren.')).toBeVisible()

  // The sales as the till holds them: what the report must say.
  const sales = (await rpc(demo, 'sale.recent', { limit: 50 })) as Sale[]
  expect(sales).toHaveLength(3)
  const kept = sales.filter((s) => s.voided === null)
  const voided = sales.filter((s) => s.voided !== null)
  const keptTotal = kept.reduce((n, s) => n + s.total, 0)
  const summary = page.getByRole('table').first()
  await expect(summary.getByRole('row', { name: /^Salg / })).toContainText(kr(keptTotal))
  await expect(summary.getByRole('row', { name: /^Annulleringer / })).toContainText(kr(voided[0]!.total))

  await expect(page.getByRole('textbox', { name: 'Byttepenge ved dagens start (kr.)' })).toHaveValue('100,00')
  await page.getByRole('textbox', { name: 'Optalt kontant (kr.)' }).fill('112,50')
  await page.getByRole('button', { name: 'Vis difference' }).click()
  await page.getByRole('button', { name: 'Luk dagen med Z-rapport' }).click()
  await expect(page.getByRole('heading', { name: 'Z-rapport nr. 1' })).toBeVisible()
  await expect(page.getByRole('status').filter({ hasText: 'Dagen er lukket' })).toHaveText('Dagen er lukket: Z-rapport nr. 1.')
  await axe(page)
  await page.screenshot({ path: test.info().outputPath('z-report-1280.png'), fullPage: true })
  await page.setViewportSize({ width: 1920, height: 1080 })
  await page.screenshot({ path: test.info().outputPath('z-report-1920.png'), fullPage: true })
  await page.setViewportSize({ width: 1280, height: 800 })

  // The Z report reaches the server, which finds the same totals (no mismatch flag).
  await rpc(demo, 'sync.now')
  await page.getByRole('button', { name: 'Opdatér' }).click()
  await expect(page.getByText('Z-rapporten er modtaget af serveren.')).toBeVisible({ timeout: 20_000 })

  // Printed: the report sheet alone (no status bar, no buttons), as a PDF.
  await page.emulateMedia({ media: 'print' })
  await expect(page.locator('.status-bar')).toBeHidden()
  await expect(page.getByRole('button', { name: 'Udskriv' })).toBeHidden()
  await page.screenshot({ path: test.info().outputPath('z-report-print.png'), fullPage: true })
  const pdfPath = test.info().outputPath('z-report.pdf')
  const pdf = await page.pdf({ format: 'A4', printBackground: true })
  writeFileSync(pdfPath, pdf)
  await page.emulateMedia({ media: null })
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
  if (existsSync('/usr/bin/gs')) {
    const text = execFileSync('/usr/bin/gs', ['-q', '-dNOPAUSE', '-dBATCH', '-sDEVICE=txtwrite', '-sOutputFile=-', pdfPath]).toString()
    expect(text).toContain('Z-rapport nr. 1')
    expect(text).toContain('Salg pr. vare')
    expect(text).not.toContain('Luk dagen')
    expect(text).not.toContain('Log ud')
  }

  // Exported as CSV: checked against the sales themselves.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Eksportér CSV' }).click()])
  expect(download.suggestedFilename()).toMatch(/^z-rapport-0001-\d{4}-\d\d-\d\d\.csv$/)
  const csv = readFileSync((await download.path())!, 'utf8')
  const records = parse(csv, { bom: true, columns: true }) as { section: string; id: string; name: string; count: string; amount_dkk: string }[]
  const row = (section: string, id: string) => records.find((r) => r.section === section && r.id === id)!
  expect(row('report', 'kind').name).toBe('Z')
  expect(row('report', 'number').name).toBe('1')
  expect([Number(row('total', 'sales').count), csvKr(row('total', 'sales').amount_dkk)]).toEqual([kept.length, keptTotal])
  expect([Number(row('total', 'card').count), csvKr(row('total', 'card').amount_dkk)]).toEqual([kept.length, keptTotal])
  expect([Number(row('total', 'voids').count), csvKr(row('total', 'voids').amount_dkk)]).toEqual([1, voided[0]!.total])
  const byProduct = new Map<string, { qty: number; amount: number }>()
  for (const l of kept.flatMap((s) => s.lines)) {
    const p = byProduct.get(l.productId) ?? { qty: 0, amount: 0 }
    byProduct.set(l.productId, { qty: p.qty + l.qty, amount: p.amount + l.qty * l.unitPrice })
  }
  const products = records.filter((r) => r.section === 'product')
  expect(new Map(products.map((r) => [r.id, { qty: Number(r.count), amount: csvKr(r.amount_dkk) }]))).toEqual(byProduct)
  expect(csvKr(row('cash', 'float').amount_dkk)).toBe(10000)
  expect(csvKr(row('cash', 'counted').amount_dkk)).toBe(11250)
  expect(csvKr(row('cash', 'difference').amount_dkk)).toBe(1250)

  // The same report in English, the till's second language.
  await page.getByRole('group', { name: 'Sprog' }).getByRole('button', { name: /^EN/ }).click()
  await expect(page.getByRole('heading', { name: 'Z report no. 1' })).toBeVisible()
  await expect(page.getByRole('row', { name: /^Paid by card/ })).toContainText(kr(keptTotal))
  await axe(page)
  await page.screenshot({ path: test.info().outputPath('z-report-en-1280.png'), fullPage: true })
})
