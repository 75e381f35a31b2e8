import { describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import { AccountData, MAX_PULL_PAGE, PROTOCOL_VERSION, PhotoData, PhotoResponse, PullResponse, SCHEMA_VERSION, type Change } from '../../domain/sync'
import { setAccountStatus } from '../money/accounts'
import { pull } from './pull'
import type { Db } from '../db'
import { serverSuite } from '../../test/support/server-suite'
import { BOB_PHOTO, api, connectLive, enrolTill, pullAll, pullBarrier, pullPage, pushAs, sale, seedFixture } from '../../test/support/server'

const key = (c: Change) => `${c.entity}:${c.id}`
const BOB_PHOTO_ID = createHash('sha256').update(BOB_PHOTO).digest('hex')

describe('a till pulls the changes of its municipality', () => {
  const s = serverSuite()
  const { clock } = s
  const canteen = () => s.canteen()

  it('gets everything it holds once from cursor 0:0, in pages or in one, and nothing of another municipality', async () => {
    const { f, till } = await canteen()
    await seedFixture(s.db, clock) // a neighbour municipality, written after ours
    const expected = [
      ...f.data.locations.map((l) => `location:${l.id}`),
      ...f.data.categories.map((c) => `category:${c.id}`),
      ...f.data.products.map((p) => `product:${p.id}`),
      ...f.data.staff.map((s) => `staff:${s.id}`),
      ...f.data.holders.map((h) => `account:${h.accountId}`),
      ...f.data.holders.flatMap((h) => h.cards.map((c) => `card:${c.number}`)),
    ].sort()

    const whole = await pullAll(s.server, till)
    expect(whole.pages).toHaveLength(1)
    expect(whole.changes.map(key).sort()).toEqual(expected)
    for (const page of whole.pages) PullResponse.parse(page)

    const paged = await pullAll(s.server, till, '0:0', 2)
    expect(paged.pages.length).toBe(Math.ceil(expected.length / 2))
    expect(paged.pages.slice(0, -1).every((p) => p.hasMore && p.changes.length === 2)).toBe(true)
    expect(paged.pages.at(-1)!.hasMore).toBe(false)
    expect(paged.changes.map(key)).toEqual(whole.changes.map(key))
    expect(paged.cursor).toBe(whole.cursor)

    // Nothing new: the same cursor comes back with an empty page.
    const after = await pullPage(s.server, till, whole.cursor)
    expect(after).toMatchObject({ changes: [], cursor: whole.cursor, hasMore: false, ackSeq: null })
  })

  it('pages in numeric transaction order when transaction ids gain a digit (999 → 1000)', async () => {
    const { f, till } = await canteen()
    const start = (await pullAll(s.server, till)).cursor
    // Enough small transactions to carry a fresh database's txids across a power of ten.
    for (let i = 0; i < 300; i++) await setAccountStatus(s.server.ctx, f.alice.accountId, i % 2 === 0 ? 'blocked' : 'active', 'test')
    const paged = await pullAll(s.server, till, start, 7)
    expect(paged.changes.filter((c) => c.entity === 'account' && c.id === f.alice.accountId)).toHaveLength(300)
    const txids = paged.pages.map((p) => BigInt(p.cursor.split(':')[0]!))
    for (let i = 1; i < txids.length; i++) expect(txids[i]! >= txids[i - 1]!).toBe(true)
  })

  it('sends the account as the till stores it: holder, photo id, balance and the spend of the current periods', async () => {
    const { f, till } = await canteen()
    const start = (await pullAll(s.server, till)).cursor
    await pushAs(s.server, till, [sale(f, 1, { card: f.bob.card, accountId: f.bob.accountId })])
    const { changes } = await pullAll(s.server, till, start)
    expect(changes).toHaveLength(1)
    const change = changes[0]!
    expect(change).toMatchObject({ entity: 'account', id: f.bob.accountId })
    expect('data' in change && AccountData.parse(change.data)).toEqual({
      holderName: 'Bob Bertelsen',
      photoId: BOB_PHOTO_ID,
      status: 'active',
      balance: 500,
      limits: { day: 3000, week: null, month: null },
      spent: { day: { key: '2026-11-24', amount: 1500 }, week: { key: '2026-W48', amount: 1500 }, month: { key: '2026-11', amount: 1500 } },
      deniedCategoryIds: [f.data.categories[1]!.id],
      allowedLocationIds: [f.locationId],
      note: null,
      allergens: [],
    })
  })

  it('serves a photo by its id to the tills of its municipality only', async () => {
    const { till } = await canteen()
    const neighbour = await seedFixture(s.db, clock)
    const stranger = await enrolTill(s.server, neighbour.locationId)
    const versions = `protocol=${PROTOCOL_VERSION}&schema=${SCHEMA_VERSION}`
    const photo = await api(s.server, 'GET', `/sync/photos/${BOB_PHOTO_ID}?${versions}`, { token: till.token })
    expect(PhotoResponse.parse(photo.body)).toEqual({ id: BOB_PHOTO_ID, data: BOB_PHOTO })
    // The neighbour's Bob has the same picture, so the same id: found in its own municipality.
    expect((await api(s.server, 'GET', `/sync/photos/${BOB_PHOTO_ID}?${versions}`, { token: stranger.token })).status).toBe(200)
    await s.db.query(`UPDATE holders SET photo = NULL WHERE municipality_id = $1`, [neighbour.municipalityId])
    expect(await api(s.server, 'GET', `/sync/photos/${BOB_PHOTO_ID}?${versions}`, { token: stranger.token })).toMatchObject({ status: 404 })
    expect(await api(s.server, 'GET', `/sync/photos/not-a-hash?${versions}`, { token: till.token })).toMatchObject({ status: 400 })
    expect((await api(s.server, 'GET', `/sync/photos/${BOB_PHOTO_ID}?${versions}`)).status).toBe(401)
  })

  it('still serves a till of the previous schema: its accounts carry the photo itself', async () => {
    const { f, till } = await canteen()
    const AccountDataV1 = AccountData.omit({ photoId: true }).extend({ photo: PhotoData.nullable() })
    const r = await api(s.server, 'GET', `/sync/pull?cursor=0:0&protocol=${PROTOCOL_VERSION}&schema=${SCHEMA_VERSION - 1}`, { token: till.token })
    expect(r.status).toBe(200)
    const v1 = (r.body as { changes: { entity: string; id: string; data?: unknown }[] }).changes.filter((c) => c.entity === 'account')
    const photoOf = (id: string) => AccountDataV1.strict().parse(v1.find((c) => c.id === id)!.data).photo
    expect(photoOf(f.bob.accountId)).toBe(BOB_PHOTO)
    expect(photoOf(f.alice.accountId)).toBeNull()
    // A snapshot is for tills of the current schema.
    expect(await api(s.server, 'GET', `/sync/snapshot?protocol=${PROTOCOL_VERSION}&schema=${SCHEMA_VERSION - 1}`, { token: till.token })).toMatchObject({ status: 426 })
  })

  it('acknowledges its own seqs only, and only in the page that carries their effects', async () => {
    const { f, till } = await canteen()
    const other = await enrolTill(s.server, f.locationId, 'Kasse 2')
    const start = (await pullAll(s.server, till)).cursor
    await pushAs(s.server, till, [sale(f, 1)])
    await pushAs(s.server, other, [sale(f, 1, { card: f.bob.card, accountId: f.bob.accountId })])
    await pushAs(s.server, till, [sale(f, 2)])

    const mine = await pullAll(s.server, till, start, 1)
    expect(mine.pages.map((p) => p.ackSeq)).toEqual([1, null, 2])
    expect(mine.pages.map((p) => p.changes[0]?.id)).toEqual([f.alice.accountId, f.bob.accountId, f.alice.accountId])
    const theirs = await pullAll(s.server, other, start, 1)
    expect(theirs.pages.map((p) => p.ackSeq)).toEqual([null, 1, null])
    const oneGo = await pullAll(s.server, till, start)
    expect(oneGo.pages.map((p) => p.ackSeq)).toEqual([2])
  })

  it('never ends a page inside a push batch, so a page acknowledges only sales whose accounts it carries', async () => {
    const { f, till } = await canteen()
    const start = (await pullAll(s.server, till)).cursor
    // One push, two accounts: one change row each, Bob's acknowledging seq 2, Alice's seq 3.
    const bob = { card: f.bob.card, accountId: f.bob.accountId }
    await pushAs(s.server, till, [sale(f, 1), sale(f, 2, bob), sale(f, 3)])
    await pushAs(s.server, till, [sale(f, 4, bob)])

    const paged = await pullAll(s.server, till, start, 1)
    expect(paged.pages.map((p) => p.changes.map((c) => c.id))).toEqual([[f.bob.accountId, f.alice.accountId], [f.bob.accountId]])
    expect(paged.pages.map((p) => [p.ackSeq, p.hasMore])).toEqual([
      [3, true],
      [4, false],
    ])
    expect(paged.pages[0]!.changes.map((c) => ('data' in c ? (c.data as AccountData).balance : null))).toEqual([500, 7000])
  })

  it('writes each stored payload into the page as it is: deletions and awkward text come out as the till reads them', async () => {
    const { f, till } = await canteen()
    const start = (await pullAll(s.server, till)).cursor
    const name = 'Kantinen "Æblet" \\ tab\t line\u2028 😀 </script>'
    await s.db.query(
      `INSERT INTO changes (municipality_id, entity, entity_id, payload) VALUES ($1, 'location', $2, $3::jsonb), ($1, 'card', $4, NULL)`,
      [f.municipalityId, 'loc-"odd"\\id', JSON.stringify({ name }), '1234567890'],
    )
    await pullBarrier(s.db)
    const res = await fetch(`${s.server.url}/sync/pull?cursor=${start}&protocol=${PROTOCOL_VERSION}&schema=${SCHEMA_VERSION}`, {
      headers: { authorization: `Bearer ${till.token}` },
    })
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    const page = PullResponse.parse(await res.json())
    expect(page.changes).toEqual([
      { entity: 'location', id: 'loc-"odd"\\id', data: { name } },
      { entity: 'card', id: '1234567890', deleted: true },
    ])
    expect(page).toMatchObject({ hasMore: false, ackSeq: null })
  })

  it('cuts a page short at its byte budget (photos), never below one row, and loses nothing across the pages', async () => {
    const { till } = await canteen()
    const terminal = { id: till.terminalId, municipalityId: till.municipalityId, locationId: till.locationId, name: 'Kasse 1', kind: 'till' as const }
    const pageOf = async (cursor: string, maxBytes: number) => PullResponse.parse(JSON.parse(await pull(s.server.ctx, terminal, { cursor, limit: 1000, maxBytes })))
    const whole = await pageOf('0:0', 1 << 30)
    expect(whole.hasMore).toBe(false)
    const pages: PullResponse[] = []
    for (let cursor = '0:0'; ; ) {
      const page = await pageOf(cursor, 1)
      pages.push(page)
      cursor = page.cursor
      if (!page.hasMore) break
    }
    expect(pages.every((p) => p.changes.length === 1)).toBe(true)
    expect(pages.flatMap((p) => p.changes)).toEqual(whole.changes)
  })

  it('refuses a malformed cursor or limit with 400, and an outdated protocol with 426', async () => {
    const { till } = await canteen()
    for (const q of ['cursor=banana', 'cursor=1:2:3', `limit=${MAX_PULL_PAGE + 1}`, 'limit=0', 'limit=abc']) {
      const r = await api(s.server, 'GET', `/sync/pull?${q}&protocol=${PROTOCOL_VERSION}&schema=${SCHEMA_VERSION}`, { token: till.token })
      expect(r, q).toMatchObject({ status: 400, body: { error: 'bad-request' } })
    }
    const old = await api(s.server, 'GET', `/sync/pull?cursor=0:0&protocol=${PROTOCOL_VERSION - 2}&schema=${SCHEMA_VERSION}`, { token: till.token })
    expect(old).toMatchObject({ status: 426, body: { error: 'protocol-unsupported' } })
    // A pull that does not say which protocol it speaks is refused, not guessed.
    const unstated = await api(s.server, 'GET', '/sync/pull?cursor=0:0', { token: till.token })
    expect(unstated).toMatchObject({ status: 426, body: { error: 'protocol-unsupported' } })
    const unauthenticated = await api(s.server, 'GET', '/sync/pull?cursor=0:0')
    expect(unauthenticated.status).toBe(401)
  })

  // PGlite is one connection: two transactions cannot be open at once, so this needs PostgreSQL.
  it.skipIf(!process.env.KANTINE_TEST_DATABASE_URL)(
    'never skips a change that commits late: a row behind an open transaction waits for it',
    async () => {
      const { f, till } = await canteen()
      const start = (await pullAll(s.server, till)).cursor
      const insert = (tx: { query: Db['query'] }, id: string) =>
        tx.query(`INSERT INTO changes (municipality_id, entity, entity_id, payload) VALUES ($1, 'location', $2, '{"name":"x"}')`, [f.municipalityId, id])

      let releaseA!: () => void
      const aMayCommit = new Promise<void>((resolve) => (releaseA = resolve))
      let aInserted!: () => void
      const aHasInserted = new Promise<void>((resolve) => (aInserted = resolve))
      // A: writes first (lower xid), then stays open.
      const a = s.db.transaction(async (tx) => {
        await insert(tx, 'late-A')
        aInserted()
        await aMayCommit
      })
      await aHasInserted
      // B: writes after A, commits at once.
      await s.db.transaction((tx) => insert(tx, 'early-B'))

      const live = await connectLive(s.server, till.token)
      try {
        const repoke = live.next(5000)
        const whileAOpen = await pullAll(s.server, till, start, undefined, { barrier: false })
        expect(whileAOpen.changes).toEqual([])
        expect(whileAOpen.cursor).toBe(start)
        // B is committed but held back: the till is poked again, to come back for it.
        expect(await repoke).toMatchObject({ type: 'poke' })

        releaseA()
        await a
        const afterA = await pullAll(s.server, till, whileAOpen.cursor)
        expect(afterA.changes.map((c) => c.id)).toEqual(['late-A', 'early-B'])
      } finally {
        live.close()
      }
    },
  )
})
