import { describe, expect, it } from 'vitest'
import { api, pollKiosk, signInGuardian, startKioskSignIn } from '../../test/support/server'
import { serverSuite } from '../../test/support/server-suite'

const s = serverSuite({ guardian: { identity: 'simulated', rateLimits: { link: 3, device: 4, verify: 100, token: 100 } } })

describe('someone hammering the guardian API from one address is slowed down', () => {
  it('limits "Tilføj konto" attempts: guessing CPR and card pairs stops at the limit', async () => {
    const { f } = await s.canteen()
    await s.db.query(`INSERT INTO guardians (id, municipality_id, name, email) VALUES ($1, $2, 'Bent Bertelsen', 'bent@example.dk')`, [
      f.data.guardians[0]!.id.replace('g-', 'g2-'),
      f.municipalityId,
    ])
    const token = await signInGuardian(s.server, f.data.guardians[0]!.id)
    const guesses = await Promise.all(
      ['0101101111', '0101101112', '0101101113', '0101101114'].map((cpr) => api(s.server, 'POST', '/guardian/accounts', { token, body: { cpr, cardNumber: f.bob.card } })),
    )
    expect(guesses.map((g) => g.status).sort()).toEqual([404, 404, 404, 429])
    expect(guesses.find((g) => g.status === 429)?.body.error).toBe('rate-limited')
    // Another parent at a kiosk of the same school (same address) still gets in.
    const other = await signInGuardian(s.server, f.data.guardians[0]!.id.replace('g-', 'g2-'))
    expect((await api(s.server, 'POST', '/guardian/accounts', { token: other, body: { cpr: '0202102345', cardNumber: f.bob.card } })).status).toBe(200)
  })

  it('limits starting sign-ins', async () => {
    // Two sign-ins above already started grants: 2 more reach the limit of 4.
    for (let i = 0; i < 2; i++) await startKioskSignIn(s.server)
    expect(await api(s.server, 'POST', '/guardian/device', { body: {} })).toMatchObject({ status: 429, body: { error: 'rate-limited' } })
    expect((await pollKiosk(s.server, 'whatever')).body.error).toBe('invalid_grant')
  })
})
