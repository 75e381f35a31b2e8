import type { AccountColumns, AccountData, CardColumns, Change, PullResponse, SnapshotHead, SnapshotResponse } from '../../../domain/sync'
import { stmt, type Db } from './db'
import { ackedSeq } from './outbox'
import { getSetting, setSetting } from './settings'
import { applyOrderChanges, replaceOrders } from './orders'

/**
 * Where a page or snapshot was fetched from, and when (the till's own clock). `from` is the
 * cursor the till held when it asked: the answer is applied only if the till still holds it
 * (compare-and-set in the page's own transaction). Two pulls can overlap (a second process on
 * the same store, a slow answer): an older page applied after a newer one would roll balances
 * back and forget acknowledged sales, so it is dropped instead.
 */
export interface PulledAt {
  from: string | null
  localNow: Date
}

/**
 * Applies one pull page in ONE transaction: the entities, the new cursor and the acknowledged
 * seq together. Dropping a pending delta (acked_seq) and receiving the balance that includes it
 * are therefore one atomic step: a sale is never counted twice nor lost between the two.
 * Returns the entities touched, or null when the page is stale (the cursor moved on since it
 * was asked for) and nothing was applied.
 */
export function applyPullPage(db: Db, page: PullResponse, at: PulledAt): Set<string> | null {
  const touched = new Set<string>()
  const apply = prepare(db, page.serverTime)
  const applied = db.transaction(() => {
    if (getSetting(db, 'pull_cursor') !== at.from) return false
    for (const change of page.changes) {
      touched.add(change.entity)
      if ('deleted' in change) apply.delete[change.entity].run(change.id)
      else apply.upsert(change)
    }
    // The canteen's webshop orders travel beside the changes (domain/sync.ts OrderData).
    if (page.orders?.length) {
      applyOrderChanges(db, page.orders, page.serverTime)
      touched.add('order')
    }
    setSetting(db, 'pull_cursor', page.cursor)
    if (page.ackSeq !== null && page.ackSeq > ackedSeq(db)) setSetting(db, 'acked_seq', page.ackSeq)
    markPulled(db, page.serverTime, at.localNow)
    return true
  }).immediate()
  return applied ? touched : null
}

/**
 * `last_sync_at` is the server's time (shown to people, "rules as of"); `last_pull_local_at` is
 * the till's own clock at the same moment. Data age is measured on one clock, the till's: a till
 * whose clock is off by hours must not think its data fresh (or stale) because of it.
 */
function markPulled(db: Db, serverTime: string, localNow: Date): void {
  setSetting(db, 'last_sync_at', serverTime)
  setSetting(db, 'last_pull_local_at', localNow.toISOString())
}

/** The tables a snapshot replaces. */
const HELD = ['locations', 'categories', 'products', 'staff', 'accounts', 'cards'] as const

/**
 * Applies a snapshot in ONE transaction: everything the till holds is replaced by it, and the
 * cursor and acknowledged seq are set with it. Then the till pulls from that cursor as usual.
 * Null (nothing applied) when the till's cursor is no longer the one it was asked for from.
 */
export function applySnapshot(db: Db, snap: SnapshotResponse, at: PulledAt): Set<string> | null {
  const apply = prepare(db, snap.serverTime)
  const a = snap.accounts
  const c = snap.cards
  // Plain INSERTs: the tables are emptied first, so nothing can conflict.
  const insertAccount = stmt(
    db,
    `INSERT INTO accounts (id, holder_name, photo_id, status, balance, limit_day, limit_week, limit_month, spent, denied_categories, allowed_locations, note, synced_at, allergens)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  const insertCard = stmt(db, 'INSERT INTO cards (number, account_id, status) VALUES (?, ?, ?)')
  // The period keys are the same for every account: only the amounts go into each row's JSON.
  const [day, week, month] = [snap.periods.day, snap.periods.week, snap.periods.month].map((k) => JSON.stringify(k))
  const spent = (i: number) => `{"day":{"key":${day},"amount":${a.spentDay[i]}},"week":{"key":${week},"amount":${a.spentWeek[i]}},"month":{"key":${month},"amount":${a.spentMonth[i]}}}`
  const applied = db.transaction(() => {
    if (getSetting(db, 'pull_cursor') !== at.from) return false
    for (const table of HELD) db.prepare(`DELETE FROM ${table}`).run()
    for (const change of snap.changes) if (!('deleted' in change)) apply.upsert(change)
    for (let i = 0; i < a.id.length; i++) {
      const denied = a.deniedCategoryIds[i]!
      const allowed = a.allowedLocationIds[i]!
      insertAccount.run(
        a.id[i],
        a.holderName[i],
        a.photoId[i],
        a.status[i],
        a.balance[i],
        a.limitDay[i],
        a.limitWeek[i],
        a.limitMonth[i],
        spent(i),
        denied.length === 0 ? '[]' : JSON.stringify(denied),
        allowed === null ? null : JSON.stringify(allowed),
        a.note?.[i] ?? null,
        snap.serverTime,
        allergensJson(a.allergens?.[i]),
      )
    }
    for (let i = 0; i < c.number.length; i++) insertCard.run(c.number[i], c.accountId[i], c.status[i])
    replaceOrders(db, snap.orders ?? [], snap.serverTime)
    setSetting(db, 'pull_cursor', snap.cursor)
    if (snap.ackSeq > ackedSeq(db)) setSetting(db, 'acked_seq', snap.ackSeq)
    markPulled(db, snap.serverTime, at.localNow)
    return true
  }).immediate()
  return applied ? new Set(['location', 'category', 'product', 'staff', 'account', 'card', 'order']) : null
}

/**
 * A snapshot stored as it arrives (GET /sync/snapshot as NDJSON, sync/http.ts): its accounts and
 * cards go chunk by chunk into staging tables (TEMP: this connection's own, on disk, since the
 * build keeps temp tables in files), so the till never holds 50,000 accounts in its heap. Then
 * `apply` replaces what the till holds with them in ONE transaction, exactly as applySnapshot
 * does with a whole answer: until then the till sells from its old data, and an answer cut off
 * midway changes nothing.
 */
export interface SnapshotLoad {
  accounts(chunk: AccountColumns): void
  cards(chunk: CardColumns): void
  /**
   * Applies the staged snapshot if it holds what the server said it sent (`end`); null when
   * the till's cursor is no longer the one it asked from (nothing applied), as applySnapshot.
   */
  apply(sent: { accounts: number; cards: number }, at: PulledAt): Set<string> | null
  /** Drops the staging tables (after apply, or instead of it). */
  discard(): void
}

const STAGED = { accounts: 'temp.snapshot_accounts', cards: 'temp.snapshot_cards' } as const

export function stageSnapshot(db: Db, head: SnapshotHead): SnapshotLoad {
  // Left over from a load that was cut off on this connection: start clean.
  dropStaging(db)
  // The staging tables are written once and read once: a small page cache is enough (the build's
  // default is 16 MB per database, and the temp database would fill its own beside main's).
  db.pragma('temp.cache_size = -1024')
  // Same columns, same order as the held tables: applied with INSERT … SELECT *.
  db.exec(`CREATE TABLE ${STAGED.accounts} AS SELECT * FROM main.accounts WHERE 0;
           CREATE TABLE ${STAGED.cards} AS SELECT * FROM main.cards WHERE 0`)
  const insertAccount = db.prepare(
    `INSERT INTO ${STAGED.accounts} (id, holder_name, photo_id, status, balance, limit_day, limit_week, limit_month, spent, denied_categories, allowed_locations, note, synced_at, allergens)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  const insertCard = db.prepare(`INSERT INTO ${STAGED.cards} (number, account_id, status) VALUES (?, ?, ?)`)
  const row = accountRow(head)
  const staged = { accounts: 0, cards: 0 }
  let open = true
  const load: SnapshotLoad = {
    accounts(a) {
      db.transaction(() => {
        for (let i = 0; i < a.id.length; i++) insertAccount.run(row(a, i))
      })()
      staged.accounts += a.id.length
    },
    cards(c) {
      db.transaction(() => {
        for (let i = 0; i < c.number.length; i++) insertCard.run(c.number[i], c.accountId[i], c.status[i])
      })()
      staged.cards += c.number.length
    },
    apply(sent, at) {
      if (!open) throw new Error('snapshot load: already applied or discarded')
      try {
        if (sent.accounts !== staged.accounts || sent.cards !== staged.cards) {
          throw new Error(`snapshot load: the server sent ${sent.accounts} accounts and ${sent.cards} cards, the till received ${staged.accounts} and ${staged.cards}`)
        }
        const apply = prepare(db, head.serverTime)
        const applied = db.transaction(() => {
          if (getSetting(db, 'pull_cursor') !== at.from) return false
          for (const table of HELD) db.prepare(`DELETE FROM ${table}`).run()
          for (const change of head.changes) if (!('deleted' in change)) apply.upsert(change)
          db.exec(`INSERT INTO main.accounts SELECT * FROM ${STAGED.accounts}; INSERT INTO main.cards SELECT * FROM ${STAGED.cards}`)
          replaceOrders(db, head.orders ?? [], head.serverTime)
          setSetting(db, 'pull_cursor', head.cursor)
          if (head.ackSeq > ackedSeq(db)) setSetting(db, 'acked_seq', head.ackSeq)
          markPulled(db, head.serverTime, at.localNow)
          return true
        }).immediate()
        return applied ? new Set(['location', 'category', 'product', 'staff', 'account', 'card', 'order']) : null
      } finally {
        load.discard()
      }
    },
    discard() {
      if (!open) return
      open = false
      dropStaging(db)
    },
  }
  return load
}

function dropStaging(db: Db): void {
  db.exec(`DROP TABLE IF EXISTS ${STAGED.accounts}; DROP TABLE IF EXISTS ${STAGED.cards}`)
  // Hands the pages the load cached back to the allocator: a snapshot is a one-off, and the
  // counter's working set (the cards and accounts it reads) comes back on demand.
  db.pragma('shrink_memory')
}

/** The child's allergens as the accounts table holds them (JSON); null or absent (none, or a server before them): none. */
const allergensJson = (list: readonly string[] | null | undefined) => (list && list.length > 0 ? JSON.stringify(list) : '[]')

/** Row i of a chunk of account columns, as the accounts table holds it (positional, in column order). */
function accountRow(head: SnapshotHead) {
  // The period keys are the same for every account: only the amounts go into each row's JSON.
  const [day, week, month] = [head.periods.day, head.periods.week, head.periods.month].map((k) => JSON.stringify(k))
  return (a: AccountColumns, i: number) => {
    const denied = a.deniedCategoryIds[i]!
    const allowed = a.allowedLocationIds[i]!
    return [
      a.id[i],
      a.holderName[i],
      a.photoId[i],
      a.status[i],
      a.balance[i],
      a.limitDay[i],
      a.limitWeek[i],
      a.limitMonth[i],
      `{"day":{"key":${day},"amount":${a.spentDay[i]}},"week":{"key":${week},"amount":${a.spentWeek[i]}},"month":{"key":${month},"amount":${a.spentMonth[i]}}}`,
      denied.length === 0 ? '[]' : JSON.stringify(denied),
      allowed === null ? null : JSON.stringify(allowed),
      a.note?.[i] ?? null,
      head.serverTime,
      allergensJson(a.allergens?.[i]),
    ]
  }
}

function prepare(db: Db, syncedAt: string) {
  const account = stmt(
    db,
    `INSERT INTO accounts (id, holder_name, photo_id, status, balance, limit_day, limit_week, limit_month, spent, denied_categories, allowed_locations, note, synced_at, allergens)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET holder_name = excluded.holder_name, photo_id = excluded.photo_id, status = excluded.status,
       balance = excluded.balance, limit_day = excluded.limit_day, limit_week = excluded.limit_week, limit_month = excluded.limit_month,
       spent = excluded.spent, denied_categories = excluded.denied_categories, allowed_locations = excluded.allowed_locations,
       note = excluded.note, synced_at = excluded.synced_at, allergens = excluded.allergens`,
  )
  const card = stmt(
    db,
    `INSERT INTO cards (number, account_id, status) VALUES (?, ?, ?)
     ON CONFLICT (number) DO UPDATE SET account_id = excluded.account_id, status = excluded.status`,
  )
  const category = stmt(
    db,
    `INSERT INTO categories (id, name, sort, colour) VALUES (?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, sort = excluded.sort, colour = excluded.colour`,
  )
  const product = stmt(
    db,
    `INSERT INTO products (id, name, category_id, prices, barcode, available, image, sort, allergens, schedule) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, category_id = excluded.category_id, prices = excluded.prices,
       barcode = excluded.barcode, available = excluded.available, image = excluded.image, sort = excluded.sort,
       allergens = excluded.allergens, schedule = excluded.schedule`,
  )
  const location = stmt(
    db,
    `INSERT INTO locations (id, name, sale_caps, cash_allowed) VALUES (?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, sale_caps = excluded.sale_caps, cash_allowed = excluded.cash_allowed`,
  )
  const staff = stmt(
    db,
    `INSERT INTO staff (id, name, pin_hash, roles, location_ids, active) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, pin_hash = excluded.pin_hash, roles = excluded.roles,
       location_ids = excluded.location_ids, active = excluded.active`,
  )
  const del = (table: string, key = 'id') => stmt(db, `DELETE FROM ${table} WHERE ${key} = ?`)
  // Positional parameters: binding by name costs a lookup per column, 50,000 times in an initial sync.
  const accountParams = (id: string, a: AccountData) => [
    id,
    a.holderName,
    a.photoId,
    a.status,
    a.balance,
    a.limits.day,
    a.limits.week,
    a.limits.month,
    JSON.stringify(a.spent),
    JSON.stringify(a.deniedCategoryIds),
    a.allowedLocationIds === null ? null : JSON.stringify(a.allowedLocationIds),
    // Absent (a change row written before notes existed): no note.
    a.note ?? null,
    syncedAt,
    // Absent (a change row or a server before allergens): none.
    allergensJson(a.allergens),
  ]
  return {
    upsert(change: Exclude<Change, { deleted: true }>) {
      switch (change.entity) {
        case 'account':
          return account.run(accountParams(change.id, change.data))
        case 'card':
          return card.run(change.id, change.data.accountId, change.data.status)
        case 'category':
          // Absent (a server before colours): none.
          return category.run(change.id, change.data.name, change.data.sort, change.data.colour ?? null)
        case 'product': {
          const p = change.data
          // Absent (a server before allergens and schedules): none.
          const allergens = JSON.stringify(p.allergens ?? [])
          const schedule = JSON.stringify(p.schedule ?? {})
          return product.run(change.id, p.name, p.categoryId, JSON.stringify(p.prices), p.barcode, p.available ? 1 : 0, p.image, p.sort, allergens, schedule)
        }
        case 'location':
          // cashAllowed absent (a server before it): card only.
          return location.run(change.id, change.data.name, change.data.saleCaps ? JSON.stringify(change.data.saleCaps) : null, change.data.cashAllowed ? 1 : 0)
        case 'staff': {
          const s = change.data
          return staff.run(change.id, s.name, s.pinHash, JSON.stringify(s.roles), JSON.stringify(s.locationIds), s.active ? 1 : 0)
        }
      }
    },
    delete: {
      account: del('accounts'),
      card: del('cards', 'number'),
      category: del('categories'),
      product: del('products'),
      location: del('locations'),
      staff: del('staff'),
    },
  }
}
