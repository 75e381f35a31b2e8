/**
 * The parent kiosk's sign-in, end to end: a demo server, the host as a kiosk, the real UI. MitID
 * on the parent's own phone (a second page, the simulated broker), the child's card and a kiosk
 * PIN (also the lockout after wrong PINs), and the idle wipe that leaves nothing behind. Each
 * story checks the server's side afterwards (the guardian API, through the kiosk's relay or with
 * the session token the page held).
 */
import type { Browser, Page } from '@playwright/test'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { kioskTest as test, expect, rpc, serverApi, type DemoKiosk } from './fixtures'

const SIZES = [
  { width: 1920, height: 1080 },
  { width: 1280, height: 800 },
] as const

/** Screenshots of the screen as it is, at both kiosk sizes, then back to the first. */
async function shoot(page: Page, name: string): Promise<void> {
  for (const size of [...SIZES].reverse()) {
    await page.setViewportSize(size)
    await page.screenshot({ path: `test-results/kiosk/${name}-${size.width}x${size.height}.png` })
  }
}

/** The session tokens the page sends through the relay (it holds them in memory only). */
function watchSessions(page: Page): string[] {
  const tokens: string[] = []
  page.on('request', (request) => {
    if (!request.url().endsWith('/rpc/guardian.request')) return
    const session = (request.postDataJSON() as { session?: string } | null)?.session
    if (session && !tokens.includes(session)) tokens.push(session)
  })
  return tokens
}

async function openKiosk(page: Page, kiosk: DemoKiosk, search = ''): Promise<void> {
  await page.setViewportSize(SIZES[0])
  await page.goto(`${kiosk.url}${search}#/kiosk`)
  await expect(page.getByTestId('user-code')).toHaveText(/^[A-Z]{4}-[A-Z]{4}$/)
}

/** What the kiosk says (the app's empty fault region is an alert too). */
function said(page: Page, role: 'alert' | 'status') {
  return page.getByRole(role).filter({ hasText: /\S/ })
}

function keyboard(page: Page) {
  return page.getByRole('group', { name: /^Skærmtastatur/ })
}

/** Types on the on-screen keyboard, key by key, as a finger would. */
async function tap(page: Page, text: string): Promise<void> {
  for (const key of text) await keyboard(page).getByRole('button', { name: key, exact: true }).click()
}

interface Guardian {
  id: string
  name: string
}
const THOMAS: Guardian = { id: 'g-0002', name: 'Thomas Jensen' }
const LOUISE: Guardian = { id: 'g-0001', name: 'Louise Nielsen' }

/**
 * The simulated broker lists the first 50 demo guardians by name; one further down the list is
 * picked by sending the same form with that guardian's id.
 */
async function pickGuardian(phone: Page, guardian: Guardian): Promise<void> {
  const named = phone.getByRole('button', { name: new RegExp(`^${guardian.name} `) })
  if ((await named.count()) > 0) return named.first().click()
  const form = phone.locator('form').filter({ has: phone.locator('input[name="guardianId"]') }).first()
  await form.locator('input[name="guardianId"]').evaluate((input, id) => ((input as { value: string }).value = id), guardian.id)
  await form.getByRole('button').click()
}

/** The parent's phone opens the QR code's address and picks a demo guardian at the simulated MitID. */
async function signInOnPhone(browser: Browser, page: Page, guardian: Guardian | null): Promise<void> {
  const uri = await page.locator('img.k-qr').getAttribute('data-uri')
  const code = (await page.getByTestId('user-code').textContent())!.trim()
  expect(uri).toContain(`user_code=${encodeURIComponent(code)}`)
  const phoneContext = await browser.newContext({ viewport: { width: 390, height: 844 } })
  const phone = await phoneContext.newPage()
  await phone.goto(uri!)
  // The phone names the kiosk first (so a parent is not signing in someone else's kiosk).
  await expect(phone.locator('body')).toContainText('Kiosk 1')
  await phone.getByRole('link', { name: 'Fortsæt til MitID' }).click()
  if (guardian) await pickGuardian(phone, guardian)
  else await phone.getByRole('button', { name: /Afvis/ }).click()
  await expect(phone.locator('body')).toContainText(guardian ? 'Du er logget ind' : 'Du har afvist at logge ind')
  await phoneContext.close()
}

async function guardianApi(kiosk: DemoKiosk, token: string, path: string) {
  return serverApi(kiosk.serverUrl, 'GET', path, { token })
}

test.describe.configure({ mode: 'serial' })

test('a parent signs in with MitID on the phone, chooses a kiosk PIN, and next time signs in with card and PIN', async ({ page, browser, kiosk, axe }) => {
  const sessions = watchSessions(page)
  await openKiosk(page, kiosk)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Velkommen til kantinekortet')
  await expect(page.getByRole('img', { name: /QR-kode/ })).toBeVisible()
  await shoot(page, 'start')
  await axe(page)

  await signInOnPhone(browser, page, THOMAS)
  // The kiosk polls at the server's interval (5 s); Thomas has no PIN yet, so he is offered one.
  await expect(page.getByRole('heading', { name: 'Vælg en kiosk-PIN' })).toBeVisible({ timeout: 20_000 })
  await expect(page.getByText('Thomas Jensen')).toBeVisible()
  await shoot(page, 'choose-pin')
  await axe(page)

  // Two different PINs: refused here, nothing sent.
  await tap(page, '1357')
  await keyboard(page).getByRole('button', { name: 'Videre' }).click()
  await tap(page, '1358')
  await keyboard(page).getByRole('button', { name: 'Gem PIN' }).click()
  await expect(said(page, 'alert')).toHaveText(/ikke ens/)
  const token = sessions.at(-1)!
  expect((await guardianApi(kiosk, token, '/guardian/me')).body).toMatchObject({ name: 'Thomas Jensen', hasPin: false })

  await tap(page, '1357')
  await keyboard(page).getByRole('button', { name: 'Videre' }).click()
  await tap(page, '1357')
  await keyboard(page).getByRole('button', { name: 'Gem PIN' }).click()
  await expect(said(page, 'status')).toHaveText('Din PIN er gemt.')
  expect((await guardianApi(kiosk, token, '/guardian/me')).body).toMatchObject({ name: 'Thomas Jensen', hasPin: true })
  await page.getByRole('button', { name: 'Videre' }).click()

  await expect(page.getByRole('heading', { name: 'Dine konti' })).toBeVisible()
  const oscar = page.getByTestId('account').filter({ hasText: 'Oscar Jensen' })
  // The balance the server holds (other spec files of this worker share the demo server's accounts).
  const held = (await serverApi(kiosk.serverUrl, 'GET', '/admin/accounts/a-0002', { token: kiosk.adminToken })).body as { balance: number }
  await expect(oscar).toContainText(`kr. ${(held.balance / 100).toLocaleString('da-DK', { minimumFractionDigits: 2 })}`)
  await expect(oscar).toContainText('DEMO0002')
  await expect(oscar).toContainText('Aktiv')
  await shoot(page, 'accounts')
  await axe(page)

  // "Log ud": the session ends on the server and the kiosk starts afresh.
  await page.getByRole('button', { name: 'Log ud' }).click()
  await expect(page.getByTestId('user-code')).toBeVisible()
  await expect(page.getByText('Thomas Jensen')).toHaveCount(0)
  expect((await guardianApi(kiosk, token, '/guardian/accounts')).status).toBe(401)

  // Next time: the child's card at the reader (a burst of keys, as a keyboard-wedge reader types), then the PIN.
  await page.keyboard.type('DEMO0002\n')
  await expect(page.getByRole('heading', { name: 'Log ind med kort og PIN' })).toBeVisible()
  await expect(page.getByText('Kort: DEMO0002')).toBeVisible()
  await tap(page, '1357')
  await shoot(page, 'pin')
  await axe(page)
  await keyboard(page).getByRole('button', { name: 'Log ind' }).click()
  await expect(page.getByRole('heading', { name: 'Dine konti' })).toBeVisible()
  await expect(page.getByText('Thomas Jensen')).toBeVisible()
  const pinToken = sessions.at(-1)!
  expect(pinToken).not.toBe(token)
  expect((await guardianApi(kiosk, pinToken, '/guardian/me')).body).toMatchObject({ name: 'Thomas Jensen', hasPin: true })
  await page.getByRole('button', { name: 'Log ud' }).click()
  await expect(page.getByTestId('user-code')).toBeVisible()
})

test('a kiosk shows only its parents\' screens, and those only after a sign-in', async ({ page, kiosk }) => {
  await openKiosk(page, kiosk)
  for (const elsewhere of ['#/cashier', '#/manager', '#/signin', '#/kiosk/accounts', '#/kiosk/a/a-0001/limits']) {
    await page.goto(`${kiosk.url}${elsewhere}`)
    await expect(page, elsewhere).toHaveURL(/#\/kiosk$/)
    await expect(page.getByTestId('user-code')).toBeVisible()
  }
  await expect(page.getByRole('button', { name: /Log ind|OK/ })).toHaveCount(0)
})

test('a sign-in refused on the phone is said plainly, and a new code can be had', async ({ page, browser, kiosk, axe }) => {
  await openKiosk(page, kiosk)
  const first = await page.getByTestId('user-code').textContent()
  await signInOnPhone(browser, page, null)
  await expect(said(page, 'alert')).toHaveText('Log ind blev afvist på telefonen.', { timeout: 20_000 })
  await shoot(page, 'start-denied')
  await axe(page)
  await page.getByRole('button', { name: 'Prøv igen' }).click()
  await expect(page.getByTestId('user-code')).toHaveText(/^[A-Z]{4}-[A-Z]{4}$/)
  expect(await page.getByTestId('user-code').textContent()).not.toBe(first)
})

test('wrong PINs lock the card for a while, and the screen counts it down', async ({ page, kiosk, axe }) => {
  await openKiosk(page, kiosk)
  await page.getByRole('button', { name: 'Brug dit barns kort' }).click()
  // Typed on the screen: letters and digits; the field itself takes no keystrokes.
  await expect(page.getByRole('textbox', { name: 'Kortnummer' })).toHaveAttribute('readonly', '')
  await tap(page, 'DEMO0004')
  await expect(page.getByRole('textbox', { name: 'Kortnummer' })).toHaveValue('DEMO0004')
  await keyboard(page).getByRole('button', { name: 'Videre' }).click()

  for (let i = 1; i <= 2; i++) {
    await tap(page, '1111')
    await keyboard(page).getByRole('button', { name: 'Log ind' }).click()
    await expect(said(page, 'alert')).toHaveText(/Kortnummer eller PIN passer ikke/)
    await expect(page.getByLabel('Din kiosk-PIN', { exact: true })).toHaveValue('')
  }
  await tap(page, '1111')
  await keyboard(page).getByRole('button', { name: 'Log ind' }).click()
  const lock = page.getByTestId('pin-locked')
  await expect(lock).toHaveText(/For mange forsøg\. Prøv igen om (30|2\d) sek\./)
  await tap(page, '2468')
  await expect(keyboard(page).getByRole('button', { name: 'Log ind' })).toBeDisabled()
  await shoot(page, 'pin-locked')
  await axe(page)
  // The countdown runs.
  const before = Number(/(\d+) sek/.exec((await lock.textContent())!)![1])
  await expect(lock).not.toHaveText(new RegExp(`om ${before} sek`), { timeout: 5_000 })

  // The server agrees: the card number is locked for every PIN, right or wrong.
  const answer = (await rpc(kiosk, 'guardian.request', { method: 'POST', path: '/guardian/pin-session', body: { cardNumber: 'DEMO0004', pin: '0000' } })) as {
    status: number
    body: { error: string; retryAfterSeconds: number }
  }
  expect(answer.status).toBe(429)
  expect(answer.body.error).toBe('locked')
  expect(answer.body.retryAfterSeconds).toBeGreaterThan(0)
  expect(answer.body.retryAfterSeconds).toBeLessThanOrEqual(30)
})

/** The page's session and local storage, as JSON (evaluated in the page). */
const STORAGE = 'JSON.stringify([Object.entries(sessionStorage), Object.entries(localStorage)])'

/** Every file under `dir`, as bytes read as Latin-1 (a SQLite file holds UTF-8 text as it is). */
function allBytes(dir: string): string {
  let out = ''
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    out += statSync(path).isDirectory() ? allBytes(path) : readFileSync(path).toString('latin1')
  }
  return out
}

test('a parent who walks away is signed out after a countdown, and nothing of theirs remains', async ({ page, browser, kiosk }) => {
  test.setTimeout(120_000)
  const sessions = watchSessions(page)
  // A short quiet spell for the test; the countdown is the real 20 s.
  await openKiosk(page, kiosk, '?kioskIdle=3')
  await signInOnPhone(browser, page, LOUISE)
  await expect(page.getByRole('heading', { name: /^(Dine konti|Vælg en kiosk-PIN)$/ })).toBeVisible({ timeout: 20_000 })
  if (await page.getByRole('heading', { name: 'Vælg en kiosk-PIN' }).isVisible()) await page.getByRole('button', { name: 'Ikke nu' }).click()
  await expect(page.getByText('Freja Nielsen').first()).toBeVisible()
  const token = sessions.at(-1)!
  expect((await guardianApi(kiosk, token, '/guardian/accounts')).status).toBe(200)

  // While signed in, too, the page keeps nothing personal in storage.
  const storage = await page.evaluate<string>(STORAGE)
  for (const personal of ['Louise', 'Freja', 'DEMO0001', token]) expect(storage).not.toContain(personal)

  const dialog = page.getByRole('alertdialog', { name: 'Er du der stadig?' })
  await expect(dialog).toBeVisible({ timeout: 10_000 })
  await expect(dialog).toContainText(/logget ud om \d+ sekunder/)
  const left = Number(/om (\d+) sekunder/.exec((await dialog.textContent())!)![1])
  expect(left).toBeGreaterThanOrEqual(18)
  await shoot(page, 'idle-countdown')
  await dialog.getByRole('button', { name: 'Mere tid' }).click()
  await expect(dialog).toBeHidden()
  await expect(page.getByText('Louise Nielsen')).toBeVisible()

  // Left alone: the countdown comes back and runs out.
  await expect(dialog).toBeVisible({ timeout: 10_000 })
  await expect(page.getByTestId('user-code')).toBeVisible({ timeout: 40_000 })
  await expect(dialog).toBeHidden()
  const text = await page.locator('body').innerText()
  for (const personal of ['Louise', 'Freja', 'DEMO0001']) expect(text).not.toContain(personal)
  expect(JSON.parse(await page.evaluate<string>(STORAGE))).toEqual([[], []])
  // The session is dead on the server, and the kiosk's data folder never held any of it.
  expect((await guardianApi(kiosk, token, '/guardian/accounts')).status).toBe(401)
  // (With --demo the folder also holds the demo server's database: only the kiosk's own part counts.)
  const stored = allBytes(join(kiosk.dataDir, 'kiosk'))
  expect(stored).toContain('SQLite format 3')
  for (const personal of ['Louise Nielsen', 'Freja Nielsen', token]) expect(stored).not.toContain(personal)
})
