import { describe, expect, it } from 'vitest'
import { PROTOCOL_VERSION, SCHEMA_VERSION, type AccountData, type Change, type SnapshotResponse } from '../../domain/sync'
import { setAccountStatus } from '../money/accounts'
import { serverSuite } from '../../test/support/server-suite'
import { api, enrolTill, pullAll, pushAs, sale, seedFixture, snapshotOf } from '../../test/support/server'

/** The snapshot's rows as the changes a pull would send, to compare the two. */
function asChanges(s: SnapshotResponse): Change[] {
  const a = s.accounts
  const accounts = a.id.map((id, i): Change => {
    const data: AccountData = {
      holderName: a.holderName[i]!,
      photoId: a.photoId[i]!,
      status: a.status[i]!,
      balance: a.balance[i]!,
      limits: { day: a.limitDay[i]!, week: a.limitWeek[i]!, month: a.limitMonth[i]! },
      spent: {
        day: { key: s.periods.day, amount: a.spentDay[i]! },
        week: { key: s.periods.week, amount: a.spentWeek[i]! },
        month: { key: s.periods.month, amount: a.spentMonth[i]! },
      },
      deniedCategoryIds: a.deniedCategoryIds[i]!,
      allowedLocationIds: a.allowedLocationIds[i]!,
      note: a.note?.[i] ?? null,
    }
    return { entity: 'account', id, data }
  })
  const cards = s.cards.number.map((number, i): Change => ({ entity: 'card', id: number, data: { accountId: s.cards.accountId[i]!, status: s.cards.status[i]! } }))
  return [...s.changes, ...accounts, ...cards]
}

/** The newest state per entity, as a till holds it after applying `changes` in order. */
function state(changes: readonly Change[]): Map<string, unknown> {
  const held = new Map<string, unknown>()
  for (const c of changes) {
    if ('deleted' in c) held.delete(`${c.entity}:${c.id}`)
    else held.set(`${c.entity}:${c.id}`, c.data)
  }
  return held
}

describe('a new till starts from a snapshot of its municipality', () => {
  const s = serverSuite()
  const canteen = () => s.canteen()

  it('holds exactly what replaying the whole change log gives, and nothing of another municipality', async () => {
    const { f, till } = await canteen()
    await seedFixture(s.db, s.clock) // a neighbour
    const other = await enrolTill(s.server, f.locationId, 'Kasse 2')
    await pushAs(s.server, other, [sale(f, 1), sale(f, 2, { card: f.bob.card, accountId: f.bob.accountId })])
    await setAccountStatus(s.server.ctx, f.alice.accountId, 'blocked', 'guardian:test')

    const snap = await snapshotOf(s.server, till)
    expect(state(asChanges(snap))).toEqual(state((await pullAll(s.server, till)).changes))
    expect(snap.accounts.id.sort()).toEqual([f.alice.accountId, f.bob.accountId].sort())
    expect(snap.accounts.status[snap.accounts.id.indexOf(f.alice.accountId)]).toBe('blocked')
  })

  it("says which of the till's own sales its balances include", async () => {
    const { f, till } = await canteen()
    expect((await snapshotOf(s.server, till)).ackSeq).toBe(0)
    await pushAs(s.server, till, [sale(f, 1), sale(f, 2)])
    const snap = await snapshotOf(s.server, till)
    expect(snap.ackSeq).toBe(2)
    expect(snap.accounts.balance[snap.accounts.id.indexOf(f.alice.accountId)]).toBe(10000 - 2 * 1500)
  })

  it('misses nothing that changes after it: the pull from its cursor brings it', async () => {
    const { f, till } = await canteen()
    const snap = await snapshotOf(s.server, till)
    await setAccountStatus(s.server.ctx, f.bob.accountId, 'blocked', 'guardian:test')
    const after = await pullAll(s.server, till, snap.cursor)
    const held = state([...asChanges(snap), ...after.changes])
    expect(held.get(`account:${f.bob.accountId}`)).toMatchObject({ status: 'blocked' })
    expect(held).toEqual(state((await pullAll(s.server, till)).changes))
  })

  it('is refused without a device token (401) or without the protocol (426)', async () => {
    const { till } = await canteen()
    expect((await api(s.server, 'GET', `/sync/snapshot?protocol=${PROTOCOL_VERSION}&schema=${SCHEMA_VERSION}`)).status).toBe(401)
    expect(await api(s.server, 'GET', '/sync/snapshot', { token: till.token })).toMatchObject({ status: 426, body: { error: 'protocol-unsupported' } })
  })

  // PGlite is one connection: two transactions cannot be open at once, so this needs PostgreSQL.
  it.skipIf(!process.env.KANTINE_TEST_DATABASE_URL)('misses nothing that commits after it although it began before', async () => {
    const { f, till } = await canteen()
    let release!: () => void
    const mayCommit = new Promise<void>((resolve) => (release = resolve))
    let started!: () => void
    const hasWritten = new Promise<void>((resolve) => (started = resolve))
    const late = s.db.transaction(async (tx) => {
      await tx.query(`INSERT INTO changes (municipality_id, entity, entity_id, payload) VALUES ($1, 'location', 'late', '{"name":"Sen kantine"}')`, [f.municipalityId])
      started()
      await mayCommit
    })
    await hasWritten
    const snap = await snapshotOf(s.server, till)
    release()
    await late
    const after = await pullAll(s.server, till, snap.cursor)
    expect(after.changes.map((c) => c.id)).toContain('late')
  })
})
