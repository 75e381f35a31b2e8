import { describe, expect, it } from 'vitest'
import { decideChromium, type ChromiumFacts } from './chromium.mjs'

/** A machine with exactly these files. */
function machine(files: string[], rest: Partial<ChromiumFacts> = {}): ChromiumFacts {
  return { exists: (p) => files.includes(p), playwrightChromiums: [], platform: 'linux', uid: 1000, aptAvailable: true, ...rest }
}

const PW = '/root/.cache/ms-playwright/chromium-1200/chrome-linux64/chrome'

describe('which Chromium npm test drives, on a fresh machine', () => {
  it("uses Debian's Chromium where it is installed", () => {
    expect(decideChromium(machine(['/usr/bin/chromium']))).toEqual({ action: 'use', path: '/usr/bin/chromium' })
  })

  it('uses Ubuntu’s chromium-browser or Google Chrome where that is what the machine has', () => {
    expect(decideChromium(machine(['/usr/bin/chromium-browser']))).toEqual({ action: 'use', path: '/usr/bin/chromium-browser' })
    expect(decideChromium(machine(['/usr/bin/google-chrome-stable']))).toEqual({ action: 'use', path: '/usr/bin/google-chrome-stable' })
  })

  it('uses the one named in CHROMIUM_PATH first, and stops at once when that file is not there', () => {
    expect(decideChromium(machine(['/usr/bin/chromium', '/opt/chrome/chrome'], { chromiumPath: '/opt/chrome/chrome' }))).toEqual({
      action: 'use',
      path: '/opt/chrome/chrome',
    })
    const wrong = decideChromium(machine(['/usr/bin/chromium'], { chromiumPath: '/opt/nothing' }))
    expect(wrong).toMatchObject({ action: 'stop', message: expect.stringContaining('/opt/nothing') })
  })

  it('uses Playwright’s own download where one is installed and the system has none', () => {
    expect(decideChromium(machine([PW], { playwrightChromiums: [PW] }))).toEqual({ action: 'use', path: PW })
    // A download folder without the browser in it is not a browser.
    expect(decideChromium(machine([], { playwrightChromiums: [PW], uid: 0 }))).toMatchObject({ action: 'install' })
  })

  it("installs Debian's chromium when it runs as root with apt", () => {
    expect(decideChromium(machine([], { uid: 0, aptAvailable: true }))).toEqual({
      action: 'install',
      command: ['apt-get', 'install', '-y', 'chromium'],
      then: '/usr/bin/chromium',
    })
  })

  it('stops with the one command to run when it may not install', () => {
    expect(decideChromium(machine([], { uid: 1000, aptAvailable: true }))).toMatchObject({
      action: 'stop',
      command: 'sudo apt-get install -y chromium',
    })
    expect(decideChromium(machine([], { uid: 0, aptAvailable: false }))).toMatchObject({
      action: 'stop',
      command: expect.stringMatching(/^npx playwright install chromium/),
    })
    expect(decideChromium(machine([], { platform: 'darwin', uid: 501, aptAvailable: false }))).toMatchObject({
      action: 'stop',
      command: expect.stringMatching(/^npx playwright install chromium/),
    })
  })
})
