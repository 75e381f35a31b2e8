// The totals of `npm test` over every runner: "N passed, N failed, N skipped". Static checks
// count as one test each; Vitest and Playwright count their tests. A skipped test is shown, not
// hidden in "passed": the server's PostgreSQL-only tests skip on PGlite, and a run where they
// never ran anywhere must be visible. Pure bookkeeping (reports in, numbers out), so it is tested.

export function createTally() {
  const t = { passed: 0, failed: 0, skipped: 0, failures: [] }

  function fail(why) {
    t.failed++
    t.failures.push(why)
  }

  return {
    /** A static check (typecheck, lint, build, security scan): one test, passed when it exits 0. */
    step(name, exitCode) {
      if (exitCode === 0) t.passed++
      else fail(name)
    },

    /**
     * A Vitest run from its JSON report (`null` when the run left none). `mustRun`: a run that
     * executed no test at all counts as one failure (e.g. the PostgreSQL run finding no files).
     */
    vitest(name, report, { mustRun = false } = {}) {
      if (!report) return fail(`${name} (no report)`)
      t.passed += report.numPassedTests ?? 0
      t.failed += report.numFailedTests ?? 0
      t.skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
      if ((report.numFailedTests ?? 0) > 0) t.failures.push(name)
      // A file that failed to load has no failed test, but the run failed.
      else if (report.success === false) fail(`${name} (a file failed to load)`)
      if (mustRun && (report.numPassedTests ?? 0) + (report.numFailedTests ?? 0) === 0) fail(`${name} (ran no test)`)
    },

    /** A Playwright run from its JSON report's `stats` (`null` when it left no report). */
    playwright(name, stats) {
      if (!stats) return fail(`${name} (no report)`)
      t.passed += (stats.expected ?? 0) + (stats.flaky ?? 0)
      t.failed += stats.unexpected ?? 0
      t.skipped += stats.skipped ?? 0
      if ((stats.unexpected ?? 0) > 0) t.failures.push(name)
      if ((stats.expected ?? 0) + (stats.unexpected ?? 0) + (stats.flaky ?? 0) === 0) fail(`${name} (ran no test)`)
    },

    /** A run that should have happened and did not: one failure, with the reason. */
    missing(name, reason) {
      fail(`${name} (${reason})`)
    },

    get ok() {
      return t.failed === 0
    },
    get failures() {
      return [...t.failures]
    },
    /** The last line of `npm test` (and of .ci/run). */
    line() {
      return `${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`
    },
  }
}

/**
 * Whether the server suite runs a second time on PostgreSQL. Optional for `npm test` on a
 * developer's machine; .ci/run sets KANTINE_REQUIRE_POSTGRES=1, and then a run that cannot
 * happen is a failure, not a silence.
 * @returns {{ run: true, url: string } | { run: false, failure: string | null, note: string }}
 */
export function postgresPlan(env) {
  const url = env.KANTINE_TEST_DATABASE_URL
  if (url) return { run: true, url }
  const note = 'the PostgreSQL run of the server suite was skipped: KANTINE_TEST_DATABASE_URL is not set'
  if (env.KANTINE_REQUIRE_POSTGRES === '1') {
    return { run: false, failure: 'skipped: no PostgreSQL (KANTINE_TEST_DATABASE_URL unset; CI requires it)', note }
  }
  return { run: false, failure: null, note }
}
