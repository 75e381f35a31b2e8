/**
 * Postgres sends int8 and numeric as text (they can exceed a double). Every amount here is øre in
 * a bigint column, far below 2^53, so both drivers turn them into numbers; a value that would
 * lose precision throws rather than round.
 */
export function parseInt8(text: string): number {
  const n = Number(text)
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${text} is not a safe JS integer`)
  return n
}

export function parseNumeric(text: string): number {
  const n = Number(text)
  if (Number.isNaN(n) && text !== 'NaN') throw new RangeError(`numeric value ${text} is not a number`)
  if (Number.isInteger(n) && !Number.isSafeInteger(n)) throw new RangeError(`numeric value ${text} is not a safe JS integer`)
  return n
}

/** One-dimensional array literal of unquoted numbers, e.g. `{1,2,NULL}`. */
export function parseNumberArray(text: string, parse: (s: string) => number): (number | null)[] {
  const inner = text.slice(1, -1)
  if (inner === '') return []
  return inner.split(',').map((s) => (s === 'NULL' ? null : parse(s)))
}

export const OID = { int8: 20, numeric: 1700, int8Array: 1016, numericArray: 1231 } as const
