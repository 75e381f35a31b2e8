/**
 * The sale the cashier has tapped Betal for and not yet seen answered. It is written down before
 * the call and wiped once an answer (approved or refused) arrives, so whatever happens in between
 * (the core dies after its commit, the page reloads, the host restarts) the screen can ask the core
 * what became of exactly that attempt instead of inviting a second tap.
 *
 * Kept in the till's localStorage, not sessionStorage: a restarted host opens a new window, whose
 * sessionStorage starts empty. The profile is the till's own and holds nothing more than the
 * basket and card number the screen showed.
 */
import type { Ore } from '../../domain/money'

export const IN_FLIGHT_KEY = 'kantine.sale.inFlight'

export interface InFlightSale {
  saleId: string
  cardNumber: string
  holderName: string
  lines: { productId: string; name: string; categoryId: string; unitPrice: Ore; qty: number }[]
}

export interface AttemptStorage {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

export function saveInFlight(storage: AttemptStorage, sale: InFlightSale): void {
  storage.setItem(IN_FLIGHT_KEY, JSON.stringify(sale))
}

export function clearInFlight(storage: AttemptStorage): void {
  storage.removeItem(IN_FLIGHT_KEY)
}

function isInFlight(v: unknown): v is InFlightSale {
  if (typeof v !== 'object' || v === null) return false
  const s = v as Partial<InFlightSale>
  return typeof s.saleId === 'string' && typeof s.cardNumber === 'string' && typeof s.holderName === 'string' && Array.isArray(s.lines)
}

/** The attempt left behind, if any; anything unreadable is dropped rather than trusted. */
export function loadInFlight(storage: AttemptStorage): InFlightSale | null {
  const raw = storage.getItem(IN_FLIGHT_KEY)
  if (raw === null) return null
  try {
    const parsed: unknown = JSON.parse(raw)
    if (isInFlight(parsed)) return parsed
  } catch {
    // fall through
  }
  clearInFlight(storage)
  return null
}

export function memoryStorage(): AttemptStorage & { data: Map<string, string> } {
  const data = new Map<string, string>()
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  }
}
