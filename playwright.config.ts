import { defineConfig } from '@playwright/test'
import { findChromium } from './scripts/chromium.mjs'

// The Chromium `npm test` found (CHROMIUM_PATH), else the same search (scripts/chromium.mjs: the
// system's, then Playwright's own download); flags from STACK.md. With none, Playwright's default
// applies and its error says to run `npx playwright install chromium`.
export default defineConfig({
  testDir: 'test/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
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
