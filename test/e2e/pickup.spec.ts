/**
 * The till's pickup mode (issue 15) through the real UI: a parent's orders (placed through the
 * guardian API on the kiosk's demo server) reach the canteen's till within 2 s while online;
 * staff hand one out by card scan, one by search, one in part; the server's order state says so
 * afterwards (after the 30 s undo window the hand-outs are sent); the preparation list shows the
 * day's totals and the totals per pickup time (the demo canteens hand out at 10:30, 11:30 and
 * 12:15; each order is placed for one of them, and the counter lists them by time). axe on every screen; screenshots at 1280×800 and 1920×1080 go to
 * test-results/pickup/*.png.
 */
import { mkdirSync } from 'node:fs'
import type { Page } from '@playwright/test'
import { approveOnPhone, expect, kioskTest as test, rpc, serverApi, withHostCookie, type DemoKiosk } from './fixtures'

const SIZES = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
]

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync('test-results/pickup', { recursive: true })
  for (const size of SIZES) {
    await page.setViewportSize(size)
    await page.screenshot({ path: `test-results/pickup/${name}-${size.width}x${size.height}.png` })
  }
}

async function guardianToken(kiosk: DemoKiosk): Promise<string> {
  const grant = await serverApi(kiosk.serverUrl, 'POST', '/guardian/device', { body: {} })
  expect(grant.status).toBe(200)
  await approveOnPhone(kiosk, grant.body.user_code as string)
  const token = await serverApi(kiosk.serverUrl, 'POST', '/guardian/token', {
    body: { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: grant.body.device_code },
  })
  expect(token.status).toBe(200)
  return token.body.access_token as string
}

/** Today in Copenhagen, as the server's day keys. */
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Copenhagen', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date())

interface Order {
  id: string
  number: number
  pickupTime: string | null
  status: string
  lines: { lineNo: number; name: string; quantity: number; handedOut: number }[]
}

test('orders reach the till at once; staff hand out by card scan, by search and in part; the server agrees; the kitchen list totals the day', async ({ page, context, kiosk, startTill, axe }) => {
  test.setTimeout(180_000)
  const loc = kiosk.locationId
  // Orders for today stay open all day in this test (the demo closes them at 09:00).
  const settings = await serverApi(kiosk.serverUrl, 'PUT', `/admin/locations/${loc}/order-settings`, {
    token: kiosk.adminToken,
    body: { cutoffs: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, daysBefore: 0, time: '23:59' })) },
  })
  expect(settings.status).toBe(200)
  const token = await guardianToken(kiosk)
  const accounts = await serverApi(kiosk.serverUrl, 'GET', '/guardian/accounts', { token })
  const freja = (accounts.body.accounts as { id: string; cards: { number: string }[] }[]).find((a) => a.cards.some((c) => c.number === 'DEMO0001'))!
  const deposit = await serverApi(kiosk.serverUrl, 'POST', `/admin/accounts/${freja.id}/deposit`, { token: kiosk.adminToken, body: { amount: 50000 } })
  expect(deposit.status).toBe(200)
  const menu = await serverApi(kiosk.serverUrl, 'GET', `/guardian/accounts/${freja.id}/menu?locationId=${loc}&day=${today()}`, { token })
  expect(menu.status).toBe(200)
  const products = (menu.body.products as { id: string; name: string; permitted: boolean }[]).filter((p) => p.permitted)
  expect(products.length).toBeGreaterThanOrEqual(2)
  const p1 = products[0]!
  const p2 = products[1]!
  expect(menu.body.pickupTimes).toEqual(['10:30', '11:30', '12:15'])
  const placeOrder = async (pickupTime: string, lines: { productId: string; quantity: number }[]): Promise<Order> => {
    const r = await serverApi(kiosk.serverUrl, 'POST', `/guardian/accounts/${freja.id}/orders`, {
      token,
      body: { locationId: loc, day: today(), lines, pickupTime, payment: { kind: 'canteen-card' }, idempotencyKey: `e2e-${Math.random()}` },
    })
    expect(r.status, JSON.stringify(r.body)).toBe(201)
    expect((r.body as Order).pickupTime).toBe(pickupTime)
    return r.body as Order
  }
  const serverOrders = async (): Promise<Order[]> => {
    const r = await serverApi(kiosk.serverUrl, 'GET', `/admin/locations/${loc}/orders?day=${today()}`, { token: kiosk.adminToken })
    expect(r.status).toBe(200)
    return r.body.orders as Order[]
  }

  const byScan = await placeOrder('10:30', [{ productId: p1.id, quantity: 1 }])
  const till = await startTill()
  await rpc(till, 'sync.now')
  await withHostCookie(context, till)
  await page.setViewportSize(SIZES[0]!)
  await page.goto(till.url)
  for (const digit of '1234') await page.getByRole('button', { name: digit, exact: true }).click()
  await page.getByRole('button', { name: /^(OK|Log ind)$/i }).click()
  await page.getByRole('link', { name: 'Afhentning' }).click()
  const ready = page.getByRole('region', { name: /Klar til udlevering/ })
  await expect(ready.getByRole('heading', { name: new RegExp(`${byScan.number}`) })).toBeVisible()

  // While the till is online, a new order is on the screen within 2 s.
  const bySearch = await placeOrder('12:15', [{ productId: p2.id, quantity: 1 }])
  const partial = await placeOrder('10:30', [
    { productId: p1.id, quantity: 1 },
    { productId: p2.id, quantity: 2 },
  ])
  await expect(ready.getByRole('heading', { name: new RegExp(`^${partial.number}`) })).toBeVisible({ timeout: 2000 })
  await expect(ready.getByRole('heading', { name: new RegExp(`^${bySearch.number}`) })).toBeVisible({ timeout: 2000 })
  // By pickup time, then number: the 12:15 order after the later-placed 10:30 one.
  await expect(ready.locator('.pickup-number')).toHaveText([byScan, partial, bySearch].map((o) => String(o.number)))
  await expect(ready.getByRole('article', { name: new RegExp(`^${bySearch.number}`) }).getByTestId('pickup-time')).toHaveText('Afhentes kl. 12:15')
  await axe(page)
  await shoot(page, 'orders')

  // 1. A card on the reader: that card's orders; one tap hands the first out.
  await rpc(till, 'reader.simulate', { cardNumber: 'DEMO0001' })
  const cardOrders = page.getByRole('region', { name: /Kort DEMO0001/ })
  await expect(cardOrders).toBeVisible()
  const scanCard = cardOrders.getByRole('article', { name: new RegExp(`^${byScan.number}`) })
  await scanCard.getByRole('button', { name: 'Udlevér hele ordren' }).click()
  await expect(page.getByText(`Ordre ${byScan.number} er udleveret.`)).toBeVisible()
  await expect(page.getByRole('button', { name: /^Fortryd \(\d+ s\)$/ })).toBeVisible()
  await axe(page)
  await shoot(page, 'card-scanned')
  await page.getByRole('button', { name: 'Vis alle ordrer' }).click()

  // 2. By search on the order number.
  await page.getByRole('searchbox', { name: 'Søg på navn eller ordrenummer' }).fill(String(bySearch.number))
  const found = page.getByRole('article', { name: new RegExp(`^${bySearch.number}`) })
  await expect(found).toBeVisible()
  await expect(page.getByRole('article')).toHaveCount(1)
  await found.getByRole('button', { name: 'Udlevér hele ordren' }).click()
  await expect(page.getByText(`Ordre ${bySearch.number} er udleveret.`)).toBeVisible()
  await page.getByRole('button', { name: 'Ryd søgning' }).click()

  // 3. In part: one of the two pieces of the second line.
  const part = ready.getByRole('article', { name: new RegExp(`^${partial.number}`) })
  await part.getByRole('button', { name: `Udlevér 1 ${p2.name}` }).click()
  await expect(part).toContainText('1 af 2 tilbage')
  await expect(part.getByRole('button', { name: 'Udlevér hele ordren' })).toBeVisible()
  const handed = page.getByRole('region', { name: /^Udleveret/ })
  await expect(handed.getByRole('article')).toHaveCount(2)
  await axe(page)
  await shoot(page, 'handed-out')

  // After the undo window the hand-outs go to the server, each once.
  await expect
    .poll(
      async () => {
        await rpc(till, 'sync.now')
        const orders = await serverOrders()
        return [byScan, bySearch, partial].map((o) => orders.find((s) => s.id === o.id)!.lines.map((l) => l.handedOut))
      },
      { timeout: 60_000, intervals: [2000] },
    )
    .toEqual([[1], [1], [0, 1]])

  // The kitchen's list: per pickup time, the day's totals per product, printable.
  await page.getByRole('button', { name: 'Pakkeliste' }).click()
  const table = page.getByRole('table')
  await expect(table.getByRole('columnheader')).toHaveText(['Vare', 'Kl. 10:30', 'Kl. 12:15', 'Hele dagen', 'Udleveret'])
  // Per time, the day, handed out: p1 1 + 1 at 10:30 (one handed out); p2 2 at 10:30 and 1 at 12:15 (one + one handed out).
  await expect(table.getByRole('row', { name: new RegExp(`^${p1.name}`) }).getByRole('cell')).toHaveText(['2', '0', '2', '1'])
  await expect(table.getByRole('row', { name: new RegExp(`^${p2.name}`) }).getByRole('cell')).toHaveText(['2', '1', '3', '2'])
  await expect(table.getByRole('row', { name: /^I alt/ }).getByRole('cell')).toHaveText(['4', '1', '5', '3'])
  await axe(page)
  await shoot(page, 'preparation')
  await page.emulateMedia({ media: 'print' })
  await expect(page.getByRole('button', { name: 'Udskriv' })).toBeHidden()
  await page.setViewportSize(SIZES[0]!)
  await page.screenshot({ path: 'test-results/pickup/preparation-print.png' })
  await page.emulateMedia({ media: 'screen' })
})
