/**
 * The parent kiosk's account screens, end to end: a demo server, the host as a kiosk, the real UI,
 * and (for the rules) a till on the same server. Louise Nielsen (g-0001) manages Freja's account
 * (a-0001, DEMO0001); she adds Emma's (a-0005, DEMO0005). Each story checks the server's state
 * afterwards, through the guardian API (with the session token the page held) or the admin API.
 */
import type { Browser, Page } from '@playwright/test'
import { kioskTest as test, expect, serverApi, withHostCookie, type DemoKiosk, type TillHost } from './fixtures'

const SIZES = [
  { width: 1920, height: 1080 },
  { width: 1280, height: 800 },
] as const

const FREJA = { id: 'a-0001', name: 'Freja Nielsen', card: 'DEMO0001' }
const EMMA = { id: 'a-0005', name: 'Emma Larsen', card: 'DEMO0005', cpr: '2309146094' }

async function shoot(page: Page, name: string): Promise<void> {
  for (const size of [...SIZES].reverse()) {
    await page.setViewportSize(size)
    await page.screenshot({ path: `test-results/kiosk/${name}-${size.width}x${size.height}.png` })
  }
}

function said(page: Page, role: 'alert' | 'status') {
  return page.getByRole(role).filter({ hasText: /\S/ })
}

function keyboard(page: Page) {
  return page.getByRole('group', { name: /^Skærmtastatur/ })
}

async function tap(page: Page, text: string): Promise<void> {
  for (const key of text) await keyboard(page).getByRole('button', { name: key === ' ' ? 'Mellemrum' : key, exact: true }).click()
}

/**
 * Signs Louise in as a parent does: the kiosk's QR code opened on a phone (a second browser
 * context), the simulated MitID's form sent as Louise (the broker's page lists the first 50
 * guardians by name only, so her id goes into the form). Returns her session token, read off
 * the page's relay calls.
 */
async function signInAsLouise(browser: Browser, page: Page, kiosk: DemoKiosk): Promise<string> {
  const tokens: string[] = []
  page.on('request', (request) => {
    if (!request.url().endsWith('/rpc/guardian.request')) return
    const session = (request.postDataJSON() as { session?: string } | null)?.session
    if (session) tokens.push(session)
  })
  await page.setViewportSize(SIZES[0])
  await page.goto(`${kiosk.url}#/kiosk`)
  await expect(page.getByTestId('user-code')).toHaveText(/^[A-Z]{4}-[A-Z]{4}$/)
  const uri = await page.locator('img.k-qr').getAttribute('data-uri')
  const phoneContext = await browser.newContext()
  const phone = await phoneContext.newPage()
  await phone.goto(uri!)
  await phone.getByRole('link', { name: 'Fortsæt til MitID' }).click()
  const form = phone.locator('form').filter({ has: phone.locator('input[name="guardianId"]') }).first()
  await form.locator('input[name="guardianId"]').evaluate((input) => ((input as { value: string }).value = 'g-0001'))
  await form.getByRole('button').click()
  await expect(phone.locator('body')).toContainText('Du er logget ind')
  await phoneContext.close()
  // Without a kiosk PIN she is offered one first; not now.
  await expect(page.getByRole('heading', { name: /^(Dine konti|Vælg en kiosk-PIN)$/ })).toBeVisible({ timeout: 20_000 })
  if (await page.getByRole('heading', { name: 'Vælg en kiosk-PIN' }).isVisible()) await page.getByRole('button', { name: 'Ikke nu' }).click()
  await expect(page.getByRole('heading', { name: 'Dine konti' })).toBeVisible()
  return tokens.at(-1)!
}

async function accountsOf(kiosk: DemoKiosk, token: string): Promise<{ id: string; [k: string]: unknown }[]> {
  const answer = await serverApi(kiosk.serverUrl, 'GET', '/guardian/accounts', { token })
  expect(answer.status).toBe(200)
  return answer.body.accounts
}

async function accountOf(kiosk: DemoKiosk, token: string, id: string) {
  const answer = await serverApi(kiosk.serverUrl, 'GET', `/guardian/accounts/${id}`, { token })
  expect(answer.status).toBe(200)
  return answer.body
}

async function menu(page: Page, task: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Opgaver' }).getByRole('link', { name: task, exact: true }).click()
}

async function addAccount(page: Page, cpr: string, card: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Barnets CPR-nummer' }).click()
  await keyboard(page).getByRole('button', { name: 'Ryd' }).click()
  await tap(page, cpr)
  await page.getByRole('textbox', { name: 'Kortnummer' }).click()
  for (let i = 0; i < 24; i++) await keyboard(page).getByRole('button', { name: 'Slet sidste tegn' }).click()
  await tap(page, card)
  await page.getByRole('button', { name: 'Tilføj konto', exact: true }).last().click()
}

test.describe.configure({ mode: 'serial' })

test('"Tilføj konto" refuses a CPR number of the wrong length, an impossible date and a wrong pair, then adds the account', async ({ page, browser, kiosk, axe }) => {
  const token = await signInAsLouise(browser, page, kiosk)
  expect((await accountsOf(kiosk, token)).map((a) => a.id)).toEqual([FREJA.id])
  await menu(page, 'Tilføj konto')
  await expect(page.getByRole('heading', { name: 'Tilføj konto' })).toBeVisible()
  await expect(page.getByRole('textbox', { name: 'Barnets CPR-nummer' })).toHaveAttribute('inputmode', 'none')
  await shoot(page, 'add-account')
  await axe(page)

  // Nine digits: said at once, nothing sent.
  await addAccount(page, EMMA.cpr.slice(0, 9), EMMA.card)
  await expect(said(page, 'alert')).toHaveText(/CPR-nummeret skal have 10 cifre/)
  // The keyboard stops at ten digits: an eleventh is not typed.
  await tap(page, '12')
  await expect(page.getByRole('textbox', { name: 'Barnets CPR-nummer' })).toHaveValue(`${EMMA.cpr.slice(0, 9)}1`)

  // 31 February: the server's refusal, shown in the parent's words.
  await addAccount(page, '3102141234', EMMA.card)
  await expect(said(page, 'alert')).toHaveText(/CPR-nummeret findes ikke/)
  await shoot(page, 'add-account-refused')
  await axe(page)

  // Emma's CPR number with Oscar's card: no account, and no hint which half was wrong.
  await addAccount(page, EMMA.cpr, 'DEMO0002')
  await expect(said(page, 'alert')).toHaveText(/Vi fandt ingen konto/)
  expect((await accountsOf(kiosk, token)).map((a) => a.id)).toEqual([FREJA.id])

  await addAccount(page, EMMA.cpr, EMMA.card)
  await expect(said(page, 'status')).toHaveText(`${EMMA.name} er tilføjet til dine konti.`)
  expect((await accountsOf(kiosk, token)).map((a) => a.id).sort()).toEqual([FREJA.id, EMMA.id])

  await page.getByRole('button', { name: 'Oversigt' }).click()
  await expect(page.getByTestId('account')).toHaveCount(2)
  const emma = page.getByTestId('account').filter({ hasText: EMMA.name })
  await expect(emma).toContainText('kr. 250,00')
  await expect(emma).toContainText(EMMA.card)
  await shoot(page, 'accounts-two')
  await axe(page)

  // The switcher at the top left goes between them.
  await page.getByRole('button', { name: /^Konto/ }).click()
  await shoot(page, 'switcher')
  await page.getByRole('button', { name: FREJA.name, exact: true }).click()
  await expect(page.getByRole('button', { name: /^Konto/ })).toContainText(FREJA.name)
})

async function openTill(browser: Browser, till: TillHost): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  await withHostCookie(context, till)
  const page = await context.newPage()
  await page.goto(till.url)
  for (const digit of '1234') await page.getByRole('button', { name: digit, exact: true }).click()
  await page.getByRole('button', { name: /^(OK|Log ind)$/i }).click()
  await expect(page).toHaveURL(/#\/cashier/)
  // A till has no kiosk screens, not even for signed-in staff.
  await page.goto(`${till.url}#/kiosk`)
  await expect(page).toHaveURL(/#\/cashier/)
  return page
}

/** A hot meal for Freja at the till, on a fresh basket: the outcome's text. */
async function tryToSell(till: Page): Promise<string> {
  await till.reload()
  await expect(till.getByRole('group', { name: /kategorier/i })).toBeVisible()
  await till.getByRole('group', { name: /kategorier/i }).getByRole('button', { name: 'Varm mad' }).click()
  await till.locator('.product-tile').first().click()
  await till.getByRole('textbox', { name: 'Kortnummer', exact: true }).fill(FREJA.card)
  await till.getByRole('textbox', { name: 'Kortnummer', exact: true }).press('Enter')
  await expect(till.locator('.card-panel')).toContainText(FREJA.name)
  await till.getByRole('button', { name: /^Betal/ }).click()
  const outcome = till.locator('.outcome')
  await expect(outcome).toBeVisible()
  return outcome.innerText()
}

test('a day limit and a block set at the kiosk reach the till, which refuses the card', async ({ page, browser, kiosk, startTill, axe }) => {
  test.setTimeout(180_000)
  const till = await startTill()
  const token = await signInAsLouise(browser, page, kiosk)
  await page.getByRole('button', { name: `Vælg ${FREJA.name}` }).click()

  await menu(page, 'Beløbsgrænser')
  await expect(page.getByRole('heading', { name: `Beløbsgrænser for ${FREJA.name}` })).toBeVisible()
  await page.getByRole('textbox', { name: 'Pr. dag (kr.)' }).click()
  await tap(page, '10')
  await keyboard(page).getByRole('button', { name: 'Gem' }).click()
  await expect(said(page, 'status')).toHaveText(/Gemt\. Ændringen når kantinens kasser inden for et sekund\./)
  await shoot(page, 'limits')
  await axe(page)
  expect((await accountOf(kiosk, token, FREJA.id)).limits).toEqual({ day: 1000, week: null, month: null })

  const counter = await openTill(browser, till)
  await expect.poll(() => tryToSell(counter).then((text) => (text.includes('Dagens grænse er nået') ? 'refused' : text)), { timeout: 20_000 }).toBe('refused')

  // Block: the guide's advice is on the screen with the button.
  await menu(page, 'Spær kort')
  await expect(page.getByText('Vent et par dage, før du bestiller et nyt kort')).toBeVisible()
  await expect(page.getByText('Et spærret kort kan ikke få indbetalinger')).toBeVisible()
  await shoot(page, 'block')
  await axe(page)
  await page.getByRole('button', { name: 'Spær kortet' }).click()
  await expect(page.getByTestId('block-status')).toHaveText(/Kortet er spærret/)
  await expect(said(page, 'status')).toHaveText(/inden for et sekund/)
  await shoot(page, 'blocked')
  await axe(page)
  const admin = await serverApi(kiosk.serverUrl, 'GET', `/admin/accounts/${FREJA.id}`, { token: kiosk.adminToken })
  expect(admin.body.status).toBe('blocked')
  await expect.poll(() => tryToSell(counter).then((text) => (/spærret/i.test(text) ? 'refused' : text)), { timeout: 20_000 }).toBe('refused')

  // Unblock and lift the limit again: the server agrees.
  await page.getByRole('button', { name: 'Ophæv spærringen' }).click()
  await expect(page.getByTestId('block-status')).toHaveText(/Kortet virker/)
  await menu(page, 'Beløbsgrænser')
  await page.getByRole('textbox', { name: 'Pr. dag (kr.)' }).click()
  await keyboard(page).getByRole('button', { name: 'Ryd' }).click()
  await keyboard(page).getByRole('button', { name: 'Gem' }).click()
  await expect(said(page, 'status')).toHaveText(/Gemt/)
  const after = await accountOf(kiosk, token, FREJA.id)
  expect(after).toMatchObject({ status: 'active', limits: { day: null, week: null, month: null } })
})

test('permissions, allowed places, the note and removing an account', async ({ page, browser, kiosk, axe }) => {
  const token = await signInAsLouise(browser, page, kiosk)
  await page.getByRole('button', { name: `Vælg ${FREJA.name}` }).click()

  await menu(page, 'Tilladelser')
  const snacks = page.getByTestId('category-c-snacks')
  await expect(snacks).toHaveAttribute('aria-pressed', 'true')
  await snacks.click()
  await expect(snacks).toContainText('Ikke tilladt')
  await page.getByRole('button', { name: 'Gem' }).click()
  await expect(said(page, 'status')).toHaveText(/inden for et sekund/)
  await shoot(page, 'permissions')
  await axe(page)
  expect((await accountOf(kiosk, token, FREJA.id)).deniedCategoryIds).toEqual(['c-snacks'])

  await menu(page, 'Forbrugssteder')
  await page.getByRole('button', { name: 'Kun de valgte' }).click()
  // None chosen: not sent, and the screen says why.
  await expect(page.getByRole('button', { name: 'Gem' })).toBeDisabled()
  await expect(said(page, 'status')).toHaveText(/Vælg mindst én kantine/)
  await page.getByTestId('location-l-aadal').click()
  await page.getByRole('button', { name: 'Gem' }).click()
  await expect(said(page, 'status')).toHaveText(/inden for et sekund/)
  await shoot(page, 'places')
  await axe(page)
  expect((await accountOf(kiosk, token, FREJA.id)).allowedLocationIds).toEqual(['l-aadal'])
  await page.getByRole('button', { name: 'Alle kantiner' }).click()
  await page.getByRole('button', { name: 'Gem' }).click()
  await expect(said(page, 'status')).toHaveText(/inden for et sekund/)
  expect((await accountOf(kiosk, token, FREJA.id)).allowedLocationIds).toBeNull()

  await menu(page, 'Besked til kantinen')
  await tap(page, 'NØDDEALLERGI')
  await expect(page.getByRole('textbox', { name: 'Besked' })).toHaveValue('Nøddeallergi')
  await keyboard(page).getByRole('button', { name: 'Gem' }).click()
  await expect(said(page, 'status')).toHaveText(/inden for et sekund/)
  await shoot(page, 'note')
  await axe(page)
  expect((await accountOf(kiosk, token, FREJA.id)).note).toBe('Nøddeallergi')

  // Emma was added by the first story; Louise lets go of her account again.
  await page.getByRole('button', { name: /^Konto/ }).click()
  await page.getByRole('button', { name: EMMA.name, exact: true }).click()
  await menu(page, 'Fjern konto')
  await expect(page.getByRole('heading', { name: `Fjern ${EMMA.name} fra dine konti` })).toBeVisible()
  await shoot(page, 'unlink')
  await axe(page)
  await page.getByRole('button', { name: 'Fjern kontoen' }).click()
  await expect(said(page, 'status')).toHaveText(`${EMMA.name} er fjernet fra dine konti.`)
  expect((await accountsOf(kiosk, token)).map((a) => a.id)).toEqual([FREJA.id])
  // Not hers any more: the server answers as for an account that does not exist.
  expect((await serverApi(kiosk.serverUrl, 'GET', `/guardian/accounts/${EMMA.id}`, { token })).body.error).toBe('account-unknown')

  // The webshop's place, and English on every screen.
  await menu(page, 'Webshop')
  await expect(page.getByRole('heading', { name: 'Webshop' })).toBeVisible()
  await shoot(page, 'webshop')
  await axe(page)
  await page.getByRole('button', { name: /^EN/ }).click()
  await expect(page.getByRole('navigation', { name: 'Tasks' }).getByRole('link', { name: 'Spending limits' })).toBeVisible()
  await page.getByRole('navigation', { name: 'Tasks' }).getByRole('link', { name: 'Spending limits' }).click()
  await expect(page.getByRole('heading', { name: `Spending limits for ${FREJA.name}` })).toBeVisible()
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible()
  await shoot(page, 'limits-en')
  await axe(page)
  await page.getByRole('button', { name: /^DA/ }).click()
  await expect(page.getByRole('button', { name: 'Log ud' })).toBeVisible()
})
