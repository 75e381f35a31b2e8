// `npm test`: every check, in order, each run even if an earlier one failed; ends with one
// line of totals over every runner: "N passed, N failed, N skipped" (scripts/tally.mjs).
// First, before anything long: a Chromium for the browser tests, or stop with the one command
// that gets one.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { ensureChromium, ensureDependencies, root, run } from './lib.mjs'
import { createTally, postgresPlan } from './tally.mjs'

const tally = createTally()

function finish() {
  if (tally.failures.length) console.log(`\nFailed: ${tally.failures.join('; ')}`)
  console.log(`\n${tally.line()}`)
  process.exit(tally.ok ? 0 : 1)
}

const chromium = ensureChromium()
if (!chromium) {
  tally.missing('playwright', 'no Chromium')
  finish()
}
// Every runner below (Playwright's config, tests that open a window) uses the one found.
process.env.CHROMIUM_PATH = chromium
console.log(`Chromium for the browser tests: ${chromium}`)

ensureDependencies()
// The runners' JSON reports (KANTINE_REPORT_DIR lets scripts/ci.test.ts run this script beside a real run).
const tmp = process.env.KANTINE_REPORT_DIR || join(root, '.tmp')
mkdirSync(tmp, { recursive: true })

function step(name, cmd, args, env) {
  console.log(`\n=== ${name} ===`)
  tally.step(name, run(cmd, args, { env }))
}

function readJson(file) {
  if (!existsSync(file)) return null
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return null
  }
}

function vitest(name, args, env, report, options) {
  console.log(`\n=== ${name} ===`)
  rmSync(report, { force: true }) // a report left by an earlier run must not count for this one
  run('npx', ['vitest', 'run', ...args, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], { env })
  tally.vitest(name, readJson(report), options)
}

step('typecheck (node: electron, server, domain)', 'npx', ['tsc', '-p', 'tsconfig.node.json', '--noEmit'])
step('typecheck (web: src, domain)', 'npx', ['vue-tsc', '-p', 'tsconfig.web.json', '--noEmit'])
step('lint (eslint, import boundaries)', 'npx', ['eslint', '.'])
step('build (electron-vite: main, preload, renderer)', 'npx', ['electron-vite', 'build'])
step('security (electronegativity over electron/)', 'node', ['scripts/electronegativity.mjs'])

vitest('vitest (unit + integration, PGlite)', [], { KANTINE_TEST_DATABASE_URL: undefined }, join(tmp, 'vitest.json'))

const PG_RUN = 'vitest (server suite + sync integration on PostgreSQL)'
const pg = postgresPlan(process.env)
if (pg.run) {
  // One file at a time: the pull guard is cluster-wide (sync/pull.ts), so the test that holds a
  // transaction open on purpose would hold back every other file's pulls for its few seconds.
  vitest(PG_RUN, ['server', 'test/integration/sync.test.ts', '--no-file-parallelism'], { KANTINE_TEST_DATABASE_URL: pg.url }, join(tmp, 'vitest-pg.json'), {
    mustRun: true,
  })
} else {
  console.log(`\n=== ${PG_RUN} ===\nNote: ${pg.note}.`)
  if (pg.failure) tally.missing(PG_RUN, pg.failure)
}

console.log('\n=== playwright (e2e in Chromium against the host shell) ===')
const pwFile = join(tmp, 'playwright.json')
rmSync(pwFile, { force: true })
run('npx', ['playwright', 'test'], { env: { PLAYWRIGHT_JSON_OUTPUT_NAME: pwFile } })
tally.playwright('playwright', readJson(pwFile)?.stats ?? null)

finish()
