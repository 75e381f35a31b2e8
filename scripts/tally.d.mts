// Types of scripts/tally.mjs (plain JavaScript: it runs before `npm ci`), for its tests.
export interface VitestReport {
  numPassedTests?: number
  numFailedTests?: number
  numPendingTests?: number
  numTodoTests?: number
  success?: boolean
}
export interface PlaywrightStats {
  expected?: number
  unexpected?: number
  flaky?: number
  skipped?: number
}
export interface Tally {
  step(name: string, exitCode: number): void
  vitest(name: string, report: VitestReport | null, options?: { mustRun?: boolean }): void
  playwright(name: string, stats: PlaywrightStats | null): void
  missing(name: string, reason: string): void
  readonly ok: boolean
  readonly failures: string[]
  line(): string
}
export declare function createTally(): Tally
export declare function postgresPlan(
  env: Record<string, string | undefined>,
): { run: true; url: string } | { run: false; failure: string | null; note: string }
