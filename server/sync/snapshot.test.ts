import { describe, expect, it } from 'vitest'
import { PROTOCOL_VERSION, SCHEMA_VERSION, SnapshotLine, type AccountData, type Change, type SnapshotResponse } from '../../domain/sync'
import { setAccountStatus } from '../money/accounts'
import { serverSuite } from '../../test/support/server-suite'
import { api, enrolTill, pullAll, pushAs, sale, seedFixture, snapshotOf } from '../../test/support/server'
import { snapshotLines } from './snapshot'

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
      allergens: a.allergens?.[i] ?? [],
    }
    return { entity: 'account', id, data }
  })
  const cards = s.cards.number.map((number, i): Change => ({ entity: 'card', id: number, data: { accountId: s.cards.accountId[i]!, status: s.cards.status[i]! } }))
  return [...s.changes, ...accounts, ...cards]
}

/** NDJSON lines joined into the one JSON answer they stand for (rows in the server's order of keys). */
function joined(lines: SnapshotLine[]): SnapshotResponse {
  const head = lines.find((l) => 'head' in l)
  if (!head || !('head' in head)) throw new Error('no head')
  const out = { ...head.head, accounts: {} as Record<string, unknown[]>, cards: {} as Record<string, unknown[]> }
  for (const l of lines) {
    const part = 'accounts' in l ? (['accounts', l.accounts] as const) : 'cards' in l ? (['cards', l.cards] as const) : null
    if (!part) continue
    for (const [k, v] of Object.entries(part[1])) out[part[0]][k] = [...(out[part[0]][k] ?? []), ...(v as unknown[])]
  }
  return sortedByKey(out as unknown as SnapshotResponse)
}

/** Both answers' rows in one order (the JSON answer's is the database's, the lines' by key). */
function sortedByKey(s: SnapshotResponse): SnapshotResponse {
  const order = (keys: string[]) => keys.map((k, i) => [k, i] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, i]) => i)
  const pick = <T extends Record<string, unknown[] | undefined>>(cols: T, idx: number[]): T =>
    Object.fromEntries(Object.entries(cols).map(([k, v]) => [k, v && idx.map((i) => v[i])])) as T
  return { ...s, accounts: pick(s.accounts, order(s.accounts.id)), cards: pick(s.cards, order(s.cards.number)) }
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

  it('comes as lines in chunks when asked for them: the same snapshot, each line valid on its own', async () => {
    const { f, till } = await canteen()
    await pushAs(s.server, till, [sale(f, 1)])
    const res = await fetch(`${s.server.url}/sync/snapshot?protocol=${PROTOCOL_VERSION}&schema=${SCHEMA_VERSION}&format=ndjson`, {
      headers: { authorization: `Bearer ${till.token}` },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/)
    const text = await res.text()
    expect(text.endsWith('\n')).toBe(true)
    const lines = text.trimEnd().split('\n').map((l) => SnapshotLine.parse(JSON.parse(l)))
    expect(joined(lines)).toEqual(sortedByKey(await snapshotOf(s.server, till)))
    expect(lines.at(-1)).toEqual({ end: { accounts: 2, cards: 3 } })
  })

  it('pages the accounts and cards by key without losing or repeating a row', async () => {
    const { f, till } = await canteen()
    const terminal = { id: till.terminalId, municipalityId: till.municipalityId, locationId: till.locationId, name: 'Kasse 1', kind: 'till' as const }
    const lines = (await snapshotLines(s.server.ctx, terminal, 1)).map((l) => SnapshotLine.parse(JSON.parse(l)))
    // Head, one line per account and per card (chunks of one; Alice has an old card and a new one), end.
    expect(lines.map((l) => Object.keys(l)[0])).toEqual(['head', 'accounts', 'accounts', 'cards', 'cards', 'cards', 'end'])
    const snap = joined(lines)
    expect(snap).toEqual(sortedByKey(await snapshotOf(s.server, till)))
    expect([...snap.accounts.id].sort()).toEqual([f.alice.accountId, f.bob.accountId].sort())
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
