import { describe, expect, it } from 'vitest'
import { normalizeCardNumber } from './card'

describe('card numbers', () => {
  it('upper-cases letters and drops spaces a person may type', () => {
    expect(normalizeCardNumber(' k7f3 a912 ')).toEqual({ ok: true, number: 'K7F3A912' })
    expect(normalizeCardNumber('demo-0001')).toEqual({ ok: true, number: 'DEMO0001' })
  })
  it('refuses what cannot be a card number', () => {
    expect(normalizeCardNumber('12')).toEqual({ ok: false, reason: 'card-number-invalid' })
    expect(normalizeCardNumber('æøå12345')).toEqual({ ok: false, reason: 'card-number-invalid' })
    expect(normalizeCardNumber("1'; DROP TABLE cards")).toEqual({ ok: false, reason: 'card-number-invalid' })
  })
})
