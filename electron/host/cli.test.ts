import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '../..')

describe('the host shell command line', () => {
  it('refuses a server address that would send the device token in clear over the network', () => {
    const renderer = mkdtempSync(join(tmpdir(), 'kantine-renderer-'))
    writeFileSync(join(renderer, 'index.html'), '<!doctype html>')
    const dataDir = mkdtempSync(join(tmpdir(), 'kantine-till-'))
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'electron/host/cli.ts', '--headless', '--renderer', renderer, '--data-dir', dataDir, '--server-url', 'http://kantine.kommune.dk'],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
    )
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('--server-url: must use https')
    expect(run.stdout).not.toContain('Kantine till:')
  })
})
