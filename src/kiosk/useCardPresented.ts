/**
 * A child's card held to the kiosk's reader: from the core's reader (`reader.card`) or, for a
 * reader that types, as a burst of keys caught by the same wedge detector the till uses
 * (composables/useKeyboardWedge.ts: decoded by physical key, swallowed wherever focus is, so it
 * never lands in a field).
 */
import { watch } from 'vue'
import { normalizeCardNumber } from '../../domain/card'
import { useKeyboardWedge } from '../composables/useKeyboardWedge'
import { useReaderStore } from '../stores/reader'

export function useCardPresented(onCard: (cardNumber: string) => void): void {
  const reader = useReaderStore()
  const deliver = (raw: string) => {
    const card = normalizeCardNumber(raw)
    if (card.ok) onCard(card.number)
  }

  // Only cards presented from now on: the last one read belongs to someone earlier.
  watch(
    () => reader.lastCard?.seq,
    () => {
      if (reader.lastCard) deliver(reader.lastCard.cardNumber)
    },
  )

  // A reader that types: the till's wedge detector (by physical key, so the layout never matters).
  useKeyboardWedge(deliver)
}
