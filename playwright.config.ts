import { defineConfig } from '@playwright/test'
import { findChromium } from './scripts/chromium.mjs'

// The Chromium `npm test` found (CHROMIUM_PATH), else the same search (scripts/chromium.mjs: the
// system's, then Playwright's own download); flags from STACK.md. With none, Playwright's default
// applies and its error says to run `npx playwright install chromium`.
export default defineConfig({
  testDir: 'test/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  // Two workers, each with its own demo and kiosk servers: the specs of a file run in order in
  // one worker; specs say what shared demo state they need (fixtures.ts ensureBalance). Halves
  // the e2e time on the CI's two cores, keeping `npm test` under its 15 minutes.
  fullyParallel: false,
  workers: 2,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ?? '.tmp/playwright.json' }]],
  use: {
    viewport: { width: 1280, height: 800 },
    locale: 'da-DK',
    timezoneId: 'Europe/Copenhagen',
    launchOptions: {
      executablePath: findChromium() ?? undefined,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
    trace: 'off',
    screenshot: 'only-on-failure',
  },
})
