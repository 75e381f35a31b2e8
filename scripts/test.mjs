// `npm test`: every check, in order, each run even if an earlier one failed; ends with one
// line of totals over every runner: "N passed, N failed". Static checks (typecheck, lint,
// build, security scan) count as one test each; Vitest and Playwright count their tests.
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ensureDependencies, root, run } from './lib.mjs'

ensureDependencies()
const tmp = join(root, '.tmp')
mkdirSync(tmp, { recursive: true })

let passed = 0
let failed = 0
const failures = []

function step(name, cmd, args, env) {
  console.log(`\n=== ${name} ===`)
  const code = run(cmd, args, { env })
  if (code === 0) passed++
  else {
    failed++
    failures.push(name)
  }
  return code
}

function vitestTotals(file, name) {
  if (!existsSync(file)) {
    failed++
    failures.push(`${name} (no report)`)
    return
  }
  const r = JSON.parse(readFileSync(file, 'utf8'))
  passed += r.numPassedTests
  failed += r.numFailedTests
  if (r.numFailedTests > 0 || r.success === false) failures.push(name)
  if (r.success === false && r.numFailedTests === 0) {
    failed++ // a file that failed to load has no failed test, but it failed
  }
}

function vitest(name, args, env, report) {
  console.log(`\n=== ${name} ===`)
  run('npx', ['vitest', 'run', ...args, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], { env })
  vitestTotals(report, name)
}

step('typecheck (node: electron, server, domain)', 'npx', ['tsc', '-p', 'tsconfig.node.json', '--noEmit'])
step('typecheck (web: src, domain)', 'npx', ['vue-tsc', '-p', 'tsconfig.web.json', '--noEmit'])
step('lint (eslint, import boundaries)', 'npx', ['eslint', '.'])
step('build (electron-vite: main, preload, renderer)', 'npx', ['electron-vite', 'build'])
step('security (electronegativity over electron/)', 'node', ['scripts/electronegativity.mjs'])

vitest('vitest (unit + integration, PGlite)', [], { KANTINE_TEST_DATABASE_URL: undefined }, join(tmp, 'vitest.json'))
const pgUrl = process.env.KANTINE_TEST_DATABASE_URL
if (pgUrl) {
  // One file at a time: the pull guard is cluster-wide (sync/pull.ts), so the test that holds a
  // transaction open on purpose would hold back every other file's pulls for its few seconds.
  vitest(
    'vitest (server suite + sync integration on PostgreSQL)',
    ['server', 'test/integration/sync.test.ts', '--no-file-parallelism'],
    { KANTINE_TEST_DATABASE_URL: pgUrl },
    join(tmp, 'vitest-pg.json'),
  )
}

console.log('\n=== playwright (e2e in Chromium against the host shell) ===')
run('npx', ['playwright', 'test'], { env: { PLAYWRIGHT_JSON_OUTPUT_NAME: join(tmp, 'playwright.json') } })
const pwFile = join(tmp, 'playwright.json')
if (existsSync(pwFile)) {
  const s = JSON.parse(readFileSync(pwFile, 'utf8')).stats ?? {}
  passed += (s.expected ?? 0) + (s.flaky ?? 0)
  failed += s.unexpected ?? 0
  if ((s.unexpected ?? 0) > 0) failures.push('playwright')
  if ((s.expected ?? 0) + (s.unexpected ?? 0) + (s.flaky ?? 0) === 0) {
    failed++
    failures.push('playwright (ran no test)')
  }
} else {
  failed++
  failures.push('playwright (no report)')
}

if (failures.length) console.log(`\nFailed: ${failures.join('; ')}`)
console.log(`\n${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
