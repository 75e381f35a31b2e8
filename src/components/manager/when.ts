/**
 * "Fra nu" or "fra dato/tid" for a price change: the <input type=datetime-local> value is the
 * till's local time (Copenhagen), turned into the ISO instant the server stores.
 */
export function localInputValue(at: Date): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${at.getFullYear()}-${p(at.getMonth() + 1)}-${p(at.getDate())}T${p(at.getHours())}:${p(at.getMinutes())}`
}

/** The ISO instant of a datetime-local value, or null when it is empty or no date. */
export function instantOf(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value)) return null
  const at = new Date(value)
  return Number.isNaN(at.getTime()) ? null : at.toISOString()
}

const whenFormat = new Intl.DateTimeFormat('da-DK', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: 'Europe/Copenhagen' })

/** A price change's moment for the list of upcoming changes, e.g. "1. dec. 2026 06.00.00". */
export function formatWhen(iso: string): string {
  const at = new Date(iso)
  return Number.isNaN(at.getTime()) ? iso : whenFormat.format(at)
}
