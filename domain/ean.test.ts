import { describe, expect, it } from 'vitest'
import { canonicalBarcode, classifyScan, eanCheckDigit, isEan } from './ean'

describe('EAN check digits', () => {
  it('computes the check digit of well-known codes', () => {
    expect(eanCheckDigit('400638133393')).toBe(1)
    expect(eanCheckDigit('590123412345')).toBe(7)
    expect(eanCheckDigit('7351353')).toBe(7)
  })

  it('accepts EAN-13 and EAN-8 with the right check digit and nothing else', () => {
    expect(isEan('4006381333931')).toBe(true)
    expect(isEan('73513537')).toBe(true)
    expect(isEan('4006381333932')).toBe(false)
    expect(isEan('73513538')).toBe(false)
    expect(isEan('400638133393')).toBe(false)
    expect(isEan('40063813339310')).toBe(false)
    expect(isEan('4006381333g31')).toBe(false)
    expect(isEan('')).toBe(false)
  })

  it('every single-digit misread of a code fails its check', () => {
    const code = '5793101433680'
    for (let i = 0; i < code.length; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === code[i]) continue
        expect(isEan(code.slice(0, i) + d + code.slice(i + 1))).toBe(false)
      }
    }
  })

  it('keeps UPC-A in its EAN-13 form', () => {
    expect(canonicalBarcode('036000291452')).toBe('0036000291452')
    expect(canonicalBarcode('036000291453')).toBeNull()
    expect(canonicalBarcode(' 4006381333931 ')).toBe('4006381333931')
  })
})

describe('a scan: product or card', () => {
  const catalogue = new Set(['5793101433680', '73513537'])
  const known = (b: string) => catalogue.has(b)

  it('adds a product for a valid barcode the catalogue knows', () => {
    expect(classifyScan('5793101433680', known)).toEqual({ kind: 'product', barcode: '5793101433680' })
    expect(classifyScan('73513537', known)).toEqual({ kind: 'product', barcode: '73513537' })
  })

  it('treats a card number as a card, even one that looks like a barcode the catalogue lacks', () => {
    expect(classifyScan('DEMO0001', known)).toEqual({ kind: 'card', text: 'DEMO0001' })
    expect(classifyScan('4006381333931', known)).toEqual({ kind: 'card', text: '4006381333931' })
  })

  it('never takes a misread barcode for the product', () => {
    expect(classifyScan('5793101433681', (b) => b.startsWith('579310143368'))).toEqual({ kind: 'card', text: '5793101433681' })
  })
})
