/**
 * Money is integer øre everywhere. Only the edges (display, parsing typed input) see kroner.
 */
export type Ore = number

const kroner = new Intl.NumberFormat('da-DK', { minimumFractionDigits: 2, maximumFractionDigits: 2 })

export function isOre(value: unknown): value is Ore {
  return typeof value === 'number' && Number.isSafeInteger(value)
}

/** `123450` → `kr. 1.234,50` (da-DK, the way a Danish receipt writes it). Negative: `-kr. 12,00`. */
export function formatKr(ore: Ore): string {
  if (!isOre(ore)) throw new TypeError(`formatKr: not an integer amount of øre: ${String(ore)}`)
  const sign = ore < 0 ? '-' : ''
  return `${sign}kr. ${kroner.format(Math.abs(ore) / 100)}`
}

/** Whole kroner (top-ups, auto top-up amounts, payouts) to øre. */
export function kr(wholeKroner: number): Ore {
  if (!Number.isSafeInteger(wholeKroner)) throw new TypeError(`kr: not whole kroner: ${wholeKroner}`)
  return wholeKroner * 100
}

/**
 * A positive amount of whole kroner, in øre: what a top-up, an auto top-up amount and a payout
 * must be (DESIGN.md "The rules"). The one check every money entry point shares.
 */
export function isWholeKroner(amount: unknown): amount is Ore {
  return isOre(amount) && amount > 0 && amount % 100 === 0
}

export function sumOre(values: Iterable<Ore>): Ore {
  let total = 0
  for (const v of values) total += v
  return total
}
