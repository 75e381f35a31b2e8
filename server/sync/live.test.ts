import { beforeAll, describe, expect, it } from 'vitest'
import type { WebSocket } from 'ws'
import { LivePoke } from '../../domain/sync'
import { blockAccount } from '../money/accounts'
import { ChangeFeed } from '../platform/feed'
import { serverSuite } from '../../test/support/server-suite'
import { api, connectLive as connect, enrolTill, fakeTimers, seedFixture, testClock, type Fixture, type Till } from '../../test/support/server'
import { LiveHub, POKE_COALESCE_MS } from './live'

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

describe('pokes are bounded per municipality', () => {
  /** A till's socket as the hub sees it, recording what it is sent. */
  function fakeSocket() {
    const sent: string[] = []
    const socket = { OPEN: 1, readyState: 1, send: (m: string) => void sent.push(m), on: () => {}, close: () => {}, ping: () => {}, terminate: () => {} }
    return { socket: socket as unknown as WebSocket, sent }
  }

  it('pokes a till at most once a second while held-back rows make every pull ask again, and still announces the last change', () => {
    const feed = new ChangeFeed()
    const timers = fakeTimers()
    const hub = new LiveHub(feed, testClock(), timers)
    const till = fakeSocket()
    const neighbour = fakeSocket()
    hub.add({ id: 't-1', municipalityId: 'm-a' }, till.socket)
    hub.add({ id: 't-2', municipalityId: 'm-b' }, neighbour.socket)
    try {
      // A long transaction elsewhere: each of many tills' pulls asks for a repoke (every 500 ms,
      // from many tills at once); here, a commit or repoke every 100 ms for 5 seconds.
      for (let t = 0; t < 50; t++) {
        feed.committed(['m-a'])
        timers.advance(100)
      }
      expect(till.sent.length).toBeGreaterThanOrEqual(4)
      expect(till.sent.length).toBeLessThanOrEqual(6)
      // The last change (at 4.9 s) is announced after it, not swallowed by the bound.
      const before = till.sent.length
      timers.advance(1000)
      expect(till.sent.length).toBe(before + 1)
      timers.advance(5000)
      expect(till.sent.length).toBe(before + 1)
      expect(neighbour.sent).toEqual([])
      // A quiet municipality is poked at once (after the short coalescing pause) when something changes.
      feed.committed(['m-b'])
      timers.advance(POKE_COALESCE_MS)
      expect(neighbour.sent).toHaveLength(1)
    } finally {
      hub.close()
    }
  })
})
