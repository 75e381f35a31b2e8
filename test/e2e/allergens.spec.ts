/**
 * Allergens, enforced (issue 16), end to end on one demo server: a manager marks the lasagne's
 * allergens through a till's manager mode; a parent (Louise, g-0001) marks "Mælk" on Freja's
 * account (a-0001, DEMO0001) at the kiosk; the kiosk's webshop no longer offers Freja the lasagne;
 * a second till pulls it all, and the cashier who rings up the lasagne for Freja meets the warning:
 * confirmed, the sale is recorded (and the server takes it); cancelled, nothing is sold. What the
 * test changes on the shared server it puts back.
 *
 * Screenshots of the kiosk's allergen screen and the till's warning at 1280×800 and 1920×1080 go
 * to $KANTINE_E2E_SHOTS (default test-results/allergens).
 */
import type { Browser, Page } from '@playwright/test'
import { approveOnPhone, ensureBalance, expect, kioskTest as test, rpc, serverApi, withHostCookie, type DemoKiosk, type TillHost } from './fixtures'

const SIZES = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
] as const
const SHOTS = process.env.KANTINE_E2E_SHOTS ?? 'test-results/allergens'
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
const FREJA = { id: 'a-0001', name: 'Freja Nielsen', card: 'DEMO0001' }
const LASAGNE = { id: 'p-lasagne', name: 'Lasagne med salat', allergens: ['gluten', 'eggs', 'milk'] }
/** Jonas Berg: manager and cashier in the demo. Mette Hansen: the cashier. */
const MANAGER_PIN = '9999'
const CASHIER_PIN = '1234'

async function shoot(page: Page, name: string, top?: string): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize(size)
    // The screen from its title, as the parent sees it on arrival.
    if (top) await page.evaluate(`document.getElementById('${top}')?.scrollIntoView({ block: 'start' })`)
    await page.waitForTimeout(250)
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), `${name} at ${size.width}`).toBe(true)
    await page.screenshot({ path: `${SHOTS}/${name}-${size.width}x${size.height}.png` })
  }
  await page.setViewportSize(SIZES[0])
}

/** A guardian session of the test's own, for what only the guardian API shows. */
async function guardianSession(kiosk: DemoKiosk, guardianId: string) {
  const device = await serverApi(kiosk.serverUrl, 'POST', '/guardian/device', { body: {} })
  expect(device.status).toBe(200)
  await approveOnPhone(kiosk, device.body.user_code as string, guardianId)
  const token = await serverApi(kiosk.serverUrl, 'POST', '/guardian/token', { body: { grant_type: DEVICE_GRANT, device_code: device.body.device_code } })
  expect(token.status).toBe(200)
  return (method: string, path: string, body?: unknown) => serverApi(kiosk.serverUrl, method, path, { token: token.body.access_token as string, body })
}

/** The catalogue through a till's manager mode (Jonas's PIN), as the manager screens send it. */
async function setProductAllergens(till: TillHost, productId: string, allergens: string[]): Promise<void> {
  expect(await rpc(till, 'staff.signIn', { pin: MANAGER_PIN })).toMatchObject({ ok: true })
  try {
    expect(await rpc(till, 'manager.unlock', { pin: MANAGER_PIN })).toMatchObject({ ok: true })
    const answer = (await rpc(till, 'manager.request', { method: 'PUT', path: `/manager/products/${productId}`, body: { allergens } })) as { status: number; body: unknown }
    expect(answer, JSON.stringify(answer.body)).toMatchObject({ status: 200, body: { product: { id: productId, allergens } } })
  } finally {
    await rpc(till, 'staff.signOut')
  }
}

async function kioskSignIn(page: Page, kiosk: DemoKiosk): Promise<void> {
  await page.setViewportSize(SIZES[0])
  await page.goto(kiosk.url)
  const code = page.getByTestId('user-code')
  await expect(code).toHaveText(/[B-Z]{4}-[B-Z]{4}/)
  await approveOnPhone(kiosk, (await code.textContent())!.trim(), 'g-0001')
  await expect(page).toHaveURL(/#\/kiosk\/(accounts|choose-pin)$/, { timeout: 20_000 })
  if (page.url().endsWith('choose-pin')) await page.getByRole('button', { name: 'Ikke nu' }).click()
  await expect(page).toHaveURL(/#\/kiosk\/accounts$/)
}

async function openCounter(browser: Browser, till: TillHost): Promise<Page> {
  const context = await browser.newContext({ viewport: SIZES[0] })
  await withHostCookie(context, till)
  const page = await context.newPage()
  await page.goto(till.url)
  for (const digit of CASHIER_PIN) await page.getByRole('button', { name: digit, exact: true }).click()
  await page.getByRole('button', { name: /^(OK|Log ind)$/i }).click()
  await expect(page).toHaveURL(/#\/cashier/)
  return page
}

/** The lasagne in the basket and Freja's card on the counter, then Betal: the warning. */
async function ringUpLasagne(counter: Page): Promise<void> {
  await counter.getByRole('group', { name: /kategorier/i }).getByRole('button', { name: 'Varm mad' }).click()
  await counter.locator('.product-tile').filter({ hasText: LASAGNE.name }).click()
  await counter.getByRole('textbox', { name: 'Kortnummer', exact: true }).fill(FREJA.card)
  await counter.getByRole('textbox', { name: 'Kortnummer', exact: true }).press('Enter')
  await expect(counter.locator('.card-panel')).toContainText(FREJA.name)
  // Marked as soon as the card is known: on the card, and on the basket's line.
  await expect(counter.getByTestId('card-allergens')).toContainText('Må ikke få: Mælk')
  await expect(counter.getByTestId('line-allergen')).toHaveText('Allergi: Mælk')
}

const freja = (till: TillHost) => (rpc(till, 'sale.recent', { limit: 50 }) as Promise<{ saleId: string; cardNumber: string; lines: { productId: string }[] }[]>).then((sales) => sales.filter((s) => s.cardNumber === FREJA.card))

test('a parent marks milk at the kiosk; the webshop leaves the lasagne out; the till warns, and sells only when the cashier confirms', async ({ page, browser, kiosk, startTill, axe }) => {
  test.setTimeout(240_000)
  // Freja (a-0001) pays: enough on her account, whatever other specs of this worker spent.
  await ensureBalance(kiosk, FREJA.id, 10_000)
  const till = await startTill()
  const guardian = await guardianSession(kiosk, 'g-0001')
  await setProductAllergens(till, LASAGNE.id, LASAGNE.allergens)
  try {
    // --- the kiosk: Louise marks "Mælk" on Freja's account ---
    await kioskSignIn(page, kiosk)
    await page.getByRole('button', { name: `Vælg ${FREJA.name}` }).click()
    await page.getByRole('navigation', { name: 'Opgaver' }).getByRole('link', { name: 'Allergener', exact: true }).click()
    await expect(page.getByRole('heading', { level: 1, name: `Allergener · ${FREJA.name}` })).toBeVisible()
    const milk = page.getByTestId('allergen-milk')
    await expect(page.getByTestId(/^allergen-/)).toHaveCount(14)
    await expect(milk).toHaveAttribute('aria-pressed', 'false')
    await milk.click()
    await expect(milk).toHaveAttribute('aria-pressed', 'true')
    await expect(milk).toContainText('Mælk (også laktose)')
    await expect(milk).toContainText('Valgt')
    await axe(page)
    await shoot(page, 'kiosk-allergens', 'k-allergens-title')
    await page.getByTestId('allergens-save').click()
    await expect(page.getByRole('status').filter({ hasText: /inden for et sekund/ })).toBeVisible()
    expect((await guardian('GET', `/guardian/accounts/${FREJA.id}`)).body.allergens).toEqual(['milk'])
    await shoot(page, 'kiosk-allergens-saved')

    // --- the kiosk's webshop: the lasagne is not on Freja's menu; a direct order for it is refused ---
    await page.getByRole('navigation').getByRole('link', { name: 'Webshop', exact: true }).click()
    await expect(page.getByRole('heading', { level: 1, name: 'Webshop' })).toBeVisible()
    const products = page.getByTestId('product')
    await expect(products.first()).toBeVisible()
    // The demo's chicken sandwich has no milk; its meatballs have (resources/demo/README.md).
    await expect(products.filter({ hasText: 'Sandwich med kylling og karry' })).toHaveCount(1)
    await expect(products.filter({ hasText: 'Frikadeller med kartoffelsalat' })).toHaveCount(0)
    await expect(products.filter({ hasText: LASAGNE.name })).toHaveCount(0)
    const canteens = (await guardian('GET', `/guardian/accounts/${FREJA.id}/order-canteens`)).body.canteens as { id: string }[]
    expect(canteens.length).toBeGreaterThan(0)
    const day = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10)
    const direct = await guardian('POST', `/guardian/accounts/${FREJA.id}/orders`, {
      locationId: canteens[0]!.id,
      day,
      lines: [{ productId: LASAGNE.id, quantity: 1 }],
      payment: { kind: 'canteen-card' },
      idempotencyKey: `allergen-e2e-${Date.now()}`,
    })
    expect([direct.status, direct.body.error]).toEqual([409, 'allergen'])

    // --- the till: it pulls the account and the product; the cashier meets the warning ---
    expect(await rpc(till, 'sync.now')).toMatchObject({ lastError: null })
    const counter = await openCounter(browser, till)
    const before = (await freja(till)).length
    await ringUpLasagne(counter)
    await shoot(counter, 'till-allergen-marked')
    await counter.getByRole('button', { name: /^Betal/ }).click()
    const dialog = counter.getByRole('alertdialog')
    await expect(dialog).toBeVisible()
    await expect(dialog.getByRole('heading')).toHaveText(`${FREJA.name} må ikke få: Mælk`)
    await expect(dialog).toContainText(LASAGNE.name)
    await expect(dialog).toContainText('Mælk (også laktose)')
    // The safe choice has the focus: Enter never sells.
    await expect(dialog.getByRole('button', { name: 'Fjern varen' })).toBeFocused()
    await axe(counter)
    await shoot(counter, 'till-allergen-warning')

    // Sell anyway: the first press only arms the button; the second, a moment later, sells.
    const sell = dialog.getByTestId('allergen-sell')
    await sell.click()
    await expect(sell).toHaveText('Tryk igen: sælg trods allergi')
    expect(await freja(till)).toHaveLength(before)
    await expect(sell).toBeEnabled()
    await shoot(counter, 'till-allergen-armed')
    await sell.click()
    await expect(dialog).toHaveCount(0)
    await expect(counter.locator('.outcome.approved')).toBeVisible()
    const sold = await freja(till)
    expect(sold).toHaveLength(before + 1)
    expect(sold[0]!.lines.map((l) => l.productId)).toEqual([LASAGNE.id])
    // The server takes the sale as any other (the warning is the till's; the payload is the same).
    await expect.poll(async () => (await rpc(till, 'sync.status')) as { pending: number; rejected: number }, { timeout: 15_000 }).toMatchObject({ pending: 0, rejected: 0 })

    // --- a second time: the cashier cancels, and nothing is sold ---
    await counter.getByRole('button', { name: 'Næste kunde' }).click()
    await ringUpLasagne(counter)
    await counter.getByRole('button', { name: /^Betal/ }).click()
    await expect(dialog).toBeVisible()
    await dialog.getByRole('button', { name: 'Annullér' }).click()
    await expect(dialog).toHaveCount(0)
    await expect(counter.locator('.outcome.approved')).toHaveCount(0)
    expect(await freja(till)).toHaveLength(before + 1)
    // … and once more, taking the product out: the basket is empty, nothing sold.
    await counter.getByRole('button', { name: /^Betal/ }).click()
    await expect(dialog).toBeVisible()
    await dialog.getByRole('button', { name: 'Fjern varen' }).click()
    await expect(dialog).toHaveCount(0)
    await expect(counter.getByText('Kurven er tom. Tryk på en vare.')).toBeVisible()
    expect(await freja(till)).toHaveLength(before + 1)
    await counter.context().close()
  } finally {
    // The shared server as it was: no allergens on Freja or on the lasagne.
    expect((await guardian('PUT', `/guardian/accounts/${FREJA.id}/allergens`, { allergens: [] })).status).toBe(200)
    await setProductAllergens(till, LASAGNE.id, [])
  }
})
