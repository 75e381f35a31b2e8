/**
 * The parent kiosk as its own terminal: the host runs the core as a kiosk (`--terminal kiosk`),
 * and its page opens at the kiosk's start screen, never at the staff's PIN sign-in. The start
 * screen's code comes from the server through the core's relay, so it shows the relay works.
 */
import { DEMO_PIN_SIGN_IN, kioskTest as test, expect, rpc, serverApi } from './fixtures'

test('the kiosk opens at its start screen without a staff sign-in, with a code from the server', async ({ page, kiosk }) => {
  await page.goto(kiosk.url)
  await expect(page).toHaveURL(/#\/kiosk$/)
  await expect(page.getByTestId('user-code')).toHaveText(/^\s*[B-Z]{4}-[B-Z]{4}\s*$/)
  await expect(page.getByText('Indtast din PIN-kode')).toHaveCount(0)
  // The counter is shut at a kiosk, whatever its page asks.
  await expect(rpc(kiosk, 'staff.current')).rejects.toThrow(/forbidden/)
  await expect(rpc(kiosk, 'staff.signIn', { pin: '1234' })).rejects.toThrow(/forbidden/)
})

test('a parent’s block at the kiosk reaches a till on the same server', async ({ kiosk, startTill }) => {
  const till = await startTill()
  // The demo's PIN sign-in (the guardian of DEMO0001), through the kiosk core's relay.
  const signedIn = (await rpc(kiosk, 'guardian.request', {
    method: 'POST',
    path: '/guardian/pin-session',
    body: { cardNumber: DEMO_PIN_SIGN_IN.cardNumber, pin: DEMO_PIN_SIGN_IN.pin },
  })) as { status: number; body: { access_token: string; guardian: { name: string } } }
  expect(signedIn).toMatchObject({ status: 200, body: { guardian: { name: DEMO_PIN_SIGN_IN.guardianName } } })
  const session = signedIn.body.access_token
  const accounts = (await rpc(kiosk, 'guardian.request', { method: 'GET', path: '/guardian/accounts', session })) as { body: { accounts: { id: string }[] } }
  const accountId = accounts.body.accounts[0]!.id
  try {
    expect(await rpc(kiosk, 'guardian.request', { method: 'POST', path: `/guardian/accounts/${accountId}/block`, session })).toMatchObject({ status: 200, body: { status: 'blocked' } })
    // The server says so to the back office ...
    expect((await serverApi(kiosk.serverUrl, 'GET', `/admin/accounts/${accountId}`, { token: kiosk.adminToken })).body).toMatchObject({ status: 'blocked' })
    // ... and the till shows the card blocked once it has pulled.
    await rpc(till, 'staff.signIn', { pin: '1234' })
    await expect
      .poll(async () => {
        await rpc(till, 'sync.now')
        return ((await rpc(till, 'card.lookup', { cardNumber: DEMO_PIN_SIGN_IN.cardNumber })) as { card?: { status: string } }).card?.status
      })
      .toBe('blocked')
  } finally {
    // The worker's other tests meet the demo as it was.
    await rpc(kiosk, 'guardian.request', { method: 'POST', path: `/guardian/accounts/${accountId}/unblock`, session })
  }
})
