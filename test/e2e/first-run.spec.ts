/**
 * First run, end to end: a host shell on an empty data folder with no server and no code (a
 * fresh install) shows the first-run screen; each mistake typed there gets its own message
 * (a bad address, a server that does not answer, a self-signed certificate, a web server that is
 * not Kantine, an unknown code, a used code, a code of the other kind); a good code enrols the
 * till against the demo server, the sign-in screen appears, and a cashier signs in. An expired
 * code needs the server's clock moved: electron/core/handlers/enrolment.test.ts covers it.
 */
import type { Page } from '@playwright/test'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer as createHttpServer, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { expect, kioskTest as test, launchHost, rpc, serverApi, stopHost, withHostCookie } from './fixtures'

const TLS = resolve(import.meta.dirname, '../fixtures/tls')
const SHOTS = 'test-results/first-run'

function listen(server: Server): Promise<string> {
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(String((server.address() as AddressInfo).port))))
}

async function closedPort(): Promise<string> {
  const probe = createHttpServer()
  const port = await listen(probe)
  await new Promise((r) => probe.close(r))
  return port
}

async function tryEnrol(page: Page, serverUrl: string, code: string, kind: 'Kasse' | 'Forældrekiosk' = 'Kasse'): Promise<void> {
  await page.getByLabel('Serverens adresse').fill(serverUrl)
  await page.getByLabel('Tilmeldingskode').fill(code)
  await page.getByRole('button', { name: new RegExp(`^${kind}`) }).click()
  await page.getByRole('button', { name: 'Tilmeld', exact: true }).click()
}

async function expectRefusal(page: Page, headline: string, action: string | RegExp): Promise<void> {
  const error = page.locator('#first-run-error')
  await expect(error).toContainText(headline, { timeout: 15_000 })
  await expect(error).toContainText(action)
  await expect(page.getByRole('heading', { name: 'Tilmeld denne pc' })).toBeVisible()
}

test('a fresh till enrols at its first-run screen: each mistake is told apart, then a good code leads to sign-in', async ({ page, kiosk, axe }) => {
  test.setTimeout(180_000)
  mkdirSync(SHOTS, { recursive: true })
  const dataDir = mkdtempSync(join(tmpdir(), 'kantine-e2e-first-run-'))
  const tls = createHttpsServer({ key: readFileSync(join(TLS, 'self-signed.key')), cert: readFileSync(join(TLS, 'self-signed.crt')) }, (_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}'),
  )
  const web = createHttpServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<!doctype html><h1>Not Found</h1>'))
  const [tlsPort, webPort, closed] = [await listen(tls), await listen(web), await closedPort()]
  // A fresh install: no --server-url, no --enrol-code, an empty data folder.
  const host = await launchHost(['--data-dir', dataDir], 'till')
  try {
    await withHostCookie(page.context(), host)
    await page.goto(host.url)
    await expect(page.getByRole('heading', { name: 'Tilmeld denne pc' })).toBeVisible()
    await expect(page).toHaveURL(/#\/first-run$/)
    await expect(page.getByLabel('Serverens adresse')).toHaveValue('https://')
    await expect(page.getByRole('button', { name: /Kasse/ })).toHaveAttribute('aria-pressed', 'true')
    await page.screenshot({ path: `${SHOTS}/empty-1280x800.png` })
    await axe(page)
    // Another screen's address leads back here while the till is not enrolled.
    await page.goto(`${host.url}#/signin`)
    await expect(page).toHaveURL(/#\/first-run$/)

    await tryEnrol(page, 'kantine.kommune.dk', 'ABCDE-FGHJK')
    await expectRefusal(page, 'Adressen er ikke gyldig', 'https://')
    await expect(page.getByLabel('Serverens adresse')).toHaveAttribute('aria-invalid', 'true')

    await tryEnrol(page, `http://127.0.0.1:${closed}`, 'ABCDE-FGHJK')
    await expectRefusal(page, 'Serveren svarer ikke', 'Tjek adressen')

    await tryEnrol(page, `https://localhost:${tlsPort}`, 'ABCDE-FGHJK')
    await expectRefusal(page, 'Serverens certifikat kunne ikke godkendes', 'selvsigneret eller udløbet')
    await expectRefusal(page, 'Serverens certifikat kunne ikke godkendes', 'Kontakt kommunens IT')
    await page.screenshot({ path: `${SHOTS}/certificate-1280x800.png` })
    await axe(page)

    await tryEnrol(page, `http://127.0.0.1:${webPort}`, 'ABCDE-FGHJK')
    await expectRefusal(page, 'Adressen er ikke en Kantine-server', 'kommunens IT')

    await tryEnrol(page, kiosk.serverUrl, 'ABCDE-FGHJK')
    await expectRefusal(page, 'Koden findes ikke', 'skrevet rigtigt')
    await expect(page.getByLabel('Tilmeldingskode')).toHaveAttribute('aria-invalid', 'true')

    const newCode = async (kind: 'till' | 'kiosk' = 'till') => {
      const r = await serverApi(kiosk.serverUrl, 'POST', '/admin/enrolment-codes', { token: kiosk.adminToken, body: { locationId: kiosk.locationId, kind } })
      expect(r.status).toBe(200)
      return r.body.code as string
    }
    // A code another PC used first.
    const used = await newCode()
    expect((await serverApi(kiosk.serverUrl, 'POST', '/enrol', { body: { code: used, name: 'Kasse 9' } })).status).toBe(200)
    await tryEnrol(page, kiosk.serverUrl, used)
    await expectRefusal(page, 'Koden er allerede brugt', 'Bed om en ny kode i administrationen.')

    // A till's code with "Forældrekiosk" chosen: refused, and the code is not spent.
    const good = await newCode()
    await tryEnrol(page, kiosk.serverUrl, good, 'Forældrekiosk')
    await expectRefusal(page, 'Koden passer ikke til valget', 'vælg den anden')
    await page.setViewportSize({ width: 1920, height: 1080 })
    await page.screenshot({ path: `${SHOTS}/kind-mismatch-1920x1080.png` })
    await page.setViewportSize({ width: 1280, height: 800 })

    // The same code, lower case and without its dash, as a till: enrolled, and sign-in shows.
    await tryEnrol(page, `${kiosk.serverUrl}/`, good.replace('-', '').toLowerCase(), 'Kasse')
    await expect(page.getByRole('heading', { name: 'Log ind' })).toBeVisible({ timeout: 15_000 })
    await expect(page).toHaveURL(/#\/signin$/)
    expect(await rpc(host, 'enrolment.status')).toMatchObject({ enrolled: true, firstRun: false, serverUrl: kiosk.serverUrl })
    // The first pull brings the staff; then Mette signs in.
    await expect.poll(async () => ((await rpc(host, 'sync.status')) as { lastSyncAt: string | null }).lastSyncAt, { timeout: 30_000 }).not.toBeNull()
    for (const digit of '1234') await page.getByRole('button', { name: digit, exact: true }).click()
    await page.getByRole('button', { name: 'OK', exact: true }).click()
    await expect(page).toHaveURL(/#\/cashier$/, { timeout: 15_000 })
    await expect(page.getByText('Mette Hansen')).toBeVisible()
    // The first-run screen is gone for good.
    await page.goto(`${host.url}#/first-run`)
    await expect(page).not.toHaveURL(/first-run/)
  } finally {
    await stopHost(host.child)
    tls.close()
    web.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
})

test('the first-run screen fits a 1920x1080 counter screen, and speaks English when asked', async ({ page }) => {
  mkdirSync(SHOTS, { recursive: true })
  const dataDir = mkdtempSync(join(tmpdir(), 'kantine-e2e-first-run-'))
  const host = await launchHost(['--data-dir', dataDir, '--server-url', 'https://kantine.kommune.dk'], 'till')
  try {
    await withHostCookie(page.context(), host)
    await page.setViewportSize({ width: 1920, height: 1080 })
    await page.goto(host.url)
    // --server-url without a code: the first-run screen, the address prefilled.
    await expect(page.getByRole('heading', { name: 'Tilmeld denne pc' })).toBeVisible()
    await expect(page.getByLabel('Serverens adresse')).toHaveValue('https://kantine.kommune.dk')
    await expect(page.getByLabel('Tilmeldingskode')).toBeFocused()
    await page.screenshot({ path: `${SHOTS}/prefilled-1920x1080.png` })
    await page.evaluate("localStorage.setItem('kantine.locale', 'en')")
    await page.reload()
    await expect(page.getByRole('heading', { name: 'Enrol this PC' })).toBeVisible()
    await page.getByLabel('Enrolment code').fill('ABCDE-FGHJK')
    await page.getByLabel('Server address').fill('kantine')
    await page.getByRole('button', { name: 'Enrol', exact: true }).click()
    await expect(page.locator('#first-run-error')).toContainText('The address is not valid')
    await page.screenshot({ path: `${SHOTS}/english-1920x1080.png` })
  } finally {
    await page.evaluate("localStorage.removeItem('kantine.locale')").catch(() => {})
    await stopHost(host.child)
    rmSync(dataDir, { recursive: true, force: true })
  }
})

test('a fresh PC enrolled as "Forældrekiosk" becomes the parent kiosk at once: its start screen, and no staff sign-in', async ({ page, kiosk, axe }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kantine-e2e-first-run-kiosk-'))
  const host = await launchHost(['--data-dir', dataDir], 'till')
  try {
    await withHostCookie(page.context(), host)
    await page.goto(host.url)
    await expect(page.getByRole('heading', { name: 'Tilmeld denne pc' })).toBeVisible()
    const code = await serverApi(kiosk.serverUrl, 'POST', '/admin/enrolment-codes', { token: kiosk.adminToken, body: { locationId: kiosk.locationId, kind: 'kiosk' } })
    expect(code.status).toBe(200)
    await tryEnrol(page, kiosk.serverUrl, code.body.code as string, 'Forældrekiosk')
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Velkommen til kantinekortet', { timeout: 15_000 })
    await expect(page).toHaveURL(/#\/kiosk$/)
    await axe(page)
    // The core is a kiosk now: the counter's methods are refused, and the staff screens are out of reach.
    await expect(rpc(host, 'staff.signIn', { pin: '1234' })).rejects.toThrow(/forbidden/)
    await page.goto(`${host.url}#/signin`)
    await expect(page).toHaveURL(/#\/kiosk$/)
  } finally {
    await stopHost(host.child)
    rmSync(dataDir, { recursive: true, force: true })
  }
})
