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
  const body = rows.map((r) => [r.name, String(r.value), r.unit, String(r.baseline), String(r.ratio), r.target, r.ok ? 'yes' : 'NO'])
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)))
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |'
  console.log(line(head))
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|')
  for (const b of body) console.log(line(b))
}
