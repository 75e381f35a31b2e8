/**
 * The kiosk's webshop (issue 15, "Kiosk: ordering") through the real UI: a parent orders with
 * the canteen card and with a payment card, cancels an order, and meets a refusal; each checked
 * against the server afterwards (admin: the canteen's orders of the day and the account's
 * ledger). Demo families: g-0005 (Emma, a-0005, 250 kr, snacks not permitted), g-0003 (Ida,
 * a-0003, blocked). The kiosk server is shared by the worker's spec files, so every check on
 * money compares with the state read just before, and what this file changes it puts back.
 *
 * Screenshots at 1920×1080 and 1280×800 go to test-results/kiosk/webshop-*.png.
 */
import type { Page } from '@playwright/test'
import { approveOnPhone, expect, kioskTest as test, serverApi, type DemoKiosk } from './fixtures'

const SIZES = [
  { width: 1920, height: 1080 },
  { width: 1280, height: 800 },
] as const
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
const kr = (ore: number) => `kr. ${new Intl.NumberFormat('da-DK', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(ore / 100)}`

interface Order {
  id: string
  number: number
  locationId: string
  pickupDay: string
  pickupTime: string | null
  status: string
  payment: string
  total: number
  captureAt: string | null
}
interface Account {
  balance: number
  ledger: { id: number; kind: string; amount: number }[]
}

async function shoot(page: Page, name: string): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize(size)
    // A tap scrolls what it taps into view: the shot starts at the screen's top, as a parent sees it on arrival.
    await page.evaluate("document.getElementById('k-webshop-title')?.scrollIntoView({ block: 'start' })")
    await page.waitForTimeout(250)
    // The page itself must not need a sideways scroll at either size.
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), `${name} at ${size.width}`).toBe(true)
    await page.screenshot({ path: `test-results/kiosk/webshop-${name}-${size.width}x${size.height}.png` })
  }
  await page.setViewportSize({ width: 1280, height: 800 })
}

async function signIn(page: Page, kiosk: DemoKiosk, guardianId: string): Promise<void> {
  await page.goto(kiosk.url)
  const code = page.getByTestId('user-code')
  await expect(code).toHaveText(/[B-Z]{4}-[B-Z]{4}/)
  await approveOnPhone(kiosk, (await code.textContent())!.trim(), guardianId)
  await expect(page).toHaveURL(/#\/kiosk\/(accounts|choose-pin)$/, { timeout: 20_000 })
  if (page.url().endsWith('choose-pin')) await page.getByRole('button', { name: 'Ikke nu' }).click()
  await expect(page).toHaveURL(/#\/kiosk\/accounts$/)
}

async function openWebshop(page: Page): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: 'Webshop', exact: true }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Webshop' })).toBeVisible()
  await expect(page.getByTestId('day').first()).toBeVisible()
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

async function account(kiosk: DemoKiosk, id: string): Promise<Account> {
  const res = await serverApi(kiosk.serverUrl, 'GET', `/admin/accounts/${id}`, { token: kiosk.adminToken })
  expect(res.status).toBe(200)
  return res.body as Account
}

async function dayOrders(kiosk: DemoKiosk, locationId: string, day: string): Promise<Order[]> {
  const res = await serverApi(kiosk.serverUrl, 'GET', `/admin/locations/${locationId}/orders?day=${day}`, { token: kiosk.adminToken })
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return (res.body as { orders: Order[] }).orders
}

/** Adds `n` of the first product the card may buy; answers its price as the tile shows it. */
async function addFirst(page: Page, n: number): Promise<void> {
  const add = page.getByTestId('product').getByRole('button', { name: /^Tilføj / }).first()
  for (let i = 0; i < n; i++) await add.click()
}

test('a parent orders with the canteen card and with a payment card, sees both in "Mine ordrer" and cancels one for a credit', async ({ page, kiosk, axe }) => {
  const guardian = await guardianSession(kiosk, 'g-0005')
  // Salads not permitted for this test: the menu must show them, marked, and not take them.
  const denied = (await guardian('GET', '/guardian/accounts/a-0005')).body.deniedCategoryIds as string[]
  expect((await guardian('PUT', '/guardian/accounts/a-0005/permissions', { deniedCategoryIds: [...denied, 'c-salat'] })).status).toBe(200)
  try {
    const before = await account(kiosk, 'a-0005')
    await signIn(page, kiosk, 'g-0005')
    await openWebshop(page)

    // Today and the next week, each with its cut-off or why it takes no orders.
    await expect(page.getByTestId('day')).toHaveCount(8)
    await expect(page.getByTestId('day').filter({ hasText: /Senest/ }).first()).toBeVisible()
    const notPermitted = page.getByTestId('product').filter({ hasText: 'Ikke tilladt for kortet' })
    await expect(notPermitted.first()).toBeVisible()
    await expect(notPermitted.first().getByRole('button')).toHaveCount(0)
    await axe(page)

    // The basket: two of one dish, one less, one more: the total follows.
    await addFirst(page, 2)
    const line = page.getByTestId('basket-line')
    await expect(line).toHaveCount(1)
    const name = (await line.locator('.kw-line-name').textContent())!.trim()
    await page.getByRole('button', { name: `Én mindre ${name}` }).click()
    await expect(line.locator('.kw-qty-n')).toHaveText('1')
    await page.getByRole('button', { name: `Én mere ${name}` }).click()
    await expect(line.locator('.kw-qty-n')).toHaveText('2')
    // The demo canteens hand out at set times: none chosen at first, and no checkout until one is.
    const times = page.getByTestId('pickup-time-option')
    await expect(times).toHaveText([/kl\. 10:30$/, /kl\. 11:30$/, /kl\. 12:15$/])
    await expect(page.locator('.kw-times .kw-chosen')).toHaveCount(0)
    const toCheckout = page.getByRole('button', { name: /^Til betaling: 2 stk\./ })
    await expect(toCheckout).toBeDisabled()
    await expect(page.getByTestId('choose-time-first')).toHaveText(/Vælg et afhentningstidspunkt for at gå til betaling/)
    await shoot(page, 'menu')
    await times.filter({ hasText: 'kl. 10:30' }).click()
    await expect(page.locator('.kw-times .kw-chosen')).toHaveText(/kl\. 10:30/)
    await expect(page.getByTestId('choose-time-first')).toHaveCount(0)
    await axe(page)
    await shoot(page, 'time-chosen')

    await toCheckout.click()
    await expect(page.getByRole('heading', { name: 'Din bestilling' })).toBeVisible()
    await expect(page.getByTestId('checkout-pickup')).toContainText('kl. 10:30')
    await axe(page)
    await shoot(page, 'checkout')
    await page.getByTestId('pay').click()
    const result = page.getByTestId('order-result')
    await expect(result).toBeVisible()
    await expect(result.getByTestId('order-status')).toHaveText('Betalt')
    await axe(page)
    await shoot(page, 'paid')

    const orders1 = (await guardian('GET', '/guardian/accounts/a-0005/orders')).body.orders as Order[]
    const paid = orders1.find((o) => o.payment === 'canteen-card' && o.status === 'paid')!
    expect(paid).toBeTruthy()
    await expect(result).toContainText(`Ordre nr. ${paid.number} er bestilt`)
    expect(paid.pickupTime).toBe('10:30')
    await expect(result.getByTestId('pickup')).toContainText('kl. 10:30')
    // On the canteen's list of the day, and drawn from the card at once, through the ledger.
    expect((await dayOrders(kiosk, paid.locationId, paid.pickupDay)).find((o) => o.id === paid.id)?.status).toBe('paid')
    const afterPaid = await account(kiosk, 'a-0005')
    expect(afterPaid.balance).toBe(before.balance - paid.total)
    const newEntries = afterPaid.ledger.filter((e) => !before.ledger.some((b) => b.id === e.id))
    expect(newEntries).toEqual([expect.objectContaining({ kind: 'purchase', amount: -paid.total })])
    await expect(page.locator('.kw-account')).toContainText(kr(afterPaid.balance))

    // Now with a payment card: terms first, then the terminal; authorised now, drawn at the cut-off.
    await page.getByRole('button', { name: 'Bestil mere' }).click()
    await addFirst(page, 1)
    await page.getByTestId('pickup-time-option').filter({ hasText: 'kl. 12:15' }).click()
    await page.getByRole('button', { name: /^Til betaling: 1 stk\./ }).click()
    await page.getByText('Betalingskort', { exact: true }).click()
    await expect(page.getByText('Betingelser for webshop-bestillinger betalt med betalingskort')).toBeVisible()
    await page.getByTestId('pay').click()
    await expect(page.getByText('Du skal acceptere betingelserne for at fortsætte.')).toBeVisible()
    await expect(page.getByRole('dialog')).toHaveCount(0)
    await page.getByLabel('Jeg accepterer betingelserne').check()
    await axe(page)
    await shoot(page, 'checkout-card')
    await page.getByTestId('pay').click()
    const terminal = page.getByRole('dialog')
    await expect(terminal).toBeVisible()
    await terminal.locator('.km-terminal-card').first().click()
    await expect(result.getByTestId('order-status')).toHaveText('Afventer betaling')
    await expect(result.getByTestId('capture-at')).toContainText('Beløbet trækkes fra betalingskortet')
    await shoot(page, 'awaiting')

    const orders2 = (await guardian('GET', '/guardian/accounts/a-0005/orders')).body.orders as Order[]
    const awaiting = orders2.find((o) => o.payment === 'payment-card' && o.status === 'awaiting-payment')!
    expect(awaiting.captureAt).not.toBeNull()
    expect(awaiting.pickupTime).toBe('12:15')
    expect((await dayOrders(kiosk, awaiting.locationId, awaiting.pickupDay)).find((o) => o.id === awaiting.id)?.status).toBe('awaiting-payment')
    // The parent's card pays: nothing moves on the canteen card.
    expect((await account(kiosk, 'a-0005')).balance).toBe(afterPaid.balance)

    // "Mine ordrer": both, with their status; the awaiting one says when it is drawn.
    await result.getByRole('button', { name: 'Mine ordrer' }).click()
    await expect(page.getByRole('group', { name: 'Webshop' }).getByRole('button', { name: 'Mine ordrer' })).toHaveAttribute('aria-pressed', 'true')
    const paidCard = page.getByTestId('order').filter({ hasText: `Ordre nr. ${paid.number}` })
    const awaitingCard = page.getByTestId('order').filter({ hasText: `Ordre nr. ${awaiting.number}` })
    await expect(paidCard.getByTestId('order-status')).toHaveText('Betalt')
    await expect(awaitingCard.getByTestId('order-status')).toHaveText('Afventer betaling')
    await expect(awaitingCard.getByTestId('capture-at')).toBeVisible()
    await expect(paidCard.getByTestId('pickup')).toContainText('kl. 10:30')
    await expect(awaitingCard.getByTestId('pickup')).toContainText('kl. 12:15')
    await axe(page)
    await shoot(page, 'orders')

    // Cancel the canteen-card order: asked once more, then credited back.
    await paidCard.getByRole('button', { name: `Annullér ordre nr. ${paid.number}` }).click()
    await paidCard.getByRole('button', { name: 'Ja, annullér' }).click()
    await expect(page.getByTestId('cancelled')).toContainText(`${kr(paid.total)} er sat tilbage på kantinekortet`)
    await expect(paidCard.getByTestId('order-status')).toHaveText('Annulleret')
    await expect(paidCard.getByRole('button', { name: /Annullér/ })).toHaveCount(0)
    await axe(page)
    await shoot(page, 'cancelled')

    const afterCancel = await account(kiosk, 'a-0005')
    expect(afterCancel.balance).toBe(afterPaid.balance + paid.total)
    expect(afterCancel.ledger.filter((e) => !afterPaid.ledger.some((b) => b.id === e.id))).toEqual([expect.objectContaining({ kind: 'refund', amount: paid.total })])
    expect((await dayOrders(kiosk, paid.locationId, paid.pickupDay)).find((o) => o.id === paid.id)?.status).toBe('cancelled')

    // The payment-card order is cancelled too (released, never drawn), so this file leaves no open order.
    await awaitingCard.getByRole('button', { name: `Annullér ordre nr. ${awaiting.number}` }).click()
    await awaitingCard.getByRole('button', { name: 'Ja, annullér' }).click()
    await expect(page.getByTestId('cancelled')).toContainText('bliver ikke trukket fra betalingskortet')
    expect((await dayOrders(kiosk, awaiting.locationId, awaiting.pickupDay)).find((o) => o.id === awaiting.id)?.status).toBe('cancelled')
  } finally {
    await guardian('PUT', '/guardian/accounts/a-0005/permissions', { deniedCategoryIds: denied })
  }
})

test('a blocked card is refused plainly and no order is made', async ({ page, kiosk, axe }) => {
  const guardian = await guardianSession(kiosk, 'g-0003')
  const before = await account(kiosk, 'a-0003')
  await signIn(page, kiosk, 'g-0003')
  await openWebshop(page)
  await expect(page.locator('.kw-account')).toContainText('Spærret')
  // Said before anything is chosen; the server's refusal below is what stops the order.
  await expect(page.getByText('Kortet er spærret. En bestilling bliver afvist, til spærringen er ophævet.')).toBeVisible()
  await addFirst(page, 1)
  await page.getByTestId('pickup-time-option').first().click()
  await page.getByRole('button', { name: /^Til betaling: 1 stk\./ }).click()
  await page.getByTestId('pay').click()
  const alert = page.getByRole('alert').filter({ hasText: 'Bestillingen blev ikke gennemført' })
  await expect(alert).toContainText('Bestillingen blev ikke gennemført')
  await expect(alert).toContainText('Kortet er spærret, så der kan ikke bestilles.')
  await axe(page)
  await shoot(page, 'refused')
  // English second: the same refusal, said again in the language the parent switches to.
  await page.getByRole('group', { name: 'Sprog' }).getByRole('button', { name: /^EN/ }).click()
  await expect(page.getByRole('alert').filter({ hasText: 'The order was not placed' })).toContainText('The card is blocked, so nothing can be ordered.')
  await expect(page.getByTestId('pay')).toHaveText(/^Pay kr\. [\d.,]+ with the canteen card$/)
  await axe(page)
  await shoot(page, 'refused-en')

  expect((await guardian('GET', '/guardian/accounts/a-0003/orders')).body.orders).toEqual([])
  expect((await account(kiosk, 'a-0003')).balance).toBe(before.balance)
})

test('a day past its cut-off shows the menu but takes nothing', async ({ page, kiosk }) => {
  // Today's cut-off is set to midnight the day before at every canteen Emma may order at, so
  // today is past it whatever the hour the test runs; the settings are put back afterwards.
  type Settings = { cutoffs: { weekday: number; daysBefore: number; time: string }[] }
  const guardian = await guardianSession(kiosk, 'g-0005')
  const canteens = (await guardian('GET', '/guardian/accounts/a-0005/order-canteens')).body.canteens as { id: string }[]
  expect(canteens.length).toBeGreaterThan(0)
  const weekday = Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Copenhagen', weekday: 'short' }).format(new Date()).replace(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)$/, (d) => String(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(d) + 1)))
  const settingsPath = (id: string) => `/admin/locations/${id}/order-settings`
  const before = new Map<string, Settings>()
  for (const c of canteens) {
    const current = (await serverApi(kiosk.serverUrl, 'GET', settingsPath(c.id), { token: kiosk.adminToken })).body as Settings
    before.set(c.id, current)
    const cutoffs = [...current.cutoffs.filter((x) => x.weekday !== weekday), { weekday, daysBefore: 1, time: '00:00' }]
    expect((await serverApi(kiosk.serverUrl, 'PUT', settingsPath(c.id), { token: kiosk.adminToken, body: { cutoffs } })).status).toBe(200)
  }
  try {
    await signIn(page, kiosk, 'g-0005')
    await openWebshop(page)
    const today = page.getByTestId('day').first()
    await expect(today).toContainText('For sent')
    await today.click()
    await expect(page.getByText('Fristen for at bestille til denne dag er overskredet.')).toBeVisible()
    for (const add of await page.getByTestId('product').getByRole('button', { name: /^Tilføj / }).all()) await expect(add).toBeDisabled()
    await expect(page.getByRole('button', { name: /^Til betaling/ })).toBeDisabled()
  } finally {
    for (const [id, s] of before) await serverApi(kiosk.serverUrl, 'PUT', settingsPath(id), { token: kiosk.adminToken, body: { cutoffs: s.cutoffs } })
  }
})
