import { approveOnPhone, expect, kioskTest as test, rpc, serverApi, withHostCookie } from './fixtures'

/** A guardian session on the demo server, signed in through the simulated MitID (as at the kiosk). */
async function guardianToken(serverUrl: string, kiosk: Parameters<typeof approveOnPhone>[0]): Promise<string> {
  const grant = await serverApi(serverUrl, 'POST', '/guardian/device', { body: {} })
  expect(grant.status).toBe(200)
  await approveOnPhone(kiosk, grant.body.user_code as string)
  const token = await serverApi(serverUrl, 'POST', '/guardian/token', {
    body: { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: grant.body.device_code },
  })
  expect(token.status).toBe(200)
  return token.body.access_token as string
}

test('a parent’s note reaches the till and stands out on the card panel when the card is scanned', async ({ page, context, kiosk, startTill, axe }) => {
  const till = await startTill()
  const token = await guardianToken(kiosk.serverUrl, kiosk)
  const accounts = await serverApi(kiosk.serverUrl, 'GET', '/guardian/accounts', { token })
  const freja = (accounts.body.accounts as { id: string; cards: { number: string }[] }[]).find((a) => a.cards.some((c) => c.number === 'DEMO0001'))!
  const note = 'Ingen nødder – allergi!'
  expect((await serverApi(kiosk.serverUrl, 'PUT', `/guardian/accounts/${freja.id}/note`, { token, body: { note } })).status).toBe(200)
  await rpc(till, 'sync.now')

  await withHostCookie(context, till)
  await page.goto(till.url)
  for (const digit of '1234') await page.getByRole('button', { name: digit, exact: true }).click()
  await page.getByRole('button', { name: /^(OK|Log ind)$/i }).click()
  await page.getByRole('textbox', { name: 'Kortnummer', exact: true }).fill('demo0001')
  await page.getByRole('textbox', { name: 'Kortnummer', exact: true }).press('Enter')

  const shown = page.getByRole('note', { name: 'Besked fra forælder' })
  await expect(shown).toContainText(note)
  // Readable from a metre: type of 24 px or more.
  await expect(shown.locator('.card-note-text')).toHaveCSS('font-size', /^(2[4-9]|[3-9]\d)(\.\d+)?px$/)
  await axe(page)
  await page.locator('.card-panel').screenshot({ path: test.info().outputPath('card-panel.png') })

  // Cleared by the parent: gone from the till after its next pull.
  expect((await serverApi(kiosk.serverUrl, 'PUT', `/guardian/accounts/${freja.id}/note`, { token, body: { note: null } })).status).toBe(200)
  await rpc(till, 'sync.now')
  await page.getByRole('textbox', { name: 'Kortnummer', exact: true }).fill('demo0001')
  await page.getByRole('textbox', { name: 'Kortnummer', exact: true }).press('Enter')
  await expect(page.getByText('Freja Nielsen')).toBeVisible()
  await expect(page.getByRole('note', { name: 'Besked fra forælder' })).toHaveCount(0)
})
