import { describe, expect, it } from 'vitest'
import { createTally, postgresPlan } from './tally.mjs'

describe('the totals line of npm test', () => {
  it('counts skipped tests beside passed and failed, from Vitest and Playwright alike', () => {
    const tally = createTally()
    tally.step('lint', 0)
    tally.vitest('vitest', { numPassedTests: 400, numFailedTests: 0, numPendingTests: 3, numTodoTests: 1, success: true })
    tally.playwright('playwright', { expected: 4, unexpected: 0, flaky: 0, skipped: 2 })
    expect(tally.line()).toBe('405 passed, 0 failed, 6 skipped')
    expect(tally.ok).toBe(true)
  })

  it('fails a run that left no report, and one whose file failed to load', () => {
    const tally = createTally()
    tally.vitest('vitest', null)
    tally.vitest('vitest (pg)', { numPassedTests: 10, numFailedTests: 0, success: false })
    expect(tally.line()).toBe('10 passed, 2 failed, 0 skipped')
    expect(tally.failures).toEqual(['vitest (no report)', 'vitest (pg) (a file failed to load)'])
  })

  it('fails a run that must run tests and ran none, even though nothing in it failed', () => {
    const tally = createTally()
    tally.vitest('vitest (pg)', { numPassedTests: 0, numFailedTests: 0, numPendingTests: 12, success: true }, { mustRun: true })
    expect(tally.line()).toBe('0 passed, 1 failed, 12 skipped')
    expect(tally.ok).toBe(false)
  })
})

describe('the PostgreSQL run of the server suite', () => {
  it('runs against the database it is given', () => {
    expect(postgresPlan({ KANTINE_TEST_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' })).toEqual({
      run: true,
      url: 'postgres://postgres@127.0.0.1:5432/test',
    })
  })

  it('on a developer machine without PostgreSQL, is skipped with a note, not a failure', () => {
    const plan = postgresPlan({})
    expect(plan).toMatchObject({ run: false, failure: null })
    expect(plan.run === false && plan.note).toMatch(/skipped/)
  })

  it('in CI, where it is required, counts as a failure in the totals when it cannot run', () => {
    const plan = postgresPlan({ KANTINE_REQUIRE_POSTGRES: '1' })
    expect(plan.run).toBe(false)
    const tally = createTally()
    tally.vitest('vitest', { numPassedTests: 400, numFailedTests: 0, numPendingTests: 3, success: true })
    if (!plan.run && plan.failure) tally.missing('vitest (PostgreSQL)', plan.failure)
    expect(tally.line()).toBe('400 passed, 1 failed, 3 skipped')
    expect(tally.failures[0]).toMatch(/PostgreSQL.*skipped: no PostgreSQL/)
  })
})
