/**
 * `npm run bench` runs every benchmark; `npm run bench -- NAME [NAME...]` runs some.
 * Prints the machine, each run, the table of medians, and writes bench/results.json
 * (DESIGN.md "Benchmarks"). With a subset, the other benchmarks' rows in results.json are kept.
 *
 * Env: BENCH_RUNS (default 3), BENCH_SERVER_DB=memory|folder (PGlite in memory, default, or in a
 * temp folder), BENCH_CACHE=0 (load the data set instead of restoring the cached load).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, freemem, loadavg, totalmem } from 'node:os'
import { benchRuns, failed, fmt, printTable, type BenchResult, type Benchmark } from './harness'
import { counter, tillMemory } from './counter'
import { initialSync } from './initial-sync'
import { pull1000 } from './pull-1000'
import { push } from './push'
import { scanToScreen } from './scan-to-screen'
import { closeWorld, world } from './world'

/**
 * Order matters a little: pull-1000 reuses initial-sync's till; counter reuses till-memory's;
 * push grows the change log last.
 */
const BENCHMARKS: Benchmark[] = [initialSync, pull1000, tillMemory, counter, scanToScreen, push]
const RESULTS = new URL('./results.json', import.meta.url)

function machine(): string {
  const c = cpus()
  const load = loadavg().map((l) => l.toFixed(2)).join(' ')
  return [
    `machine: ${c.length} cores (${c[0]?.model.trim() ?? 'unknown cpu'}), ${fmt(totalmem() / 2 ** 30, 1)} GiB RAM (${fmt(freemem() / 2 ** 30, 1)} free), load average ${load}`,
    `node ${process.version} on ${process.platform}-${process.arch}; ${benchRuns()} runs per benchmark (BENCH_RUNS), medians reported`,
  ].join('\n')
}

/** A benchmark's rows are named after it: `NAME`, `NAME (ratio)`, `NAME <figure>` (counter's p50, p99 …). */
const belongsTo = (row: string, benchmark: string) => row === benchmark || row.startsWith(`${benchmark} `)

function writeResults(rows: BenchResult[], ran: readonly Benchmark[]): void {
  let kept: BenchResult[] = []
  if (ran.length < BENCHMARKS.length && existsSync(RESULTS)) {
    try {
      const old = JSON.parse(readFileSync(RESULTS, 'utf8')) as BenchResult[]
      kept = old.filter((r) => !ran.some((b) => belongsTo(r.name, b.name)))
    } catch {
      kept = []
    }
  }
  const order = (row: BenchResult) => BENCHMARKS.findIndex((b) => belongsTo(row.name, b.name))
  // A stable sort: a benchmark's own rows keep the order it wrote them in.
  const all = [...kept, ...rows].sort((a, b) => order(a) - order(b))
  writeFileSync(RESULTS, JSON.stringify(all, null, 2) + '\n')
}

async function main(): Promise<void> {
  const names = process.argv.slice(2).filter((a) => !a.startsWith('-'))
  const unknown = names.filter((n) => !BENCHMARKS.some((b) => b.name === n))
  if (unknown.length) {
    console.error(`unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`)
    process.exit(2)
  }
  const selected = names.length ? BENCHMARKS.filter((b) => names.includes(b.name)) : BENCHMARKS
  console.log(machine())

  const started = performance.now()
  const w = await world()
  console.log(`server: PGlite (${w.serverDb}) at ${w.server.url}, data set ${w.loadedFrom === 'cache' ? 'restored from the cache of an earlier load' : 'generated and loaded'} in ${fmt(w.loadMs / 1000)} s (not measured)\n`)

  const rows: BenchResult[] = []
  try {
    for (const b of selected) {
      console.log(`${b.name}`)
      const t = performance.now()
      try {
        rows.push(...(await b.run()))
      } catch (err) {
        // A wrong result is a failure, not a number: say so and go on with the others.
        console.log(`  FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
        rows.push(failed(b.name, err))
      }
      console.log(`  (${fmt((performance.now() - t) / 1000)} s)\n`)
    }
  } finally {
    await closeWorld()
  }
  printTable(rows)
  writeResults(rows, selected)
  console.log(`\nwrote ${RESULTS.pathname}; total ${fmt((performance.now() - started) / 1000)} s`)
  if (rows.some((r) => !r.ok)) console.log(`targets not met: ${rows.filter((r) => !r.ok).map((r) => r.name).join(', ')}`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
