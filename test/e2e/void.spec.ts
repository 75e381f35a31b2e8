import type { Page } from '@playwright/test'
import { ensureBalance, expect, kioskTest as test, rpc, serverApi, withHostCookie } from './fixtures'

interface Ledger {
  balance: number
  ledger: { kind: string; amount: number; saleId: string | null }[]
}

async function signIn(page: Page, pin: string) {
  for (const digit of pin) await page.getByRole('button', { name: digit, exact: true }).click()
  await page.getByRole('button', { name: /^(OK|Log ind)$/i }).click()
}

test('a manager’s PIN voids a sale at a cashier’s till, the cashier stays signed in, and the refund is on the server’s ledger once', async ({
  page,
  context,
  kiosk,
  startTill,
  axe,
}) => {
  // Freja (a-0001) pays: enough on her account, whatever other specs of this worker spent.
  await ensureBalance(kiosk, 'a-0001', 10_000)
  const till = await startTill()
  const account = async () => (await serverApi(kiosk.serverUrl, 'GET', '/admin/accounts/a-0001', { token: kiosk.adminToken })).body as Ledger
  const before = await account()

  await withHostCookie(context, till)
  await page.goto(till.url)
  await signIn(page, '1234')
  await expect(page.getByText('Mette Hansen')).toBeVisible()

  // Mette sells Freja (DEMO0001) a hot lunch.
  await page.getByRole('group', { name: /kategorier/i }).getByRole('button', { name: 'Varm mad' }).click()
  await page.locator('.product-tile').first().click()
  await page.getByRole('textbox', { name: 'Kortnummer', exact: true }).fill('demo0001')
  await page.getByRole('textbox', { name: 'Kortnummer', exact: true }).press('Enter')
  await expect(page.getByText('Freja Nielsen').first()).toBeVisible()
  await page.getByRole('button', { name: /^Betal/ }).click()
  await expect(page.locator('.outcome.approved')).toContainText('Godkendt')

  // The sale reaches the server: a purchase on Freja's ledger.
  await rpc(till, 'sync.now')
  await expect.poll(async () => (await account()).ledger.filter((l) => l.kind === 'purchase').length, { timeout: 20_000 }).toBe(
    before.ledger.filter((l) => l.kind === 'purchase').length + 1,
  )
  const sold = await account()
  const purchase = sold.ledger.find((l) => l.kind === 'purchase')!
  const total = -purchase.amount
  expect(sold.balance).toBe(before.balance - total)

  // Void it from the recent sales list.
  const recent = page.getByRole('region', { name: 'Seneste salg' })
  await recent.getByRole('button', { name: /^Annullér salget kl\. .* til Freja Nielsen/ }).first().click()
  const dialog = page.getByRole('dialog', { name: 'Annullér salg' })
  await expect(dialog).toBeVisible()
  await axe(page)
  await page.screenshot({ path: test.info().outputPath('void-dialog.png') })

  // A cashier's own PIN does not authorise it; the refusal says why, and nothing is voided.
  await dialog.getByRole('radio', { name: 'Forkert vare slået ind' }).check()
  const pad = dialog.getByRole('group', { name: 'Taltastatur til lederens PIN-kode' })
  for (const digit of '1234') await pad.getByRole('button', { name: digit, exact: true }).click()
  await dialog.getByRole('button', { name: 'Annullér salget', exact: true }).click()
  await expect(dialog.getByRole('alert')).toContainText('Det er ikke en leders PIN-kode')

  // Jonas, the manager, types 9999.
  for (const digit of '9999') await pad.getByRole('button', { name: digit, exact: true }).click()
  await dialog.getByRole('button', { name: 'Annullér salget', exact: true }).click()
  await expect(dialog).toBeHidden()
  await expect(page.getByText(/Annulleret: kr\. \d+,\d\d tilbage til Freja Nielsen \(godkendt af Jonas Berg\)/)).toBeVisible()
  await expect(recent.getByText('Annulleret', { exact: true }).first()).toBeVisible()
  await expect(recent.getByText(/Annulleret kl\. \d\d:\d\d: Forkert vare slået ind/).first()).toBeVisible()
  // Freja's card, still on the counter, shows the money back at once (the void's pending effect).
  await expect(page.locator('.card-panel')).toContainText(new Intl.NumberFormat('da-DK', { minimumFractionDigits: 2 }).format(before.balance / 100))
  // Mette is still the one signed in: the manager only authorised the void.
  expect(await rpc(till, 'staff.current')).toMatchObject({ staffId: 's-mette' })
  await expect(page.getByText('Mette Hansen')).toBeVisible()
  await axe(page)
  await page.screenshot({ path: test.info().outputPath('recent-after-void.png') })

  // The refund reaches the server's ledger, once, however often the till syncs.
  await rpc(till, 'sync.now')
  const refunds = (l: Ledger) => l.ledger.filter((e) => e.kind === 'refund' && e.saleId === purchase.saleId)
  await expect.poll(async () => refunds(await account()).length, { timeout: 20_000 }).toBe(1)
  await rpc(till, 'sync.now')
  const after = await account()
  expect(refunds(after)).toEqual([expect.objectContaining({ amount: total, saleId: purchase.saleId })])
  expect(after.balance).toBe(before.balance)
  // And the till's own view of the card agrees, after the pull that brought the server's balance.
  const card = (await rpc(till, 'card.lookup', { cardNumber: 'DEMO0001' })) as { ok: boolean; card: { balance: number } }
  expect(card.card.balance).toBe(before.balance)
})
