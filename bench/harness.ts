/**
 * Benchmark harness: each benchmark measures its work and a bare baseline of the same work in
 * the same run, several times; the table reports medians and their ratio. Results go to
 * bench/results.json in the format DESIGN.md gives.
 */
export interface BenchResult {
  name: string
  value: number
  unit: string
  baseline: number
  ratio: number
  target: string
  ok: boolean
}

export interface Benchmark {
  name: string
  run(): Promise<BenchResult[]>
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

export async function timeMs(fn: () => Promise<unknown> | unknown): Promise<number> {
  const start = process.hrtime.bigint()
  await fn()
  return Number(process.hrtime.bigint() - start) / 1e6
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits
  return Math.round(n * f) / f
}

export function printTable(rows: BenchResult[]): void {
  const head = ['benchmark', 'value', 'unit', 'baseline', 'ratio', 'target', 'ok']
  const num = (n: number) => (Number.isFinite(n) ? String(n) : 'n/a')
  const body = rows.map((r) => [r.name, num(r.value), r.unit, num(r.baseline), num(r.ratio), r.target, r.ok ? 'yes' : 'NO'])
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)))
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |'
  console.log(line(head))
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|')
  for (const b of body) console.log(line(b))
}

// --- added for bench/run.ts ------------------------------------------------------------------

/** Runs per benchmark: env BENCH_RUNS, default 3. */
export function benchRuns(): number {
  const n = Number(process.env.BENCH_RUNS ?? 3)
  if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_RUNS must be a positive integer, not ${process.env.BENCH_RUNS}`)
  return n
}

export interface Summary {
  name: string
  unit: string
  /** One measurement and one baseline per run, same units. */
  values: number[]
  baselines: number[]
  /** sales/s and the like: higher is better, so ratio = baseline / value (≤ 3 still means "within 3x"). */
  throughput?: boolean
  /** The absolute target, e.g. "< 10000 ms", and whether the median meets it. */
  target: string
  meets(value: number): boolean
  maxRatio?: number
}

/**
 * Two rows per benchmark: `name` judged by its absolute target, `name (ratio)` judged by the
 * ratio to its baseline. Both carry the same medians, so either row can be read alone.
 */
export function summarize(s: Summary): BenchResult[] {
  const value = median(s.values)
  const baseline = median(s.baselines)
  const ratio = s.throughput ? baseline / value : value / baseline
  const maxRatio = s.maxRatio ?? 3
  const common = { value: round(value, 1), unit: s.unit, baseline: round(baseline, 1), ratio: round(ratio, 2) }
  return [
    { name: s.name, ...common, target: s.target, ok: s.meets(value) },
    {
      name: `${s.name} (ratio)`,
      ...common,
      target: s.throughput ? `baseline/value ≤ ${maxRatio} (throughput: inverted)` : `value/baseline ≤ ${maxRatio}`,
      ok: ratio <= maxRatio,
    },
  ]
}

/** "12,345.6": run logs read better with separators. */
export function fmt(n: number, digits = 1): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })
}

/** A benchmark that could not finish (or whose result was wrong): one row saying so, never a number. */
export function failed(name: string, error: unknown): BenchResult {
  const message = error instanceof Error ? error.message : String(error)
  return { name, value: NaN, unit: '', baseline: NaN, ratio: NaN, target: `FAILED: ${message.slice(0, 160)}`, ok: false }
}
