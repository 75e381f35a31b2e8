import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // Playwright specs live in test/e2e and are run by Playwright, not Vitest.
    include: ['domain/**/*.test.ts', 'scripts/**/*.test.ts', 'electron/**/*.test.ts', 'server/**/*.test.ts', 'src/**/*.test.ts', 'test/integration/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
})
