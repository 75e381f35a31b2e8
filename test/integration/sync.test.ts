/**
 * The money path end to end: real tills (SQLite files), the real server (PGlite, or PostgreSQL
 * with KANTINE_TEST_DATABASE_URL), real HTTP on loopback through fault-injecting proxies.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { blockAccount, depositByAdmin, unblockAccount } from '../../server/money/accounts'
import { revokeTerminal } from '../../server/enrolment/enrol'
import { postLedger } from '../../server/money/ledger'
import { write } from '../../server/platform/tx'
import { recordChanges } from '../../server/sync/changes'
import { pruneChanges } from '../../server/sync/retention'
import { periodKeys } from '../../domain/periods'
import { readCardAccount } from '../../electron/core/store/accounts'
import { openDb } from '../../electron/core/store/db'
import { getSetting, setSetting } from '../../electron/core/store/settings'
import { BOB_PHOTO } from '../support/server'
import { eventually, startCluster, type Cluster, type TestTill } from '../support/cluster'

let c: Cluster
beforeAll(async () => {
  c = await startCluster()
})
afterAll(async () => {
  await c?.close()
})

const balanceOnServer = async (accountId: string) => {
  const { rows } = await c.db.query<{ balance: number }>('SELECT balance FROM accounts WHERE id = $1', [accountId])
  const ledger = await c.db.query<{ sum: number }>('SELECT COALESCE(SUM(amount), 0)::bigint AS sum FROM ledger WHERE account_id = $1', [accountId])
  // The materialised balance and the ledger must agree, always.
  expect(Number(rows[0]!.balance)).toBe(Number(ledger.rows[0]!.sum))
  return Number(rows[0]!.balance)
}
const serverSales = async (saleIds: string[]) => {
  const { rows } = await c.db.query<{ id: string; n: number }>(
    'SELECT s.id, (SELECT COUNT(*) FROM ledger l WHERE l.sale_id = s.id)::int AS n FROM sales s WHERE s.id = ANY($1::uuid[])',
    [saleIds],
  )
  return rows
}
/** The back office corrects a balance to `target` (a ledger adjustment, which tills pull like any change). */
const setBalanceOnServer = async (accountId: string, target: number) => {
  const now = await balanceOnServer(accountId)
  await write(c.server.ctx, async (tx) => {
    await postLedger(tx, { accountId, kind: 'adjustment', amount: target - now, note: 'test: balance set', at: tx.now })
    await recordChanges(tx, 'account', [accountId])
  })
}
const sell = (t: TestTill, card: string, ...productIds: string[]) =>
  t.call('sale.record', { saleId: randomUUID(), cardNumber: card, lines: productIds.map((productId) => ({ productId, qty: 1 })) })
const cardBalance = async (t: TestTill, card: string) => {
  const r = await t.call('card.lookup', { cardNumber: card })
  if (!r.ok) throw new Error(r.reason)
  return r.card.balance
}
/** Cuts the till's network; one failed request does not make a till offline, so it tries until it is. */
const goOffline = async (t: TestTill) => {
  t.proxy.setOffline(true)
  let s = await t.call('sync.now')
  for (let i = 0; i < 3 && s.online; i++) s = await t.call('sync.now')
  expect(s.online).toBe(false)
}

describe('two tills, one account', () => {
  it('both sell offline, come back, and the server and both tills agree on the sum of every sale', async () => {
    const { alice, products } = c.fixture
    const a = await c.newTill('till-a')
    const b = await c.newTill('till-b')
    const start = await balanceOnServer(alice.accountId)
    expect(await cardBalance(a, alice.card)).toBe(start)

    await goOffline(a)
    await goOffline(b)
    const sold: string[] = []
    for (const [t, items] of [
      [a, [products.bun.productId, products.cola.productId]],
      [a, [products.cola.productId]],
      [b, [products.bun.productId]],
      [b, [products.cola.productId, products.cola.productId]],
      [b, [products.bun.productId]],
    ] as const) {
      const out = await sell(t, alice.card, ...items)
      expect(out.ok).toBe(true)
      if (out.ok) sold.push(out.saleId)
    }
    // Each till only knows its own sales while offline.
    expect(await cardBalance(a, alice.card)).toBe(start - 3500 - 2000)
    expect(await cardBalance(b, alice.card)).toBe(start - 1500 - 4000 - 1500)
    expect((await a.call('sync.status')).pending).toBe(2)

    a.proxy.setOffline(false)
    b.proxy.setOffline(false)
    await a.call('sync.now')
    await b.call('sync.now')
    await a.call('sync.now')

    const expected = start - 3500 - 2000 - 1500 - 4000 - 1500
    expect(expected).toBeLessThan(0) // together they overdrew: accepted, the food is gone
    expect(await balanceOnServer(alice.accountId)).toBe(expected)
    expect(await cardBalance(a, alice.card)).toBe(expected)
    expect(await cardBalance(b, alice.card)).toBe(expected)
    const rows = await serverSales(sold)
    expect(rows).toHaveLength(5)
    expect(rows.every((r) => r.n === 1)).toBe(true)
    const flagged = await c.db.query<{ flags: string[] }>(`SELECT flags FROM sales WHERE id = ANY($1::uuid[]) AND 'overdraft' = ANY(flags)`, [sold])
    expect(flagged.rows.length).toBeGreaterThan(0)
    expect((await a.call('sync.status')).pending).toBe(0)
    const recent = await b.call('sale.recent', { limit: 10 })
    expect(recent.map((s) => s.sync)).toEqual(['sent', 'sent', 'sent'])
  })
})

describe('exactly once when the network fails at the worst moment', () => {
  it('applies a push once although its answer was lost after the server committed it', async () => {
    const { bob, products } = c.fixture
    const t = await c.newTill('till-lost-answer')
    const before = await balanceOnServer(bob.accountId)
    // The client asks once more at once on a new connection, and a cycle may follow at once (a
    // live poke): every answer is lost until the network is healed below.
    t.proxy.dropPushAnswers(100)
    const out = await sell(t, bob.card, products.bun.productId)
    expect(out.ok).toBe(true)
    await eventually(() => t.proxy.pushes >= 1)
    // The till did not hear back: the sale is still pending there, though the server has it.
    await eventually(async () => !(await t.call('sync.status')).syncing)
    expect((await t.call('sync.status')).pending).toBe(1)

    t.proxy.dropPushAnswers(0)
    const status = await t.call('sync.now')
    expect(t.proxy.pushes).toBeGreaterThanOrEqual(2)
    expect(status.pending).toBe(0)
    expect(await balanceOnServer(bob.accountId)).toBe(before - 1500)
    if (out.ok) expect(await serverSales([out.saleId])).toEqual([{ id: out.saleId, n: 1 }])
    expect(await cardBalance(t, bob.card)).toBe(before - 1500)
  })

  it('keeps selling while the server is unreachable and catches up without losing one sale', async () => {
    const { alice, products } = c.fixture
    const deposit = await c.server.app.inject({ method: 'POST', url: `/admin/accounts/${alice.accountId}/deposit`, headers: { authorization: `Bearer ${c.server.adminToken}` }, payload: { amount: 50000 } })
    expect(deposit.statusCode).toBe(200)
    const t = await c.newTill('till-flaky')
    const before = await balanceOnServer(alice.accountId)
    const ids: string[] = []
    for (let i = 0; i < 12; i++) {
      t.proxy.setOffline(i % 3 === 1)
      const out = await sell(t, alice.card, products.bun.productId)
      expect(out.ok).toBe(true)
      if (out.ok) ids.push(out.saleId)
    }
    t.proxy.setOffline(false)
    await t.call('sync.now')
    expect(await balanceOnServer(alice.accountId)).toBe(before - 12 * 1500)
    expect((await serverSales(ids)).every((r) => r.n === 1)).toBe(true)
    expect(await serverSales(ids)).toHaveLength(12)
  })
})

describe('a parent blocks a card', () => {
  it('reaches an online till within 2 s over the live channel, and the till refuses the card', async () => {
    const { bob, products } = c.fixture
    const t = await c.newTill('till-live')
    await eventually(async () => (await t.call('sync.status')).online)
    // Give the live socket time to be open (the till pulls once it connects).
    await new Promise((r) => setTimeout(r, 300))
    const blocked = await blockAccount(c.server.ctx, bob.accountId, 'guardian:test')
    expect(blocked.ok).toBe(true)
    const took = await eventually(async () => {
      const r = await t.call('card.lookup', { cardNumber: bob.card })
      return r.ok && r.card.status === 'blocked'
    }, 2000)
    expect(took).toBeLessThan(2000)
    expect(await sell(t, bob.card, products.bun.productId)).toMatchObject({ ok: false, reason: 'blocked' })
    await unblockAccount(c.server.ctx, bob.accountId)
  })

  it('reaches an offline till at its next sync', async () => {
    const { bob, products } = c.fixture
    const t = await c.newTill('till-offline-block')
    await goOffline(t)
    await blockAccount(c.server.ctx, bob.accountId, 'guardian:test')
    // Offline, the till still has the old rules: it cannot know.
    const r = await t.call('card.lookup', { cardNumber: bob.card })
    expect(r.ok && r.card.status).toBe('active')
    t.proxy.setOffline(false)
    await t.call('sync.now')
    expect(await sell(t, bob.card, products.bun.productId)).toMatchObject({ ok: false, reason: 'blocked' })
    await unblockAccount(c.server.ctx, bob.accountId)
  })
})

describe('a till that comes back after a restart', () => {
  it('keeps its outbox across a restart and uploads it once', async () => {
    const { alice, products } = c.fixture
    const t = await c.newTill('till-restart')
    await goOffline(t)
    const out = await sell(t, alice.card, products.cola.productId)
    expect(out.ok).toBe(true)
    await t.restart()
    t.proxy.setOffline(false)
    const s = await t.call('sync.now')
    expect(s.pending).toBe(0)
    if (out.ok) expect(await serverSales([out.saleId])).toEqual([{ id: out.saleId, n: 1 }])
  })

  it('an empty till starts from a snapshot, then pulls what changed since in pages of two', async () => {
    const { alice, bob } = c.fixture
    const t = await c.newTill('till-small-pages', { pullPageSize: 2 })
    const paths = () => t.proxy.requests.map((u) => u.split('?')[0])
    expect(paths().filter((p) => p === '/sync/snapshot')).toHaveLength(1)
    const catalog = await t.call('catalog.get')
    expect(catalog.products.map((p) => p.name).sort()).toEqual(['Bolle med ost', 'Cola', 'Slikpose'])
    expect(await cardBalance(t, alice.card)).toBe(await balanceOnServer(alice.accountId))

    // Five changes after the snapshot: three pages of two (or fewer) from its cursor.
    const pullsBefore = paths().filter((p) => p === '/sync/pull').length
    for (const [change, id] of [[blockAccount, alice], [blockAccount, bob], [unblockAccount, alice], [unblockAccount, bob], [blockAccount, alice]] as const) {
      expect((await change(c.server.ctx, id.accountId, 'guardian:test')).ok).toBe(true)
    }
    await t.call('sync.now')
    expect(paths().filter((p) => p === '/sync/pull').length - pullsBefore).toBeGreaterThanOrEqual(3)
    expect(paths().filter((p) => p === '/sync/snapshot')).toHaveLength(1)
    expect(await t.call('card.lookup', { cardNumber: alice.card })).toMatchObject({ ok: true, card: { status: 'blocked' } })
    await unblockAccount(c.server.ctx, alice.accountId, 'guardian:test')
    await t.call('sync.now')
    expect(await cardBalance(t, bob.card)).toBe(await balanceOnServer(bob.accountId))
  })

  it('never counts a sale twice or not at all while its pull arrives in small pages', async () => {
    const { alice, bob, products } = c.fixture
    const t = await c.newTill('till-paging-ack', { pullPageSize: 1 })
    const other = await c.newTill('till-paging-other')
    await goOffline(t)
    // One push batch for two accounts: the server writes one change row for each, and a page of
    // one must not acknowledge Bob's sale while carrying only Alice's balance (or the reverse).
    for (const card of [alice.card, bob.card, alice.card, alice.card]) expect((await sell(t, card, products.bun.productId)).ok).toBe(true)
    // Another till's sales to the same account interleave in the log with this till's.
    for (let i = 0; i < 3; i++) expect((await sell(other, alice.card, products.cola.productId)).ok).toBe(true)
    await other.call('sync.now')
    const aliceBefore = (await balanceOnServer(alice.accountId)) + 3 * 2000 // before any of the seven sales
    const bobAfter = (await balanceOnServer(bob.accountId)) - 1500 // with its one sale, still offline

    // Look at the till's balances between every two pull pages: they must always hold all of its
    // own sales exactly once, plus some prefix of the other till's.
    const seen: { alice: number; bob: number }[] = []
    const reader = openDb(t.dataDir)
    t.proxy.beforeRequest = (url) => {
      if (!url.startsWith('/sync/pull')) return
      const acked = Number(getSetting(reader, 'acked_seq') ?? 0)
      const keys = periodKeys(new Date())
      seen.push({ alice: readCardAccount(reader, alice.card, acked, keys)!.view.balance, bob: readCardAccount(reader, bob.card, acked, keys)!.view.balance })
    }
    t.proxy.setOffline(false)
    await t.call('sync.now')
    // On a busy PostgreSQL the pull guard may hold rows back a moment: watch until all are in.
    await eventually(
      async () => {
        if ((await cardBalance(t, alice.card)) === (await balanceOnServer(alice.accountId))) return true
        await t.call('sync.now')
        return false
      },
      10_000,
      100,
    )
    t.proxy.beforeRequest = null
    reader.close()
    const valid = [0, 1, 2, 3].map((j) => aliceBefore - 3 * 1500 - j * 2000)
    expect(seen.length).toBeGreaterThanOrEqual(2)
    for (const b of seen) {
      expect(valid).toContain(b.alice)
      expect(b.bob).toBe(bobAfter)
    }
    expect(await cardBalance(t, alice.card)).toBe(await balanceOnServer(alice.accountId))
    expect(await cardBalance(t, bob.card)).toBe(await balanceOnServer(bob.accountId))
    await other.call('sync.now')
    expect(await cardBalance(other, alice.card)).toBe(await balanceOnServer(alice.accountId))
  })
})

describe('a till process killed in the middle of a burst of sales', () => {
  it('after restart, every sale the cashier saw approved is on the server exactly once', async () => {
    const { alice, products } = c.fixture
    await c.server.app.inject({ method: 'POST', url: `/admin/accounts/${alice.accountId}/deposit`, headers: { authorization: `Bearer ${c.server.adminToken}` }, payload: { amount: 1_000_000 } })
    const t = await c.newTill('till-crash')
    await t.suspend()
    const { spawn } = await import('node:child_process')
    const { createInterface } = await import('node:readline')
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/till-burst.ts', t.dataDir, t.proxy.url, alice.card, products.bun.productId], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const confirmed: string[] = []
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`burst till exited early (${code}): ${stderr}`)))
      createInterface({ input: child.stdout }).on('line', (line) => {
        const m = /^confirmed (\S+)$/.exec(line)
        if (m) confirmed.push(m[1]!)
        // Some sales have been pushed by now, some are in flight, some only in the outbox.
        if (confirmed.length === 60 && t.proxy.pushes > 0) {
          child.removeAllListeners('exit')
          child.kill('SIGKILL')
          child.once('exit', () => resolve())
        }
      })
    })
    expect(confirmed.length).toBeGreaterThanOrEqual(60)

    await t.resume()
    const status = await t.call('sync.now')
    expect(status.pending).toBe(0)
    expect(status.rejected).toBe(0)
    const rows = await serverSales(confirmed)
    // Every confirmed sale is on the server, each with exactly one ledger entry.
    expect(rows).toHaveLength(confirmed.length)
    expect(rows.every((r) => r.n === 1)).toBe(true)
    // And nothing the server holds from this till is there twice or unknown to the till.
    const reader = openDb(t.dataDir)
    const tillSales = reader.prepare('SELECT id FROM sales').all() as { id: string }[]
    reader.close()
    const all = await serverSales(tillSales.map((s) => s.id))
    expect(all).toHaveLength(tillSales.length)
    expect(all.every((r) => r.n === 1)).toBe(true)
    expect(await cardBalance(t, alice.card)).toBe(await balanceOnServer(alice.accountId))
  })
})

describe('what the server refuses, and what an offline till allows', () => {
  it('sets an invalid mutation aside with its reason, shows it, and the queue behind it still goes through', async () => {
    const { alice, products } = c.fixture
    const t = await c.newTill('till-rejected')
    const before = await balanceOnServer(alice.accountId)
    await goOffline(t)
    const first = await sell(t, alice.card, products.bun.productId)
    const second = await sell(t, alice.card, products.cola.productId)
    expect(first.ok && second.ok).toBe(true)
    // No upload attempt in flight (it would carry the rows as they were).
    await eventually(async () => !(await t.call('sync.status')).syncing)
    // A corrupted outbox row (a bug, a disk fault): its total no longer matches its lines.
    const raw = openDb(t.dataDir)
    const row = raw.prepare('SELECT seq, payload FROM outbox ORDER BY seq LIMIT 1').get() as { seq: number; payload: string }
    raw.prepare('UPDATE outbox SET payload = ? WHERE seq = ?').run(JSON.stringify({ ...JSON.parse(row.payload), total: 1 }), row.seq)
    raw.close()

    t.proxy.setOffline(false)
    const status = await t.call('sync.now')
    expect(status).toMatchObject({ pending: 0, rejected: 1 })
    const recent = await t.call('sale.recent', { limit: 2 })
    expect(recent.map((s) => [s.sync, s.rejectReason])).toEqual([
      ['sent', null],
      ['rejected', 'total-mismatch'],
    ])
    // Only the sale the server applied is money; the till agrees.
    expect(await balanceOnServer(alice.accountId)).toBe(before - 2000)
    expect(await cardBalance(t, alice.card)).toBe(before - 2000)
  })

  it('lets an offline till take a card at most its offline allowance below its cached balance', async () => {
    const { alice, products } = c.fixture
    const bun = products.bun.productId
    /** n buns, in lines of at most 99 (the till's per-line maximum). */
    const buns = (n: number) => Array.from({ length: Math.ceil(n / 99) }, (_, i) => ({ productId: bun, qty: Math.min(99, n - i * 99) }))
    // A balance where 10 kr. of allowance buys one more bun (104 kr.: six buns, seven with the allowance).
    await setBalanceOnServer(alice.accountId, 10400)
    const t = await c.newTill('till-allowance', { offlineAllowance: 1000 })
    // This story is the allowance's: the per-card offline cap is set out of its way.
    const settings = openDb(t.dataDir)
    setSetting(settings, 'offline_cap', 1_000_000)
    settings.close()
    const balance = await cardBalance(t, alice.card)
    expect(balance).toBe(10400)
    const covered = Math.floor(balance / 1500)
    const withAllowance = Math.floor((balance + 1000) / 1500)
    expect(withAllowance).toBeGreaterThan(covered) // the allowance makes a difference for this balance
    // Online, the till refuses anything the balance does not cover.
    expect(await t.call('sale.record', { saleId: randomUUID(), cardNumber: alice.card, lines: buns(withAllowance) })).toMatchObject({ ok: false, reason: 'balance-too-low' })
    await goOffline(t)
    // Offline: the cached balance plus 10 kr. of allowance, and not one øre more.
    const ok = await t.call('sale.record', { saleId: randomUUID(), cardNumber: alice.card, lines: buns(withAllowance) })
    expect(ok).toMatchObject({ ok: true })
    if (ok.ok) expect(ok.balanceAfter).toBeGreaterThanOrEqual(-1000)
    expect(await t.call('sale.record', { saleId: randomUUID(), cardNumber: alice.card, lines: buns(1) })).toMatchObject({ ok: false, reason: 'balance-too-low' })
    t.proxy.setOffline(false)
    await t.call('sync.now')
    expect(await balanceOnServer(alice.accountId)).toBe(balance - withAllowance * 1500)
  })
})

describe('a till away for longer than the server keeps its change log', () => {
  it('starts again from a snapshot and counts its offline sales once', async () => {
    const { alice, bob, products } = c.fixture
    expect((await depositByAdmin(c.server.ctx, alice.accountId, 20000)).ok).toBe(true) // earlier stories spent Alice's money
    const t = await c.newTill('till-long-away')
    const other = await c.newTill('till-long-away-other')
    await goOffline(t)
    for (let i = 0; i < 2; i++) expect((await sell(t, alice.card, products.bun.productId)).ok).toBe(true)
    expect((await sell(other, alice.card, products.cola.productId)).ok).toBe(true)
    await other.call('sync.now')
    expect((await blockAccount(c.server.ctx, bob.accountId, 'guardian:test')).ok).toBe(true)
    // Everything but the newest transaction is pruned: t's cursor is now behind the horizon.
    expect((await pruneChanges(c.server.ctx, 0)).length).toBeGreaterThan(0)

    t.proxy.setOffline(false)
    const status = await t.call('sync.now')
    expect(status).toMatchObject({ pending: 0, lastError: null })
    expect(t.proxy.requests.filter((u) => u.startsWith('/sync/snapshot'))).toHaveLength(2) // enrolment, and now
    expect(await cardBalance(t, alice.card)).toBe(await balanceOnServer(alice.accountId))
    expect(await t.call('card.lookup', { cardNumber: bob.card })).toMatchObject({ ok: true, card: { status: 'blocked' } })
    await unblockAccount(c.server.ctx, bob.accountId, 'guardian:test')
  })
})

describe("the holder's photo", () => {
  it('is fetched the first time the card is looked up online, then shown also offline', async () => {
    const { bob } = c.fixture
    const photoOf = async (t: TestTill) => {
      const r = await t.call('card.lookup', { cardNumber: bob.card })
      if (!r.ok) throw new Error(r.reason)
      return r.card.photo
    }
    const t = await c.newTill('till-photo')
    await goOffline(t)
    expect(await photoOf(t)).toBeNull() // never fetched, and no server to ask: initials, no error
    t.proxy.setOffline(false)
    await t.call('sync.now')

    const changed = new Promise<string[]>((resolve) => {
      const off = t.till.subscribe((m) => {
        if (m.event === 'data.changed') {
          off()
          resolve((m.payload as { entities: string[] }).entities)
        }
      })
    })
    expect(await photoOf(t)).toBeNull() // shown at once; the photo follows
    expect(await changed).toEqual(['photo'])
    expect(await photoOf(t)).toBe(BOB_PHOTO)
    expect(t.proxy.requests.filter((u) => u.startsWith('/sync/photos/'))).toHaveLength(1)

    await goOffline(t)
    expect(await photoOf(t)).toBe(BOB_PHOTO)
  })
})

const settingOf = (t: TestTill, key: Parameters<typeof getSetting>[1]) => {
  const db = openDb(t.dataDir)
  try {
    return getSetting(db, key)
  } finally {
    db.close()
  }
}

describe('a link that comes back with a reset', () => {
  it('drains at once when the first connection after the outage is reset at connect time', async () => {
    const { alice, products } = c.fixture
    expect((await depositByAdmin(c.server.ctx, alice.accountId, 5000)).ok).toBe(true)
    const t = await c.newTill('till-reset-at-connect')
    await goOffline(t)
    const out = await sell(t, alice.card, products.cola.productId)
    expect(out).toMatchObject({ ok: true })
    await eventually(async () => !(await t.call('sync.status')).syncing)
    t.proxy.setOffline(false)
    t.proxy.resetConnects(1)
    const connectsBefore = t.proxy.connects
    // One "sync now": the reset connection is followed by a new one at once, not by a backoff or a timeout.
    const status = await t.call('sync.now')
    expect(status).toMatchObject({ pending: 0, lastError: null, online: true })
    expect(t.proxy.connects - connectsBefore).toBeGreaterThanOrEqual(2)
    if (out.ok) expect(await serverSales([out.saleId])).toEqual([{ id: out.saleId, n: 1 }])
  })
})

describe('enrolment whose answer is lost', () => {
  it('the till asks again with the same request id and gets the same terminal: enrolled, no orphan terminal', async () => {
    const t = await c.newTill('till-enrol-lost', {}, { beforeOpen: (proxy) => proxy.dropEnrolAnswers(1) })
    const enrolls = t.proxy.requests.filter((u) => u === '/enrol')
    expect(enrolls).toHaveLength(2) // the first answer never arrived
    const { rows } = await c.db.query<{ id: string }>(`SELECT id FROM terminals WHERE name = 'till-enrol-lost'`)
    expect(rows.map((r) => r.id)).toEqual([settingOf(t, 'terminal_id')])
    expect(await t.call('sync.now')).toMatchObject({ enrolled: true, lastError: null })
    expect(await cardBalance(t, c.fixture.alice.card)).toBe(await balanceOnServer(c.fixture.alice.accountId))
  })
})

describe('a till enrolled again keeps its outbox', () => {
  it('sells offline, is revoked and enrolled again with a new code, and every sale reaches the server once', async () => {
    const { alice, products } = c.fixture
    expect((await depositByAdmin(c.server.ctx, alice.accountId, 20000)).ok).toBe(true)
    const t = await c.newTill('till-reenrol')
    const oldTerminal = settingOf(t, 'terminal_id')!
    const sold: string[] = []
    // One sale the server books under the old terminal, its answer lost: the till still holds it as unsent.
    t.proxy.dropPushAnswers(100) // the push, the client's immediate retry, any cycle after
    const lost = await sell(t, alice.card, products.bun.productId)
    if (lost.ok) sold.push(lost.saleId)
    await eventually(() => t.proxy.pushes >= 2)
    await goOffline(t)
    await eventually(async () => !(await t.call('sync.status')).syncing)
    t.proxy.dropPushAnswers(0)
    for (const p of [products.cola.productId, products.bun.productId]) {
      const out = await sell(t, alice.card, p)
      expect(out.ok).toBe(true)
      if (out.ok) sold.push(out.saleId)
    }
    expect(sold).toHaveLength(3)
    expect((await t.call('sync.status')).pending).toBe(3)

    // The till was reported lost and revoked; found again, it gets a new code.
    expect((await revokeTerminal(c.server.ctx, oldTerminal)).ok).toBe(true)
    const code = await c.enrolmentCode()
    await t.restart({ enrolmentCode: code })
    await t.call('staff.signIn', { pin: '1234' })
    t.proxy.setOffline(false)
    const status = await t.call('sync.now')
    expect(status).toMatchObject({ pending: 0, rejected: 0, lastError: null })
    expect(settingOf(t, 'terminal_id')).not.toBe(oldTerminal)

    const rows = await serverSales(sold)
    expect(rows).toHaveLength(3)
    expect(rows.every((r) => r.n === 1)).toBe(true)
    expect(await cardBalance(t, alice.card)).toBe(await balanceOnServer(alice.accountId))
    const recent = await t.call('sale.recent', { limit: 3 })
    expect(recent.map((s) => s.sync)).toEqual(['sent', 'sent', 'sent'])
    // A later sale goes on under the new terminal.
    expect((await sell(t, alice.card, products.cola.productId)).ok).toBe(true)
    expect(await t.call('sync.now')).toMatchObject({ pending: 0, rejected: 0 })
    expect(await cardBalance(t, alice.card)).toBe(await balanceOnServer(alice.accountId))
  })
})

describe('one bad mutation never stops a till (the server trusts nothing a till sends)', () => {
  it('sets aside the sale of an account the server cannot update, and every other pupil’s sale reaches the server', async () => {
    const { alice, bob, products } = c.fixture
    // Earlier stories spent their money and Bob's day: a lunch each, and no day limit for Bob here.
    expect((await depositByAdmin(c.server.ctx, alice.accountId, 10000)).ok).toBe(true)
    expect((await depositByAdmin(c.server.ctx, bob.accountId, 10000)).ok).toBe(true)
    const bobDayLimit = (limit: number | null) =>
      write(c.server.ctx, async (tx) => {
        await tx.query('UPDATE accounts SET limit_day = $2 WHERE id = $1', [bob.accountId, limit])
        await recordChanges(tx, 'account', [bob.accountId])
      })
    await bobDayLimit(null)
    const t = await c.newTill('till-poisoned')
    const other = await c.newTill('till-beside-it')
    const aliceBefore = await balanceOnServer(alice.accountId)
    const bobBefore = await balanceOnServer(bob.accountId)
    // An account left in a state no write expects: every update of Bob's account fails.
    await c.db.exec(`
      CREATE FUNCTION poisoned_account() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'account in an unexpected state'; END $$;
      CREATE TRIGGER poisoned_account BEFORE UPDATE ON accounts FOR EACH ROW WHEN (OLD.id = '${bob.accountId}') EXECUTE FUNCTION poisoned_account();
    `)
    try {
      await goOffline(t)
      const sold = [await sell(t, alice.card, products.bun.productId), await sell(t, bob.card, products.bun.productId), await sell(t, alice.card, products.cola.productId)]
      expect(sold.map((s) => (s.ok ? 'approved' : s.reason))).toEqual(['approved', 'approved', 'approved'])
      t.proxy.setOffline(false)
      const status = await t.call('sync.now')
      // The queue drained: nothing waits behind Bob's sale.
      expect(status.pending).toBe(0)
      expect(await balanceOnServer(alice.accountId)).toBe(aliceBefore - 1500 - 2000)
      const recent = await t.call('sale.recent', { limit: 3 })
      expect(recent.map((s) => s.sync).sort()).toEqual(['rejected', 'sent', 'sent'])
      // Another till of the canteen keeps selling to everyone else too.
      const next = await sell(other, alice.card, products.bun.productId)
      expect(next.ok).toBe(true)
      expect((await other.call('sync.now')).pending).toBe(0)
      expect(await balanceOnServer(alice.accountId)).toBe(aliceBefore - 1500 - 2000 - 1500)
    } finally {
      await c.db.exec('DROP TRIGGER poisoned_account ON accounts; DROP FUNCTION poisoned_account();')
      await bobDayLimit(3000)
    }
    expect(await balanceOnServer(bob.accountId)).toBe(bobBefore)
  })
})

describe('an outage with two tills and one card', () => {
  it('each till lends the card at most its offline cap: the server ends at no less than its balance minus 2 × cap', async () => {
    const { alice, products } = c.fixture
    expect((await depositByAdmin(c.server.ctx, alice.accountId, 30000)).ok).toBe(true)
    const a = await c.newTill('till-cap-a')
    const b = await c.newTill('till-cap-b')
    const cap = 7500 // the default: about a day's lunch
    const start = await balanceOnServer(alice.accountId)
    expect(start).toBeGreaterThanOrEqual(2 * cap) // the balance alone would let each till sell far more
    await goOffline(a)
    await goOffline(b)
    const offlineTotal = async (t: TestTill) => {
      let total = 0
      for (;;) {
        const out = await sell(t, alice.card, products.bun.productId)
        if (!out.ok) {
          expect(out).toMatchObject({ reason: 'offline-limit' })
          return total
        }
        total += out.total
      }
    }
    const soldA = await offlineTotal(a)
    const soldB = await offlineTotal(b)
    // Buns of 15 kr.: five fit under 75 kr., the sixth does not.
    expect([soldA, soldB]).toEqual([cap, cap])

    a.proxy.setOffline(false)
    b.proxy.setOffline(false)
    await a.call('sync.now')
    await b.call('sync.now')
    const end = await balanceOnServer(alice.accountId)
    expect(end).toBe(start - soldA - soldB)
    expect(end).toBeGreaterThanOrEqual(start - 2 * cap)
    // Heard from the server, the cap is free again: an online till sells on from the real balance.
    await a.call('sync.now')
    expect(await cardBalance(a, alice.card)).toBe(end)
    expect(await sell(a, alice.card, products.bun.productId)).toMatchObject({ ok: true })
  })
})
