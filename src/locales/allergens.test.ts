import { describe, expect, it } from 'vitest'
import da from './allergens.da.json'
import en from './allergens.en.json'

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix]
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k))
}

function lookup(messages: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], messages)
}

/** The screens that show the allergens: the till's dialog, basket and card, the kiosk's screen and its route. */
const sources: Record<string, string> = import.meta.glob(
  ['../components/AllergenDialog.vue', '../components/BasketPanel.vue', '../components/CardPanel.vue', '../kiosk/settings/AllergensView.vue', '../kiosk/routes.ts'],
  { query: '?raw', import: 'default', eager: true },
)

describe('the allergen texts', () => {
  it('say the same things in Danish and English, with the same placeholders', () => {
    expect(keys(en).sort()).toEqual(keys(da).sort())
    const placeholders = (s: unknown) => [...String(s).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
    for (const key of keys(da)) expect(placeholders(lookup(en, key)), key).toEqual(placeholders(lookup(da, key)))
  })

  it('have every text the screens ask for by name, and the kiosk menu’s entry and the webshop’s refusal', () => {
    expect(Object.keys(sources)).toHaveLength(5)
    const used = new Set(Object.values(sources).flatMap((text) => [...text.matchAll(/['`](allergens\.[A-Za-z0-9.-]+[A-Za-z0-9])['`]/g)].map((m) => m[1]!)))
    expect(used.size).toBeGreaterThan(15)
    for (const key of [...used, 'kiosk.tasks.allergens', 'kioskWebshop.errors.allergen']) {
      expect(typeof lookup(da, key), `da: ${key}`).toBe('string')
      expect(typeof lookup(en, key), `en: ${key}`).toBe('string')
    }
  })
})
