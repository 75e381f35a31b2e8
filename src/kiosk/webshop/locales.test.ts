import { describe, expect, it } from 'vitest'
import da from '../../locales/kiosk-webshop.da.json'
import en from '../../locales/kiosk-webshop.en.json'

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix]
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k))
}

function lookup(messages: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], messages)
}

const sources: Record<string, string> = import.meta.glob(['./*.{vue,ts}', '../WebshopView.vue', '!./*.test.ts'], { query: '?raw', import: 'default', eager: true })

describe('the webshop texts', () => {
  it('say the same things in Danish and English, with the same placeholders and no vue-i18n syntax', () => {
    expect(keys(en).sort()).toEqual(keys(da).sort())
    const placeholders = (s: unknown) => [...String(s).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
    for (const key of keys(da)) {
      expect(placeholders(lookup(en, key)), key).toEqual(placeholders(lookup(da, key)))
      for (const m of [da, en]) expect(String(lookup(m, key)), key).not.toMatch(/[@|]/)
    }
  })

  it('have every text a webshop screen asks for by name', () => {
    expect(Object.keys(sources)).toContain('../WebshopView.vue')
    const used = new Set(Object.values(sources).flatMap((text) => [...text.matchAll(/['`](kioskWebshop\.[A-Za-z0-9.-]+[A-Za-z0-9])['`]/g)].map((m) => m[1]!)))
    expect(used.size).toBeGreaterThan(40)
    for (const key of used) {
      expect(typeof lookup(da, key), `da: ${key}`).toBe('string')
      expect(typeof lookup(en, key), `en: ${key}`).toBe('string')
    }
  })

  it('name every refusal of the order routes', () => {
    const codes = ['blocked', 'location-not-allowed', 'product-not-permitted', 'day-limit', 'week-limit', 'month-limit', 'balance-too-low', 'day-closed', 'cut-off-passed', 'numbers-exhausted', 'basket-invalid', 'product-unknown', 'day-invalid', 'terms-not-accepted', 'location-unknown', 'card-declined', 'card-expired', 'card-blocked', 'insufficient-funds', 'payments-off', 'order-unknown', 'order-not-cancellable', 'pickup-time-required', 'pickup-time-unknown', 'pickup-time-not-offered']
    for (const code of codes) expect(typeof lookup(da, `kioskWebshop.errors.${code}`), code).toBe('string')
  })
})
