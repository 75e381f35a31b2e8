import { describe, expect, it } from 'vitest'
import { PROTOCOL_VERSION, SCHEMA_VERSION, type Change } from '../../domain/sync'
import { setAccountStatus } from '../money/accounts'
import { serverSuite } from '../../test/support/server-suite'
import { api, enrolTill, pullAll, snapshotOf, type Fixture, type Till } from '../../test/support/server'
import { pruneChanges } from './retention'

const DAY = 24 * 60 * 60 * 1000

describe('the change log is pruned after its retention period', () => {
  // Pruned by the test, not by the server's own timer.
  const s = serverSuite({ changeRetentionMs: null })
  const { clock } = s

  async function canteen(): Promise<{ f: Fixture; current: Till; away: Till }> {
    const { f, till: current } = await s.canteen('Kasse 1')
    return { f, current, away: await enrolTill(s.server, f.locationId, 'Kasse 2') }
  }
  const pullStatus = async (till: Till, cursor: string) =>
    api(s.server, 'GET', `/sync/pull?cursor=${encodeURIComponent(cursor)}&protocol=${PROTOCOL_VERSION}&schema=${SCHEMA_VERSION}`, { token: till.token })
  const rowsOf = async (municipalityId: string) =>
    (await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM changes WHERE municipality_id = $1', [municipalityId])).rows[0]!.n

  it('deletes old rows; a till behind them is told to start again from a snapshot, a current one pulls on', async () => {
    const { f, current, away } = await canteen()
    const awayCursor = (await pullAll(s.server, away)).cursor
    clock.advance(31 * DAY)
    await setAccountStatus(s.server.ctx, f.alice.accountId, 'blocked', 'guardian:test')
    const first = await pullAll(s.server, current)
    const before = await rowsOf(f.municipalityId)

    const pruned = await pruneChanges(s.server.ctx, 30 * DAY)
    expect(pruned.find((p) => p.municipalityId === f.municipalityId)?.deleted).toBe(before - 1) // all but the block
    expect(await rowsOf(f.municipalityId)).toBe(1)
    expect(await pruneChanges(s.server.ctx, 30 * DAY)).toEqual([]) // nothing more to do

    expect((await pullStatus(current, first.cursor)).status).toBe(200)
    expect(await pullStatus(away, awayCursor)).toMatchObject({ status: 410, body: { error: 'resync-required' } })
    expect(await pullStatus(away, '0:0')).toMatchObject({ status: 410 })

    // The snapshot holds what the current till holds after replaying everything.
    const held = (changes: readonly Change[]) => new Map(changes.map((c) => [`${c.entity}:${c.id}`, 'data' in c ? c.data : null]))
    const snap = await snapshotOf(s.server, away)
    expect(snap.accounts.status[snap.accounts.id.indexOf(f.alice.accountId)]).toBe('blocked')
    expect((await pullStatus(away, snap.cursor)).status).toBe(200)
    expect(held(first.changes).get(`account:${f.alice.accountId}`)).toMatchObject({ status: 'blocked' })
  })

  it('keeps the newest transaction of a municipality that was quiet for longer, so a current till stays current', async () => {
    const { f, current } = await canteen()
    const end = (await pullAll(s.server, current)).cursor
    clock.advance(40 * DAY)
    await pruneChanges(s.server.ctx, 30 * DAY)
    expect(await rowsOf(f.municipalityId)).toBeGreaterThan(0)
    expect((await pullStatus(current, end)).status).toBe(200)
  })
})
