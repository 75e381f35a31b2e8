import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LivePoke } from '../../domain/sync'
import { blockAccount } from '../accounts'
import { startServer, type RunningServer } from '../app'
import type { Db } from '../db'
import { api, connectLive as connect, enrolTill, openTestDb, seedFixture, testClock, type Fixture, type Till } from '../testing'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('the live channel pokes tills when something they hold changes', () => {
  let db: Db
  let server: RunningServer
  let f: Fixture
  let till: Till
  const clock = testClock()

  beforeAll(async () => {
    db = await openTestDb()
    server = await startServer({ db, clock })
    f = await seedFixture(db, clock)
    till = await enrolTill(server, f.locationId)
  })
  afterAll(async () => {
    await server.close()
    await db.close()
  })

  it('pokes the tills of the municipality after a parent blocks a card, and not the neighbours', async () => {
    const neighbour = await seedFixture(db, clock)
    const live = await connect(server, till.token)
    const elsewhere = await connect(server, (await enrolTill(server, neighbour.locationId)).token)
    try {
      const poke = live.next()
      const result = await blockAccount(server.ctx, f.alice.accountId, 'guardian:test')
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
    const live = await connect(server, till.token)
    try {
      const poke = live.next()
      const r = await api(server, 'POST', `/admin/accounts/${f.bob.accountId}/block`, { token: server.adminToken })
      expect(r).toMatchObject({ status: 200, body: { status: 'blocked' } })
      expect(await poke).toMatchObject({ type: 'poke' })
    } finally {
      live.close()
    }
  })

  it('coalesces a burst of commits into one poke', async () => {
    const live = await connect(server, till.token)
    try {
      for (let i = 0; i < 10; i++) server.ctx.feed.committed([f.municipalityId])
      await live.next()
      await sleep(200)
      expect(live.messages).toHaveLength(1)
    } finally {
      live.close()
    }
  })

  it('refuses a connection without a valid device token', async () => {
    await expect(connect(server, 'not-a-token')).rejects.toThrow(/401/)
  })
})
