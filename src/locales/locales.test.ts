import { describe, expect, it } from 'vitest'
import { REFUSAL_KEYS } from '../composables/refusal'
import da from './da.json'
import en from './en.json'

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix]
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k))
}

function lookup(messages: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], messages)
}

describe('translations', () => {
  it('say the same things in Danish and English', () => {
    expect(keys(en).sort()).toEqual(keys(da).sort())
  })

  it.each(REFUSAL_KEYS)('give the cashier a headline and what to do for "%s"', (reason) => {
    for (const messages of [da, en]) {
      expect(lookup(messages, `refusal.${reason}.headline`)).toEqual(expect.stringMatching(/\S/))
      expect(lookup(messages, `refusal.${reason}.action`)).toEqual(expect.stringMatching(/\S/))
    }
  })

  it('use the same placeholders in both languages', () => {
    const placeholders = (s: unknown) => [...String(s).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
    for (const key of keys(da)) expect(placeholders(lookup(en, key)), key).toEqual(placeholders(lookup(da, key)))
  })
})
