import type { BrowserWindowConstructorOptions } from 'electron'
import { describe, expect, it } from 'vitest'
import { coreArgs, FlagError, parseFlags } from './flags'
import { createMainWindow, visitPartition, windowFlags } from './security'

function recordWindow(flags: Parameters<typeof createMainWindow>[2]): BrowserWindowConstructorOptions {
  const seen: BrowserWindowConstructorOptions[] = []
  class RecordingWindow {
    constructor(options: BrowserWindowConstructorOptions) {
      seen.push(options)
    }
  }
  createMainWindow(RecordingWindow, '/app/out/preload/index.cjs', flags)
  return seen[0]!
}

describe('the desktop shell as a parent kiosk', () => {
  it('reads --terminal and hands it to the core; refuses a kind it does not know', () => {
    expect(parseFlags(['--terminal', 'kiosk']).terminal).toBe('kiosk')
    expect(parseFlags(['--terminal=till']).terminal).toBe('till')
    expect(parseFlags([]).terminal).toBeUndefined()
    expect(() => parseFlags(['--terminal', 'toaster'])).toThrow(FlagError)
    expect(() => parseFlags(['--terminal'])).toThrow(FlagError)
    expect(coreArgs({ kiosk: true, dev: false, dataDir: '/d', terminal: 'kiosk' })).toContain('--terminal=kiosk')
    expect(coreArgs({ kiosk: true, dev: false, dataDir: '/d' }).some((a) => a.startsWith('--terminal'))).toBe(false)
  })

  it('opens each visit in a new in-memory session; a till keeps the default one', () => {
    const first = recordWindow({ ...windowFlags({ kiosk: true, dev: false }, true), partition: visitPartition(1) })
    const second = recordWindow({ ...windowFlags({ kiosk: true, dev: false }, true), partition: visitPartition(2) })
    expect(first.webPreferences!.partition).toBe('kiosk-visit-1')
    expect(second.webPreferences!.partition).not.toBe(first.webPreferences!.partition)
    // No `persist:` prefix: Electron keeps such a session in memory only.
    expect(first.webPreferences!.partition).not.toMatch(/^persist:/)
    expect(recordWindow(windowFlags({ kiosk: false, dev: false }, true)).webPreferences).not.toHaveProperty('partition')
    // Everything else about the window is as locked down as a till's.
    expect(first.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, devTools: false })
  })
})
