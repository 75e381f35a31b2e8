/**
 * Paying twice, across a real crash: the host shell runs as its own process with the test-only
 * fault switch that kills it right after a sale's commit, before the answer leaves. The cashier's
 * screen got "socket hang up"; the till restarted; the retry with the same sale id must record
 * nothing new and answer with the first outcome.
 */
import { randomUUID } from 'node:crypto'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDb } from '../core/store/db'
import { seedCanteen } from '../../test/support/core'

const root = resolve(import.meta.dirname, '../..')
const SALE_ID = '7a0c5a8e-3f65-4c1e-b0a4-1d2e3f4a5b6c'
const attempt = { saleId: SALE_ID, cardNumber: 'DEMO0001', lines: [{ productId: 'p-lunch', qty: 1 }] }

interface HostProcess {
  child: ChildProcess
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  call(method: string, args: unknown): Promise<{ ok: boolean; value?: unknown; error?: { code: string } }>
}

async function startHostProcess(dataDir: string, rendererDir: string, env: Record<string, string> = {}): Promise<HostProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'electron/host/cli.ts', '--headless', '--data-dir', dataDir, '--renderer', rendererDir], {
    cwd: root,
    env: { ...process.env, KANTINE_FAULT: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const stderr: string[] = []
  child.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })))
  const openUrl = await new Promise<string>((resolveUrl, reject) => {
    void exited.then(() => reject(new Error(`host exited before it served:\n${stderr.join('')}`)))
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^Kantine till: (\S+)/.exec(line)
      if (m) resolveUrl(m[1]!)
    })
  })
  const opened = await fetch(openUrl, { redirect: 'manual' })
  const cookie = (opened.headers.get('set-cookie') ?? '').split(';')[0]!
  const origin = new URL(openUrl).origin
  return {
    child,
    exited,
    async call(method, args) {
      const res = await fetch(`${origin}/rpc/${method}`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(args) })
      return (await res.json()) as { ok: boolean; value?: unknown }
    },
  }
}

describe('a till that dies between the commit and the answer', () => {
  let dir: string
  const started: ChildProcess[] = []
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kantine-fault-'))
    mkdirSync(join(dir, 'renderer'))
    writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>Kantine</title>')
    const db = openDb(join(dir, 'till'))
    seedCanteen(db)
    db.close()
  })
  afterAll(() => {
    for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  })

  it('keeps the sale; the retry after the restart records nothing new and answers with the first outcome', async () => {
    const dying = await startHostProcess(join(dir, 'till'), join(dir, 'renderer'), { KANTINE_FAULT: 'exit-after-sale-commit' })
    started.push(dying.child)
    expect(await dying.call('staff.signIn', { pin: '1234' })).toMatchObject({ ok: true, value: { ok: true } })
    // What the cashier's screen got: no answer at all.
    await expect(dying.call('sale.record', attempt)).rejects.toThrow()
    expect(await dying.exited).toEqual({ code: null, signal: 'SIGKILL' })

    const restarted = await startHostProcess(join(dir, 'till'), join(dir, 'renderer'))
    started.push(restarted.child)
    expect(await restarted.call('staff.signIn', { pin: '1234' })).toMatchObject({ ok: true })
    const asked = await restarted.call('sale.outcome', { saleId: SALE_ID })
    expect(asked).toMatchObject({ ok: true, value: { recorded: true, outcome: { ok: true, saleId: SALE_ID, total: 3500, card: { balance: 11500 } } } })
    const retried = await restarted.call('sale.record', attempt)
    expect(retried).toMatchObject({ ok: true, value: { ok: true, saleId: SALE_ID, total: 3500, balanceAfter: 11500 } })
    // The switch is off in this process: a new sale is answered, and the process lives on.
    expect(await restarted.call('sale.record', { ...attempt, saleId: randomUUID() })).toMatchObject({ ok: true, value: { ok: true, balanceAfter: 8000 } })
    restarted.child.kill('SIGTERM')
    await restarted.exited

    const db = openDb(join(dir, 'till'))
    expect(db.prepare('SELECT COUNT(*) AS n FROM sales WHERE id = ?').get(SALE_ID)).toEqual({ n: 1 })
    expect(db.prepare('SELECT COUNT(*) AS n FROM outbox').get()).toEqual({ n: 2 })
    db.close()
  })
})
