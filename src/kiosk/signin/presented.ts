/**
 * A card shown to the reader on the start screen, handed to the PIN screen in memory (not in
 * the address or storage: a card number is the child's).
 */
let presented: string | null = null

export function handOverCard(cardNumber: string): void {
  presented = cardNumber
}

/** The card handed over, once. */
export function takeCard(): string | null {
  const card = presented
  presented = null
  return card
}
