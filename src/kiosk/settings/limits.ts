/** Limits as typed (whole kroner, empty for none) and as sent (øre or null). */
export type Period = 'day' | 'week' | 'month'

export function oreFromKr(text: string): number | null {
  const trimmed = text.trim()
  if (!/^[0-9]{1,6}$/.test(trimmed)) return null
  return Number(trimmed) * 100
}

/** What the field shows for a limit: whole kroner (rounded down), or empty for none. */
export function krFromOre(ore: number | null): string {
  return ore === null ? '' : String(Math.floor(ore / 100))
}
