import { beforeAll, describe, expect, it } from 'vitest'
import { LivePoke } from '../../domain/sync'
import { blockAccount } from '../money/accounts'
import { serverSuite } from '../../test/support/server-suite'
import { api, connectLive as connect, enrolTill, seedFixture, type Fixture, type Till } from '../../test/support/server'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('the live channel pokes tills when something they hold changes', () => {
  const s = serverSuite()
  const { clock } = s
  let f: Fixture
  let till: Till

  beforeAll(async () => {
    const canteen = await s.canteen()
    f = canteen.f
    till = canteen.till
  })

  it('pokes the tills of the municipality after a parent blocks a card, and not the neighbours', async () => {
    const neighbour = await seedFixture(s.db, clock)
    const live = await connect(s.server, till.token)
    const elsewhere = await connect(s.server, (await enrolTill(s.server, neighbour.locationId)).token)
    try {
      const poke = live.next()
      const result = await blockAccount(s.server.ctx, f.alice.accountId, 'guardian:test')
      expect(result).toEqual({ ok: true, value: { status: 'blocked', changed: true } })
      expect(LivePoke.parse(await poke)).toEqual({ type: 'poke', at: clock.now().toISOString() })
      await sleep(200)
      expect(elsewhere.messages).toEqual([])
    } finally {
      live.close()
      elsewhere.close()
    }
  })

  it('pokes after a block through the admin endpoint too', async () => {
    const live = await connect(s.server, till.token)
    try {
      const poke = live.next()
      const r = await api(s.server, 'POST', `/admin/accounts/${f.bob.accountId}/block`, { token: s.server.adminToken })
      expect(r).toMatchObject({ status: 200, body: { status: 'blocked' } })
      expect(await poke).toMatchObject({ type: 'poke' })
    } finally {
      live.close()
    }
  })

  it('coalesces a burst of commits into one poke', async () => {
    const live = await connect(s.server, till.token)
    try {
      for (let i = 0; i < 10; i++) s.server.ctx.feed.committed([f.municipalityId])
      await live.next()
      await sleep(200)
      expect(live.messages).toHaveLength(1)
    } finally {
      live.close()
    }
  })

  it('refuses a connection without a valid device token', async () => {
    await expect(connect(s.server, 'not-a-token')).rejects.toThrow(/401/)
  })
})
