import { describe, expect, it } from 'vitest'
import da from '../../locales/kiosk-money.da.json'
import en from '../../locales/kiosk-money.en.json'
import { TEST_CARDS } from './terminal'
import { STOP_CAUSES } from './types'

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix]
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k))
}

function lookup(messages: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], messages)
}

/** The money screens' own source, read by Vite's glob (the page's code may not use Node's fs). */
const sources = import.meta.glob<string>(['./**/*.vue', './**/*.ts', '!./**/*.test.ts'], { query: '?raw', import: 'default', eager: true })

/** Every `kioskMoney.…` key written out in the source (dynamic ones end in `.`, and are cut before it). */
function keysInSource(): string[] {
  return Object.values(sources).flatMap((text) => [...text.matchAll(/kioskMoney\.[\w.-]*\w/g)].map((m) => m[0]))
}

describe('the money screens’ texts', () => {
  it('say the same things in Danish and English, with the same placeholders', () => {
    expect(keys(en).sort()).toEqual(keys(da).sort())
    const placeholders = (s: unknown) => [...String(s).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
    for (const key of keys(da)) expect(placeholders(lookup(en, key)), key).toEqual(placeholders(lookup(da, key)))
  })

  it('use no bare vue-i18n syntax characters: `@` links a message and `|` splits plurals', () => {
    for (const messages of [da, en]) {
      for (const key of keys(messages)) {
        const text = String(lookup(messages, key)).replaceAll("{'@'}", '').replaceAll("{'|'}", '')
        expect(text, key).not.toMatch(/[@|]/)
      }
    }
  })

  it('have a text for every key the screens name', () => {
    const used = [...new Set(keysInSource())]
    expect(used.length).toBeGreaterThan(50)
    const leaves = new Set(keys(da))
    const groups = new Set(keys(da).flatMap((k) => k.split('.').map((_, i, parts) => parts.slice(0, i + 1).join('.'))))
    for (const key of used) expect(leaves.has(key) || groups.has(key), key).toBe(true)
  })

  it('name every cause of a stopped automatic top-up, every test card and every refusal the screens check', () => {
    for (const messages of [da, en]) {
      for (const cause of STOP_CAUSES) expect(lookup(messages, `kioskMoney.auto.causes.${cause}`), cause).toEqual(expect.stringMatching(/\S/))
      for (const card of TEST_CARDS) expect(lookup(messages, `kioskMoney.terminal.cards.${card.id}`), card.id).toEqual(expect.stringMatching(/\S/))
      for (const code of ['account-blocked', 'amount-above-balance', 'reg-no-invalid', 'account-no-invalid', 'name-invalid', 'message-invalid', 'balance-below-fee', 'auto-topup-exists', 'card-expired', 'card-blocked', 'insufficient-funds']) {
        expect(lookup(messages, `kioskMoney.errors.${code}`), code).toEqual(expect.stringMatching(/\S/))
      }
    }
  })
})
