import { describe, expect, it } from 'vitest'
import { formatKr, isWholeKroner, kr } from './money'

describe('money', () => {
  it('shows øre the Danish way, as on a receipt', () => {
    expect(formatKr(123450)).toBe('kr. 1.234,50')
    expect(formatKr(500)).toBe('kr. 5,00')
    expect(formatKr(0)).toBe('kr. 0,00')
    expect(formatKr(-1250)).toBe('-kr. 12,50')
  })
  it('refuses an amount that is not whole øre', () => {
    expect(() => formatKr(12.5)).toThrow(/øre/)
    expect(() => kr(10.5)).toThrow(/whole kroner/)
    expect(kr(25)).toBe(2500)
  })
})

describe('whole kroner', () => {
  it('are what a top-up, an auto top-up and a payout must be: positive, in øre, a multiple of 100', () => {
    expect(isWholeKroner(2500)).toBe(true)
    for (const bad of [0, -100, 2550, 10.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN, '2500', null]) expect(isWholeKroner(bad)).toBe(false)
  })
})
