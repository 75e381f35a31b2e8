// .ci/run and scripts/test.mjs end to end, with the runners replaced by stand-ins on PATH that
// write the reports a real run would (npx vitest / npx playwright / node scripts/electronegativity),
// so the bookkeeping is tested in seconds: what the totals line says, and the exit code.
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..')
const work = mkdtempSync(join(tmpdir(), 'kantine-ci-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const bin = join(work, 'bin')
mkdirSync(bin)
function stub(name: string, body: string) {
  writeFileSync(join(bin, name), `#!/usr/bin/env bash\n${body}\n`)
  chmodSync(join(bin, name), 0o755)
}
// npx: every static check passes; Vitest writes $FAKE_VITEST (or $FAKE_VITEST_PG on PostgreSQL).
stub(
  'npx',
  `case "$1" in
  vitest)
    for a in "$@"; do case "$a" in --outputFile.json=*) out="\${a#--outputFile.json=}";; esac; done
    if [ -n "\${KANTINE_TEST_DATABASE_URL:-}" ]; then printf '%s' "$FAKE_VITEST_PG" > "$out"; else printf '%s' "$FAKE_VITEST" > "$out"; fi ;;
  playwright) printf '%s' '{"stats":{"expected":4,"unexpected":0,"flaky":0,"skipped":1}}' > "$PLAYWRIGHT_JSON_OUTPUT_NAME" ;;
esac
exit 0`,
)
stub('node', 'exit 0') // only the security scan is started as plain `node`
stub('npm', `[ "$1" = test ] && exec "${process.execPath}" "${join(root, 'scripts/test.mjs')}"\nexit 1`)
stub('ldconfig', "echo '	libusb-1.0.so.0 (libc6,x86-64) => /lib/libusb-1.0.so.0'")
stub('pg_isready', 'exit 2') // no PostgreSQL on this machine

const PGLITE_RUN = JSON.stringify({ numPassedTests: 300, numFailedTests: 0, numPendingTests: 3, numTodoTests: 0, success: true })

function ci(env: Record<string, string>) {
  const res = spawnSync('bash', [join(root, '.ci/run')], {
    cwd: root,
    encoding: 'utf8',
    env: {
      ...process.env,
      KANTINE_TEST_DATABASE_URL: '',
      CHROMIUM_PATH: process.execPath, // any existing file: the runners are stand-ins
      PATH: `${bin}:${process.env.PATH}`,
      KANTINE_REPORT_DIR: join(work, 'reports'),
      FAKE_VITEST: PGLITE_RUN,
      FAKE_VITEST_PG: '',
      ...env,
    },
  })
  const lines = res.stdout.trim().split('\n')
  return { status: res.status, last: lines.at(-1), out: res.stdout }
}

// .ci/run is bash on Debian; Windows has neither.
describe.runIf(process.platform !== 'win32')('CI never passes with the PostgreSQL run quietly missing', () => {
  it('ends with the totals, skipped tests included, when every run ran', () => {
    const r = ci({
      KANTINE_TEST_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      FAKE_VITEST_PG: JSON.stringify({ numPassedTests: 120, numFailedTests: 0, numPendingTests: 0, success: true }),
    })
    expect(r.last).toBe('429 passed, 0 failed, 4 skipped') // 5 checks + 300 + 120 + 4 browser tests
    expect(r.status).toBe(0)
  })

  it('fails, saying why, when no PostgreSQL answers', () => {
    const r = ci({})
    expect(r.out).toMatch(/PostgreSQL does not answer on 127\.0\.0\.1:5432/)
    expect(r.out).toMatch(/Failed: .*PostgreSQL.*skipped/)
    expect(r.last).toBe('309 passed, 1 failed, 4 skipped')
    expect(r.status).not.toBe(0)
  })

  it('fails when the PostgreSQL run ran no test', () => {
    const r = ci({
      KANTINE_TEST_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      FAKE_VITEST_PG: JSON.stringify({ numPassedTests: 0, numFailedTests: 0, numPendingTests: 0, success: true }),
    })
    expect(r.out).toMatch(/Failed: .*PostgreSQL.*ran no test/)
    expect(r.last).toBe('309 passed, 1 failed, 4 skipped')
    expect(r.status).not.toBe(0)
  })

  it('stops before the long steps, with the one command to run, when CHROMIUM_PATH names nothing', () => {
    const r = ci({ CHROMIUM_PATH: join(work, 'no-such-chromium') })
    expect(r.out).toMatch(/unset CHROMIUM_PATH/)
    expect(r.out).not.toMatch(/=== typecheck/)
    expect(r.last).toBe('0 passed, 1 failed, 0 skipped')
    expect(r.status).not.toBe(0)
  })
})
