import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { EnrolResponse } from '../domain/sync'

const ROOT = resolve(import.meta.dirname, '..')

function run(args: string[], extraEnv: Record<string, string> = {}): { child: ChildProcess; stdout: () => string; stderr: () => string; exited: Promise<number | null> } {
  // Always PGlite here: DATABASE_URL would point the CLI at a shared database's public schema.
  const env = { ...process.env, DATABASE_URL: '', KANTINE_ADMIN_TOKEN: '', KANTINE_CPR_KEY: '', KANTINE_CPR_KEY_FILE: '', KANTINE_ADMIN_BOOTSTRAP_TOKEN: '', ...extraEnv }
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

interface Ready {
  event: string
  url: string
  adminToken: string | null
  payments: string
  enrolmentCodes: Record<string, string>
}

/** Waits for the ONE stdout line a launcher parses. */
async function readyLine(p: ReturnType<typeof run>): Promise<Ready> {
  const deadline = Date.now() + 170_000
  while (!p.stdout().includes('\n') && p.child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
  const lines = p.stdout().trim().split('\n')
  expect(lines, `stdout: ${p.stdout()}\nstderr: ${p.stderr()}`).toHaveLength(1)
  return JSON.parse(lines[0]!) as Ready
}

describe('npm run server', () => {
  it('prints its options with --help', async () => {
    const p = run(['--help'])
    expect(await p.exited).toBe(0)
    expect(p.stdout()).toMatch(/--data-dir/)
    expect(p.stdout()).toMatch(/DATABASE_URL/)
  })

  it('refuses to start outside the demo without a CPR key from outside the database, and says how to give one', async () => {
    const p = run(['--port', '0', '--in-memory'])
    expect(await p.exited).toBe(1)
    expect(p.stdout()).toBe('')
    expect(p.stderr()).toMatch(/no CPR key: set KANTINE_CPR_KEY or point --cpr-key-file/)
  })

  it('refuses a CPR key that is too short, and a key file that cannot be read', async () => {
    const short = run(['--port', '0', '--in-memory'], { KANTINE_CPR_KEY: 'hemmelig' })
    expect(await short.exited).toBe(1)
    expect(short.stderr()).toMatch(/too short: at least 32 characters/)
    const missing = run(['--port', '0', '--in-memory', '--cpr-key-file', '/nonexistent/kantine-cpr.key'])
    expect(await missing.exited).toBe(1)
    expect(missing.stderr()).toMatch(/cannot read the CPR key file/)
  })

  it('starts with a key from a file; payments are off unless chosen, said in the log and in /health; no launch admin token', { timeout: 180_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kantine-cli-'))
    const keyFile = join(dir, 'cpr.key')
    await writeFile(keyFile, `${randomBytes(48).toString('base64')}\n`, { mode: 0o600 })
    const p = run(['--port', '0', '--in-memory', '--cpr-key-file', keyFile])
    try {
      const ready = await readyLine(p)
      expect(ready).toMatchObject({ event: 'ready', adminToken: null, payments: 'off', enrolmentCodes: {} })
      expect(p.stderr()).toMatch(/payments are OFF/)
      const health = await fetch(`${ready.url}/health`)
      expect(await health.json()).toMatchObject({ ok: true, payments: 'off' })
    } finally {
      p.child.kill('SIGTERM')
      expect(await p.exited).toBe(0)
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('creates an admin token named to a person, prints it once as JSON, and exits', { timeout: 120_000 }, async () => {
    const p = run(['create-admin-token', '--in-memory', '--person', 'Ole Drift', '--all-municipalities'])
    expect(await p.exited, p.stderr()).toBe(0)
    expect(JSON.parse(p.stdout())).toEqual({ id: expect.any(String), token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), person: 'Ole Drift', municipalityId: null })
    const unnamed = run(['create-admin-token', '--in-memory', '--all-municipalities'])
    expect(await unnamed.exited).toBe(1)
    expect(unnamed.stderr()).toMatch(/--person <name> is required/)
  })

  // In memory: creating a PGlite folder takes 5 s on an idle machine and far longer on a busy one.
  it('starts with --demo, says ready in ONE stdout line with an enrolment code per canteen, and a till can enrol', { timeout: 180_000 }, async () => {
    const p = run(['--demo', '--port', '0', '--in-memory'])
    try {
      const ready = await readyLine(p)
      expect(ready).toMatchObject({ event: 'ready', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), adminToken: expect.any(String), payments: 'simulated' })
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
