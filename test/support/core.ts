/**
 * Test fixtures for the till: a small canteen delivered through the real pull path
 * (applyPullPage), so tests exercise the same code a server page does.
 */
import { randomBytes, scryptSync } from 'node:crypto'
import type { AccountData, Change } from '../../domain/sync'
import type { Db } from '../../electron/core/store/db'
import { applyPullPage } from '../../electron/core/store/pull'
import { getSetting, setSetting } from '../../electron/core/store/settings'

export function hashPin(pin: string): string {
  const salt = randomBytes(16)
  const hash = scryptSync(pin, salt, 32, { N: 16384, r: 8, p: 1 })
  return `scrypt$${salt.toString('base64')}$${hash.toString('base64')}`
}

export function account(over: Partial<AccountData> = {}): AccountData {
  return {
    holderName: 'Freja Nielsen',
    photoId: null,
    status: 'active',
    balance: 15000,
    limits: { day: null, week: null, month: null },
    spent: { day: { key: '', amount: 0 }, week: { key: '', amount: 0 }, month: { key: '', amount: 0 } },
    deniedCategoryIds: [],
    allowedLocationIds: null,
    ...over,
  }
}

export function canteenChanges(): Change[] {
  return [
    { entity: 'location', id: 'loc-1', data: { name: 'Skovvangskolen' } },
    { entity: 'category', id: 'cat-hot', data: { name: 'Varm mad', sort: 1 } },
    { entity: 'category', id: 'cat-drink', data: { name: 'Drikkevarer', sort: 2 } },
    { entity: 'product', id: 'p-lunch', data: { name: 'Frikadeller', categoryId: 'cat-hot', prices: { 'loc-1': 3500 }, barcode: null, available: true, image: null, sort: 1 } },
    { entity: 'product', id: 'p-milk', data: { name: 'Minimælk', categoryId: 'cat-drink', prices: { 'loc-1': 800 }, barcode: '5701234567892', available: true, image: null, sort: 2 } },
    { entity: 'product', id: 'p-elsewhere', data: { name: 'Sushi', categoryId: 'cat-hot', prices: { 'loc-2': 5000 }, barcode: null, available: true, image: null, sort: 3 } },
    { entity: 'staff', id: 's-mette', data: { name: 'Mette Hansen', pinHash: hashPin('1234'), roles: ['cashier', 'pickup'], locationIds: ['loc-1'], active: true } },
    { entity: 'account', id: 'a-1', data: account() },
    { entity: 'card', id: 'DEMO0001', data: { accountId: 'a-1', status: 'active' } },
    { entity: 'account', id: 'a-3', data: account({ holderName: 'Ida Hansen', status: 'blocked', balance: 20000 }) },
    { entity: 'card', id: 'DEMO0003', data: { accountId: 'a-3', status: 'active' } },
  ]
}

/** Puts a canteen into a till store as if enrolled at loc-1 and pulled once. */
export function seedCanteen(db: Db, serverTime = new Date().toISOString()): void {
  setSetting(db, 'location_id', 'loc-1')
  applyPullPage(db, { changes: canteenChanges(), cursor: '1:1', hasMore: false, ackSeq: null, serverTime }, { from: getSetting(db, 'pull_cursor'), localNow: new Date(serverTime) })
}
