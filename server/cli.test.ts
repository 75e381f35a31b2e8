import { spawn, type ChildProcess } from 'node:child_process'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { EnrolResponse } from '../domain/sync'

const ROOT = resolve(import.meta.dirname, '..')

function run(args: string[]): { child: ChildProcess; stdout: () => string; stderr: () => string; exited: Promise<number | null> } {
  // Always PGlite here: DATABASE_URL would point the CLI at a shared database's public schema.
  const env = { ...process.env, DATABASE_URL: '', KANTINE_ADMIN_TOKEN: '' }
  // `node --import tsx`, not the tsx binary: one process, so SIGTERM reaches the server's own handler
  // (the tsx wrapper relays signals and, on a busy machine, may exit 143 before the child has).
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout!.on('data', (d) => (out += String(d)))
  child.stderr!.on('data', (d) => (err = (err + String(d)).slice(-4000)))
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
  return { child, stdout: () => out, stderr: () => err, exited }
}

describe('npm run server', () => {
  it('prints its options with --help', async () => {
    const p = run(['--help'])
    expect(await p.exited).toBe(0)
    expect(p.stdout()).toMatch(/--data-dir/)
    expect(p.stdout()).toMatch(/DATABASE_URL/)
  })

  // In memory: creating a PGlite folder takes 5 s on an idle machine and far longer on a busy one.
  it('starts with --demo, says ready in ONE stdout line with an enrolment code per canteen, and a till can enrol', { timeout: 180_000 }, async () => {
    const p = run(['--demo', '--port', '0', '--in-memory'])
    try {
      const deadline = Date.now() + 170_000
      while (!p.stdout().includes('\n') && p.child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
      const lines = p.stdout().trim().split('\n')
      expect(lines, `stdout: ${p.stdout()}\nstderr: ${p.stderr()}`).toHaveLength(1)
      const ready = JSON.parse(lines[0]!) as { event: string; url: string; adminToken: string; enrolmentCodes: Record<string, string> }
      expect(ready).toMatchObject({ event: 'ready', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), adminToken: expect.any(String) })
      const [locationId, code] = Object.entries(ready.enrolmentCodes)[0]!
      const r = await fetch(`${ready.url}/enrol`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, name: 'Kasse CLI' }) })
      expect(r.status).toBe(200)
      expect(EnrolResponse.parse(await r.json()).locationId).toBe(locationId)
    } finally {
      p.child.kill('SIGTERM')
      expect(await p.exited).toBe(0)
    }
  })
})
