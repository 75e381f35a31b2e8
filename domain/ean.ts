/**
 * Product barcodes (EAN-13, EAN-8 and UPC-A, which is EAN-13 with a leading zero) and telling
 * one from a card number. Both arrive the same way, as digits typed by a reader, so a scan is a
 * product only when its check digit is right *and* the catalogue has that barcode; anything else
 * goes on as a card (a card number that happens to pass the check is still a card unless a
 * product carries it, which the catalogue's uniqueness of barcodes makes the manager's choice).
 */

const DIGITS = /^[0-9]+$/

/** The GS1 check digit of `body` (the code without its last digit): weights 3,1,3,… from the right. */
export function eanCheckDigit(body: string): number {
  if (!DIGITS.test(body)) throw new Error('an EAN body is digits only')
  let sum = 0
  for (let i = 0; i < body.length; i++) {
    const digit = body.charCodeAt(body.length - 1 - i) - 48
    sum += i % 2 === 0 ? digit * 3 : digit
  }
  return (10 - (sum % 10)) % 10
}

/** An EAN-13 or EAN-8 with a correct check digit. */
export function isEan(code: string): boolean {
  if ((code.length !== 13 && code.length !== 8) || !DIGITS.test(code)) return false
  return eanCheckDigit(code.slice(0, -1)) === code.charCodeAt(code.length - 1) - 48
}

/**
 * The barcode as the catalogue keeps it: EAN-13 or EAN-8 as scanned, UPC-A (12 digits) as its
 * EAN-13 form, or null when the text is no valid product barcode.
 */
export function canonicalBarcode(text: string): string | null {
  const code = text.trim()
  if (code.length === 12 && DIGITS.test(code)) return isEan(`0${code}`) ? `0${code}` : null
  return isEan(code) ? code : null
}

export type ScanKind = { kind: 'product'; barcode: string } | { kind: 'card'; text: string }

/**
 * A product when the text is a valid barcode the catalogue knows (`isProductBarcode` is asked
 * with the canonical form); otherwise the text is for the card lookup, which refuses what is no card.
 */
export function classifyScan(text: string, isProductBarcode: (barcode: string) => boolean): ScanKind {
  const barcode = canonicalBarcode(text)
  if (barcode !== null && isProductBarcode(barcode)) return { kind: 'product', barcode }
  return { kind: 'card', text: text.trim() }
}
