import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { PullResponse } from '../../../domain/sync'
import { account, seedCanteen } from '../../../test/support/core'
import { readCardAccount } from './accounts'
import { openDb } from './db'
import { applyPullPage } from './pull'
import { insertSale } from './sales'
import { getSetting } from './settings'

const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))
const keys = { day: '2026-11-24', week: '2026-W48', month: '2026-11' }
const localNow = new Date('2026-11-24T10:00:00.000Z')

function till() {
  const dir = mkdtempSync(join(tmpdir(), 'kantine-pull-'))
  dirs.push(dir)
  const db = openDb(dir)
  seedCanteen(db, '2026-11-24T09:00:00.000Z') // cursor 1:1, Freja (a-1) at 150 kr.
  return db
}

const pageOf = (balance: number, cursor: string, ackSeq: number | null): PullResponse => ({
  changes: [{ entity: 'account', id: 'a-1', data: account({ balance }) }],
  cursor,
  hasMore: false,
  ackSeq,
  serverTime: '2026-11-24T10:00:00.000Z',
})

describe('a pull page is applied only from the cursor the till holds', () => {
  it('ignores an older page that arrives after a newer one: no balance rolls back, no sale is forgotten', () => {
    const db = till()
    // The till sells 35 kr. (seq 1); the server applies it and a parent deposits 50 kr.
    insertSale(db, 'm-1', { saleId: '00000000-0000-4000-8000-000000000001', cardNumber: 'DEMO0001', accountId: 'a-1', locationId: 'loc-1', staffId: 's-mette', at: '2026-11-24T09:30:00.000Z', lines: [{ productId: 'p-lunch', name: 'Frikadeller', categoryId: 'cat-hot', qty: 1, unitPrice: 3500 }], total: 3500, offline: false }, keys)
    // Two pulls overlapped, both asked from 1:1. Page A (older): before the sale. Page B: sale and deposit.
    const a = pageOf(15000, '2:1', null)
    const b = pageOf(15000 - 3500 + 5000, '3:1', 1)

    expect(applyFrom(db, b, '1:1')).not.toBeNull()
    expect(applyFrom(db, a, '1:1')).toBeNull()

    expect(getSetting(db, 'pull_cursor')).toBe('3:1')
    expect(readCardAccount(db, 'DEMO0001', Number(getSetting(db, 'acked_seq')), keys)!.view.balance).toBe(16500)
    db.close()
  })

  it('applies a page fetched from the current cursor, and records the till clock of the pull', () => {
    const db = till()
    expect(applyFrom(db, pageOf(12000, '2:1', null), '1:1')).toEqual(new Set(['account']))
    expect(getSetting(db, 'pull_cursor')).toBe('2:1')
    expect(getSetting(db, 'last_pull_local_at')).toBe(localNow.toISOString())
    expect(getSetting(db, 'last_sync_at')).toBe('2026-11-24T10:00:00.000Z')
    db.close()
  })
})

function applyFrom(db: ReturnType<typeof openDb>, page: PullResponse, from: string) {
  return applyPullPage(db, page, { from, localNow })
}
