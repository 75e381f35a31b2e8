import { describe, expect, it } from 'vitest'
import da from '../locales/kiosk.da.json'
import en from '../locales/kiosk.en.json'

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix]
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k))
}

function lookup(messages: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], messages)
}

/** The kiosk's own sources as text (the money screens have their own texts file). */
const sources: Record<string, string> = import.meta.glob(['./**/*.{vue,ts}', '../views/KioskView.vue', '!./money/**', '!./**/*.test.ts'], {
  query: '?raw',
  import: 'default',
  eager: true,
})

describe('the kiosk texts', () => {
  it('say the same things in Danish and English, with the same placeholders', () => {
    expect(keys(en).sort()).toEqual(keys(da).sort())
    const placeholders = (s: unknown) => [...String(s).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
    for (const key of keys(da)) expect(placeholders(lookup(en, key)), key).toEqual(placeholders(lookup(da, key)))
  })

  it('have every text a kiosk screen asks for by name', () => {
    expect(Object.keys(sources)).toContain('../views/KioskView.vue')
    const used = new Set(Object.values(sources).flatMap((text) => [...text.matchAll(/['`](kiosk\.[A-Za-z0-9.-]+[A-Za-z0-9])['`]/g)].map((m) => m[1]!)))
    expect(used.size).toBeGreaterThan(50)
    for (const key of used) {
      expect(typeof lookup(da, key), `da: ${key}`).toBe('string')
      expect(typeof lookup(en, key), `en: ${key}`).toBe('string')
    }
  })

  it('use no character vue-i18n would read as syntax (@ and | start links and plurals)', () => {
    for (const key of keys(da)) {
      for (const messages of [da, en]) expect(String(lookup(messages, key)), key).not.toMatch(/[@|]/)
    }
  })
})
