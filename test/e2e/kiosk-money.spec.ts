/**
 * The kiosk's money screens through the real UI (issue 13): top-up, automatic top-up, payout,
 * new card, consumption report and photo, each checked against the server's state afterwards
 * (the admin API for balance and ledger, a guardian session of our own for what only the
 * guardian API shows: cards, the agreement, the photo). Every refusal is made with the bad input
 * itself, and the test checks that nothing changed.
 *
 * The demo's fixed families: g-0002 (Oscar, a-0002, 8 kr), g-0003 (Ida, a-0003, blocked),
 * g-0004 (William, a-0004, 100 kr), g-0005 (Emma, a-0005, 250 kr), g-0001 (Freja, a-0001). The
 * kiosk server is shared by the worker's spec files, so this file leaves Freja's card DEMO0001
 * (the PIN sign-in's) alone and changes only the others.
 *
 * Screenshots of every screen at 1920×1080 and 1280×800 go to test-results/kiosk/.
 */
import type { Page } from '@playwright/test'
import { randomUUID } from 'node:crypto'
import sharp from 'sharp'
import { approveOnPhone, expect, kioskTest as test, rpc, serverApi, type DemoKiosk } from './fixtures'

const SIZES = [
  { width: 1920, height: 1080 },
  { width: 1280, height: 800 },
] as const
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
/** As the kiosk writes money: `kr. 1.234,50`. */
const kr = (ore: number) => `kr. ${new Intl.NumberFormat('da-DK', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(ore / 100)}`

async function shoot(page: Page, name: string): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize(size)
    // Let the layout (and the chart's resize) settle at the new size.
    await page.waitForTimeout(300)
    await page.screenshot({ path: `test-results/kiosk/${name}-${size.width}x${size.height}.png` })
  }
  await page.setViewportSize({ width: 1280, height: 800 })
}

/** Signs in at the kiosk with the QR flow, the phone side done over HTTP as the demo's MitID. */
async function signIn(page: Page, kiosk: DemoKiosk, guardianId: string): Promise<void> {
  await page.goto(kiosk.url)
  const code = page.getByTestId('user-code')
  await expect(code).toHaveText(/[B-Z]{4}-[B-Z]{4}/)
  await approveOnPhone(kiosk, (await code.textContent())!.trim(), guardianId)
  await expect(page).toHaveURL(/#\/kiosk\/(accounts|choose-pin)$/, { timeout: 20_000 })
  if (page.url().endsWith('choose-pin')) await page.getByRole('button', { name: 'Ikke nu' }).click()
  await expect(page).toHaveURL(/#\/kiosk\/accounts$/)
}

async function openTask(page: Page, task: string, heading = task): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: task, exact: true }).click()
  await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible()
}

/** A field the on-screen keyboard fills (by its label; the keyboard's group names it too). */
const field = (page: Page, name: string) => page.getByRole('textbox', { name, exact: true })

/** Presses the on-screen keyboard's keys, one per character. */
async function typeOn(page: Page, text: string): Promise<void> {
  const keyboard = page.locator('.osk')
  for (const ch of text) await keyboard.getByRole('button', { name: ch === ' ' ? 'Mellemrum' : ch, exact: true }).click()
}

async function clearField(page: Page): Promise<void> {
  const keyboard = page.locator('.osk')
  const clear = keyboard.getByRole('button', { name: 'Ryd', exact: true })
  if (await clear.count()) return clear.click()
  const back = keyboard.getByRole('button', { name: 'Slet sidste tegn' })
  for (let i = 0; i < 80; i++) await back.click()
}

async function account(kiosk: DemoKiosk, id: string) {
  const res = await serverApi(kiosk.serverUrl, 'GET', `/admin/accounts/${id}`, { token: kiosk.adminToken })
  expect(res.status).toBe(200)
  return res.body as { municipalityId: string; status: string; balance: number; ledger: { id: number; kind: string; amount: number }[] }
}

async function admin(kiosk: DemoKiosk, method: string, path: string) {
  const res = await serverApi(kiosk.serverUrl, method, path, { token: kiosk.adminToken })
  expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(200)
  return res.body
}

/** A guardian session of the test's own (device flow over HTTP), to read what the admin API does not show. */
async function guardianSession(kiosk: DemoKiosk, guardianId: string) {
  const device = await serverApi(kiosk.serverUrl, 'POST', '/guardian/device', { body: {} })
  expect(device.status).toBe(200)
  await approveOnPhone(kiosk, device.body.user_code as string, guardianId)
  const token = await serverApi(kiosk.serverUrl, 'POST', '/guardian/token', { body: { grant_type: DEVICE_GRANT, device_code: device.body.device_code } })
  expect(token.status).toBe(200)
  return async (path: string) => serverApi(kiosk.serverUrl, 'GET', path, { token: token.body.access_token as string })
}

test('top-up: a declined card books nothing; an accepted one books the amount and shows the new balance', async ({ page, kiosk, axe }) => {
  const before = await account(kiosk, 'a-0004')
  await signIn(page, kiosk, 'g-0004')
  await openTask(page, 'Indbetal')
  await expect(page.getByText('Betingelser for indbetaling på kantinekort')).toBeVisible()

  // Nothing chosen yet: pressing pay names what is missing and starts no payment.
  await page.getByRole('button', { name: /^Betal/ }).click()
  await expect(page.getByText('Vælg eller tast et beløb.')).toBeVisible()
  await expect(page.getByText('Du skal acceptere betingelserne for at fortsætte.')).toBeVisible()
  await expect(page.getByRole('dialog')).toHaveCount(0)

  await page.getByRole('button', { name: '200 kr.', exact: true }).click()
  await field(page, 'E-mail til kvittering').click()
  await typeOn(page, 'far@skole.dk')
  await expect(field(page, 'E-mail til kvittering')).toHaveValue('far@skole.dk')
  await page.getByLabel('Jeg accepterer betingelserne').check()
  await axe(page)
  await shoot(page, 'money-topup')

  // The terminal: an expired card is declined, and no money moves.
  await page.getByRole('button', { name: 'Betal kr. 200,00' }).click()
  const terminal = page.getByRole('dialog', { name: 'Betal på kortterminalen' })
  await expect(terminal).toContainText('kr. 200,00')
  await axe(page)
  await shoot(page, 'money-terminal')
  await terminal.getByRole('button', { name: 'Udløbet kort' }).click()
  await expect(page.getByRole('alert').filter({ hasText: 'Betalingskortet er udløbet' })).toBeVisible()
  const afterDecline = await account(kiosk, 'a-0004')
  expect(afterDecline.balance).toBe(before.balance)
  expect(afterDecline.ledger[0]?.id).toBe(before.ledger[0]?.id)

  // A new attempt with a good card: captured, booked once, the new balance shown.
  await page.getByRole('button', { name: 'Betal kr. 200,00' }).click()
  await terminal.getByRole('button', { name: 'Kort OK' }).click()
  await expect(page.getByRole('heading', { name: 'kr. 200,00 er indbetalt' })).toBeVisible({ timeout: 20_000 })
  await expect(page.locator('.km-result')).toContainText(`Ny saldo: ${kr(before.balance + 20_000)}`)
  const after = await account(kiosk, 'a-0004')
  expect(after.balance).toBe(before.balance + 20_000)
  expect(after.ledger.filter((l) => !before.ledger.some((b) => b.id === l.id))).toEqual([expect.objectContaining({ kind: 'deposit', amount: 20_000 })])
  await axe(page)
  await shoot(page, 'money-topup-done')
})

test('top-up: an answer lost on its way back is retried with the same key, and pays once', async ({ page, kiosk }) => {
  const before = await account(kiosk, 'a-0005')
  // The first top-up reaches the server, but its answer never reaches the page.
  const keys: string[] = []
  await page.route('**/rpc/guardian.request', async (route) => {
    const req = route.request().postDataJSON() as { method: string; path: string; body?: { idempotencyKey?: string } }
    if (req.method !== 'POST' || !req.path.endsWith('/deposits')) return route.continue()
    keys.push(req.body!.idempotencyKey!)
    if (keys.length > 1) return route.continue()
    await route.fetch()
    await route.abort('connectionreset')
  })
  await signIn(page, kiosk, 'g-0005')
  await openTask(page, 'Indbetal')
  await page.getByRole('button', { name: '100 kr.', exact: true }).click()
  await field(page, 'E-mail til kvittering').click()
  await typeOn(page, 'mor@skole.dk')
  await page.getByLabel('Jeg accepterer betingelserne').check()
  await page.getByRole('button', { name: 'Betal kr. 100,00' }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'Kort OK' }).click()
  const lost = page.getByRole('alert').filter({ hasText: 'Serveren svarer ikke' })
  await expect(lost).toBeVisible()
  // It may have paid: no new payment starts until this one has its answer.
  await expect(page.getByRole('button', { name: 'Betal kr. 100,00' })).toBeDisabled()
  await lost.getByRole('button', { name: 'Prøv igen' }).click()
  await expect(page.getByRole('heading', { name: 'kr. 100,00 er indbetalt' })).toBeVisible({ timeout: 20_000 })
  expect(keys).toHaveLength(2)
  expect(keys[1]).toBe(keys[0])
  const after = await account(kiosk, 'a-0005')
  expect(after.balance).toBe(before.balance + 10_000)
  expect(after.ledger.filter((l) => !before.ledger.some((b) => b.id === l.id))).toEqual([expect.objectContaining({ kind: 'deposit', amount: 10_000 })])

  // A new top-up afterwards is a new attempt: a new key.
  await page.getByRole('button', { name: 'Ny indbetaling' }).click()
  await page.getByRole('button', { name: '50 kr.', exact: true }).click()
  await page.getByLabel('Jeg accepterer betingelserne').check()
  await page.getByRole('button', { name: 'Betal kr. 50,00' }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'Ingen dækning' }).click()
  await expect(page.getByRole('alert').filter({ hasText: 'Der er ikke dækning på betalingskortet' })).toBeVisible()
  expect(keys).toHaveLength(3)
  expect(keys[2]).not.toBe(keys[0])
  expect((await account(kiosk, 'a-0005')).balance).toBe(before.balance + 10_000)
})

test('top-up of a blocked account: the guide’s explanation, and no payment is started', async ({ page, kiosk, axe }) => {
  const before = await account(kiosk, 'a-0003')
  expect(before.status).toBe('blocked')
  await signIn(page, kiosk, 'g-0003')
  await openTask(page, 'Indbetal')
  const explanation = page.getByRole('alert').filter({ hasText: 'Kortet er spærret' })
  await expect(explanation).toContainText('et spærret kort kan ikke modtage indbetalinger')
  await expect(explanation).toContainText('Ophæv spærringen først')
  await expect(page.getByRole('button', { name: /^Betal/ })).toHaveCount(0)
  await expect(explanation.getByRole('link', { name: 'Gå til Ophæv spærring' })).toHaveAttribute('href', /#\/kiosk\/a\/a-0003\/block$/)
  await axe(page)
  await shoot(page, 'money-topup-blocked')
  const after = await account(kiosk, 'a-0003')
  expect(after.balance).toBe(before.balance)
  expect(after.ledger[0]?.id).toBe(before.ledger[0]?.id)
})

test('automatic top-up: created with a saved card, stopped by a blocked card, "why?" names it, cancelled', async ({ page, kiosk, axe }) => {
  const guardian = await guardianSession(kiosk, 'g-0004')
  await signIn(page, kiosk, 'g-0004')
  await openTask(page, 'Automatisk optankning')
  await expect(page.getByText('Der er ingen automatisk optankning')).toBeVisible()

  // A declined card saves nothing.
  await page.getByRole('button', { name: '100 kr.', exact: true }).click()
  await page.getByLabel('Jeg accepterer betingelserne').check()
  await axe(page)
  await shoot(page, 'money-auto-create')
  await page.getByRole('button', { name: 'Opret automatisk optankning' }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'Spærret kort' }).click()
  await expect(page.getByRole('alert').filter({ hasText: 'Betalingskortet er spærret' })).toBeVisible()
  expect((await guardian('/guardian/accounts/a-0004/auto-topup')).body.autoTopup?.status ?? 'none').not.toBe('active')

  await page.getByRole('button', { name: 'Opret automatisk optankning' }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'Kort OK' }).click()
  await expect(page.getByText('Aftalen er oprettet, og kortet er gemt.')).toBeVisible()
  await expect(page.locator('.km-facts')).toContainText('kr. 100,00')
  await expect(page.locator('.km-facts')).toContainText('Aktiv')
  expect((await guardian('/guardian/accounts/a-0004/auto-topup')).body.autoTopup).toMatchObject({ amount: 10_000, status: 'active', stoppedBecause: null })
  await shoot(page, 'money-auto-active')

  // The canteen card is blocked: the agreement stops, and the screen says why and what to do.
  await admin(kiosk, 'POST', '/admin/accounts/a-0004/block')
  try {
    await openTask(page, 'Forbrug', 'Forbrugsrapport')
    await openTask(page, 'Automatisk optankning')
    await expect(page.locator('.km-facts')).toContainText('Stoppet')
    await page.getByRole('button', { name: 'Hvorfor stoppede den?' }).click()
    await expect(page.locator('#km-why')).toContainText('Kantinekortet er spærret')
    await expect(page.locator('#km-why')).toContainText('Annullér den stoppede aftale, og opret derefter en ny')
    await axe(page)
    await shoot(page, 'money-auto-why')
    await page.getByRole('button', { name: 'Annullér den stoppede aftale' }).click()
    await expect(page.getByText('Aftalen er annulleret.')).toBeVisible()
    await expect(page.getByRole('button', { name: 'Opret automatisk optankning' })).toBeVisible()
    const agreement = (await guardian('/guardian/accounts/a-0004/auto-topup')).body.autoTopup
    expect(agreement === null || agreement.status === 'cancelled').toBe(true)
  } finally {
    await admin(kiosk, 'POST', '/admin/accounts/a-0004/unblock')
  }
})

test('payout: above the balance and with malformed bank numbers nothing is sent; a valid one is pending', async ({ page, kiosk, axe }) => {
  const before = await account(kiosk, 'a-0002')
  const pendingOf = async () =>
    ((await admin(kiosk, 'GET', `/admin/payouts?status=pending&municipalityId=${before.municipalityId}`)).payouts as { accountId: string; amount: number; to: Record<string, string> }[]).filter(
      (p) => p.accountId === 'a-0002',
    )
  const pendingBefore = await pendingOf()
  const unchanged = async () => {
    const now = await account(kiosk, 'a-0002')
    expect(now.balance).toBe(before.balance)
    expect(now.ledger[0]?.id).toBe(before.ledger[0]?.id)
    expect(await pendingOf()).toEqual(pendingBefore)
  }

  await signIn(page, kiosk, 'g-0002')
  await openTask(page, 'Udbetaling', 'Udbetal')
  const overBalance = Math.floor(before.balance / 100) + 2
  await typeOn(page, String(overBalance))
  // Said while typing, before anything is sent.
  await expect(page.getByText('Beløbet er større end saldoen')).toBeVisible()
  await page.getByRole('button', { name: `Udbetal kr. ${overBalance},00` }).click()
  await expect(page.getByText('Beløbet er større end saldoen')).toBeVisible()
  await unchanged()
  await shoot(page, 'money-payout-above')

  // To a bank account, with a 3-digit reg. no. and no account no.
  await clearField(page)
  await typeOn(page, '5')
  await page.getByRole('radio', { name: 'Anden bankkonto' }).click()
  await typeOn(page, '123')
  await field(page, 'Navn på kontohaver').click()
  await typeOn(page, 'THOMAS JENSEN')
  await page.getByRole('button', { name: 'Udbetal kr. 5,00' }).click()
  await expect(page.getByText('Reg.nr. skal være 4 cifre.')).toBeVisible()
  await expect(page.getByText('Kontonr. skal være 1 til 10 cifre.')).toBeVisible()
  await unchanged()
  await axe(page)
  await shoot(page, 'money-payout-invalid')

  await field(page, 'Reg.nr.').click()
  await typeOn(page, '4')
  await field(page, 'Kontonr.').click()
  await typeOn(page, '0012345678')
  await field(page, 'Besked (valgfri)').click()
  await typeOn(page, 'KANTINE')
  await page.getByRole('button', { name: 'Udbetal kr. 5,00' }).click()
  await expect(page.getByRole('heading', { name: 'kr. 5,00 bliver udbetalt' })).toBeVisible()
  await expect(page.locator('.km-list')).toContainText('1234 0012345678 · THOMAS JENSEN')
  const after = await account(kiosk, 'a-0002')
  expect(after.balance).toBe(before.balance - 500)
  expect(after.ledger[0]).toMatchObject({ kind: 'payout', amount: -500 })
  const pending = await pendingOf()
  expect(pending.length).toBe(pendingBefore.length + 1)
  expect(pending.at(-1)).toMatchObject({ amount: 500, to: { kind: 'bank', regNo: '1234', accountNo: '0012345678', name: 'THOMAS JENSEN', message: 'KANTINE' } })
  await axe(page)
  await shoot(page, 'money-payout-done')
})

test('new card: refused below 25 kr with nothing changed', async ({ page, kiosk, axe }) => {
  const before = await account(kiosk, 'a-0002')
  expect(before.balance).toBeLessThan(2500)
  const guardian = await guardianSession(kiosk, 'g-0002')
  const cardsBefore = (await guardian('/guardian/accounts/a-0002')).body.cards
  await signIn(page, kiosk, 'g-0002')
  await openTask(page, 'Nyt kort', 'Bestil nyt kort')
  await expect(page.getByRole('alert').filter({ hasText: 'Saldoen er for lav' })).toContainText('Saldoen er under 25 kr.')
  await expect(page.getByRole('button', { name: 'Bestil nyt kort' })).toHaveCount(0)
  await axe(page)
  await shoot(page, 'money-newcard-low')
  const after = await account(kiosk, 'a-0002')
  expect(after.balance).toBe(before.balance)
  expect(after.ledger[0]?.id).toBe(before.ledger[0]?.id)
  expect((await guardian('/guardian/accounts/a-0002')).body.cards).toEqual(cardsBefore)
})

test('new card: 25 kr fee on the ledger, the new number on the same account, the old one replaced', async ({ page, kiosk, axe }) => {
  const before = await account(kiosk, 'a-0005')
  const guardian = await guardianSession(kiosk, 'g-0005')
  await signIn(page, kiosk, 'g-0005')
  await openTask(page, 'Nyt kort', 'Bestil nyt kort')
  await expect(page.getByText('Et nyt kort koster kr. 25,00.')).toBeVisible()
  await expect(page.getByText('Gebyret trækkes fra saldoen, så saldoen skal være mindst kr. 25,00.')).toBeVisible()
  await axe(page)
  await shoot(page, 'money-newcard')
  await page.getByRole('button', { name: 'Bestil nyt kort' }).click()
  await page.getByRole('button', { name: 'Ja, bestil for kr. 25,00' }).click()
  await expect(page.getByRole('heading', { name: 'Det nye kort er bestilt' })).toBeVisible()
  const number = (await page.locator('.km-card-number').textContent())!.trim()
  expect(number).not.toBe('DEMO0005')
  const after = await account(kiosk, 'a-0005')
  expect(after.balance).toBe(before.balance - 2500)
  expect(after.ledger[0]).toMatchObject({ kind: 'fee', amount: -2500 })
  const cards = (await guardian('/guardian/accounts/a-0005')).body.cards as { number: string; status: string }[]
  expect(cards).toEqual(expect.arrayContaining([{ number: 'DEMO0005', status: 'replaced' }, { number, status: 'active' }]))
  await shoot(page, 'money-newcard-done')
})

test('report: a till’s sale itemised with canteen and time, totals from the server, other periods; printable', async ({ page, kiosk, axe, startTill }) => {
  // A purchase at a till on the same server: the report must list it, item by item.
  const till = await startTill()
  // The till knows its staff after its first pull: wait for it, then sign in once (wrong PINs lock).
  await rpc(till, 'sync.now')
  await expect.poll(async () => ((await rpc(till, 'sync.status')) as { lastSyncAt: string | null }).lastSyncAt, { timeout: 20_000 }).not.toBeNull()
  expect(await rpc(till, 'staff.signIn', { pin: '1234' })).toMatchObject({ ok: true })
  const catalog = (await rpc(till, 'catalog.get')) as { products: { id: string; name: string; price: number }[] }
  const product = catalog.products.filter((p) => p.price > 0 && p.price <= 1500).sort((a, b) => a.price - b.price)[0]!
  const sale = (await rpc(till, 'sale.record', { saleId: randomUUID(), cardNumber: 'DEMO0004', lines: [{ productId: product.id, qty: 2 }] })) as { ok: boolean }
  expect(sale).toMatchObject({ ok: true })
  await rpc(till, 'sync.now')

  const guardian = await guardianSession(kiosk, 'g-0004')
  await signIn(page, kiosk, 'g-0004')
  await openTask(page, 'Forbrug', 'Forbrugsrapport')
  const report = page.locator('.km-report')
  await expect(report).toBeVisible()
  await expect(report.locator('canvas')).toBeVisible()
  // The month's totals are the server's (this test's top-up of 200 kr is among them).
  const from = await page.evaluate(() => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Copenhagen' }).format(new Date()))
  const statement = (await guardian(`/guardian/accounts/a-0004/statement?from=${from.slice(0, 8)}01&to=${from}`)).body
  await expect(report.locator('.km-totals')).toContainText(`Indbetalt${kr(statement.totals.deposited)}`)
  await expect(report.locator('.km-totals')).toContainText(`Forbrug${kr(statement.totals.spent)}`)
  await expect(report.getByRole('heading', { name: /^Køb \(\d+\)$/ })).toHaveText(`Køb (${statement.purchases.length})`)
  expect(statement.purchases.length).toBeGreaterThan(0)
  const purchase = statement.purchases.at(-1) as { locationName: string; total: number }
  const row = report.getByRole('row').filter({ hasText: `2 × ${product.name}` })
  await expect(row).toContainText(purchase.locationName)
  await expect(row).toContainText(kr(product.price * 2))
  await expect(row.getByRole('cell').first()).toHaveText(/\d{2}\.\d{2}$/)
  await axe(page)
  await shoot(page, 'money-report')

  const thisMonthHeading = await report.getByRole('heading', { level: 2 }).textContent()
  await page.getByRole('radio', { name: 'Sidste måned' }).click()
  await expect(report.getByRole('heading', { level: 2 })).not.toHaveText(thisMonthHeading!)
  await expect(report.getByRole('heading', { level: 2 })).toContainText('William Pedersen')

  // Chosen dates, backwards: refused before asking the server.
  await page.getByRole('radio', { name: 'Vælg datoer' }).click()
  await field(page, 'Fra dato').click()
  await clearField(page)
  await typeOn(page, '01022026')
  await field(page, 'Til dato').click()
  await clearField(page)
  await typeOn(page, '31012026')
  await page.getByRole('button', { name: 'Vis rapport' }).click()
  await expect(page.getByText('Fra-datoen skal ligge før til-datoen.')).toBeVisible()
  await field(page, 'Fra dato').click()
  await clearField(page)
  await typeOn(page, '01012026')
  await page.getByRole('button', { name: 'Vis rapport' }).click()
  await expect(report.getByRole('heading', { level: 2 })).toContainText('1. jan. 2026')
  await axe(page)
  await shoot(page, 'money-report-custom')

  // In English too.
  await page.getByRole('button', { name: /^EN/ }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Consumption report' })).toBeVisible()
  await expect(report.locator('.km-totals')).toContainText('Paid in')
  await axe(page)
  await shoot(page, 'money-report-en')
  await page.getByRole('button', { name: /^DA/ }).click()

  // Printed: the report alone, without the kiosk's menu and controls.
  await page.getByRole('radio', { name: 'Denne måned' }).click()
  await page.emulateMedia({ media: 'print' })
  await expect(page.getByRole('navigation')).toBeHidden()
  await expect(page.getByRole('button', { name: 'Udskriv' })).toBeHidden()
  await expect(report).toBeVisible()
  await page.screenshot({ path: 'test-results/kiosk/money-report-print.png', fullPage: true })
  await page.emulateMedia({ media: 'screen' })
})

test('photo: a picked file, cropped square, saved; the server keeps a 480×480 JPEG', async ({ page, kiosk, axe }) => {
  const guardian = await guardianSession(kiosk, 'g-0005')
  const before = await guardian('/guardian/accounts/a-0005')
  await signIn(page, kiosk, 'g-0005')
  await openTask(page, 'Foto')
  await expect(page.getByText('Kantinen ser billedet, hver gang kortet scannes, så de kan se, at kortet er Emma Larsens eget.')).toBeVisible()
  await axe(page)
  await shoot(page, 'money-photo')

  const png = await sharp({ create: { width: 900, height: 600, channels: 3, background: { r: 30, g: 120, b: 200 } } })
    .composite([{ input: await sharp({ create: { width: 300, height: 300, channels: 3, background: { r: 250, g: 200, b: 40 } } }).png().toBuffer(), left: 500, top: 200 }])
    .png()
    .toBuffer()
  await page.locator('input[type=file]').setInputFiles({ name: 'emma.png', mimeType: 'image/png', buffer: png })
  const frame = page.getByRole('img', { name: /^Beskæring/ })
  await expect(frame).toBeVisible()
  await expect(frame).toHaveAttribute('data-crop', '150,0,600')
  await page.getByRole('button', { name: 'Zoom ind' }).click()
  await page.getByRole('button', { name: 'Zoom ind' }).click()
  await expect(frame).toHaveAttribute('data-crop', '250,100,400')
  // Drag the picture to the left: the square moves right, towards the yellow square.
  const box = (await frame.boundingBox())!
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
  await page.mouse.down()
  await page.mouse.move(box.x + box.width / 2 - box.width / 4, box.y + box.height / 2, { steps: 5 })
  await page.mouse.up()
  const crop = (await frame.getAttribute('data-crop'))!.split(',').map(Number)
  expect(crop[0]).toBeGreaterThan(250)
  expect(crop[2]).toBe(400)
  await axe(page)
  await shoot(page, 'money-photo-crop')

  await page.getByRole('button', { name: 'Gem billedet' }).click()
  await expect(page.getByText('Billedet er gemt.')).toBeVisible()
  await expect(page.getByRole('img', { name: 'Billede af Emma Larsen' })).toBeVisible()
  const after = await guardian('/guardian/accounts/a-0005')
  expect(after.body.photoId).not.toBeNull()
  expect(after.body.photoId).not.toBe(before.body.photoId)
  const photo = await guardian('/guardian/accounts/a-0005/photo')
  const stored = await sharp(Buffer.from((photo.body.dataUrl as string).split(',')[1]!, 'base64')).metadata()
  expect({ format: stored.format, width: stored.width, height: stored.height }).toEqual({ format: 'jpeg', width: 480, height: 480 })
  await shoot(page, 'money-photo-saved')
})

/**
 * The test's camera: a canvas stream (a yellow disc on green, 640×480), so the page's own
 * getUserMedia → video → snapshot path runs. Text, run in the page: this file is typed for Node.
 */
const FAKE_CAMERA = `
navigator.mediaDevices.getUserMedia = async () => {
  const canvas = Object.assign(document.createElement('canvas'), { width: 640, height: 480 })
  const g = canvas.getContext('2d')
  const paint = () => {
    g.fillStyle = '#2a7'
    g.fillRect(0, 0, 640, 480)
    g.fillStyle = '#fc3'
    g.beginPath()
    g.arc(320, 240, 120, 0, Math.PI * 2)
    g.fill()
  }
  paint()
  setInterval(paint, 100)
  return canvas.captureStream(10)
}`

test('photo: the kiosk camera, a snapshot cropped square and saved', async ({ page, kiosk, axe }) => {
  await page.addInitScript({ content: FAKE_CAMERA })
  const guardian = await guardianSession(kiosk, 'g-0002')
  const before = (await guardian('/guardian/accounts/a-0002')).body.photoId as string | null
  await signIn(page, kiosk, 'g-0002')
  await openTask(page, 'Foto')
  await page.getByRole('button', { name: 'Tag billede med kameraet' }).click()
  await expect(page.locator('video.km-video')).toBeVisible()
  await expect.poll(() => page.locator('video.km-video').evaluate((v) => (v as unknown as { videoWidth: number }).videoWidth)).toBe(640)
  await axe(page)
  await shoot(page, 'money-photo-camera')
  await page.getByRole('button', { name: 'Tag billedet' }).click()
  const frame = page.getByRole('img', { name: /^Beskæring/ })
  await expect(frame).toHaveAttribute('data-crop', '80,0,480')
  await page.getByRole('button', { name: 'Gem billedet' }).click()
  await expect(page.getByText('Billedet er gemt.')).toBeVisible()
  const after = (await guardian('/guardian/accounts/a-0002')).body.photoId as string | null
  expect(after).not.toBeNull()
  expect(after).not.toBe(before)
})
