import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { join } from 'node:path'
import { z } from 'zod'

const Ready = z.object({
  event: z.literal('ready'),
  url: z.string(),
  adminToken: z.string(),
  enrolmentCodes: z.record(z.string(), z.string()),
})
export type DemoServerReady = z.infer<typeof Ready>

/**
 * Starts the central server as its own process with the demo data set, exactly as a real
 * till would meet it: over HTTP. Resolves when the server prints its ready line.
 */
export function startDemoServer(opts: { repoRoot: string; dataDir: string; port?: number; log?: (line: string) => void }): Promise<{
  ready: DemoServerReady
  child: ChildProcess
  stop(): Promise<void>
}> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(opts.repoRoot, 'server/cli.ts'), '--demo', '--port', String(opts.port ?? 0), '--data-dir', opts.dataDir],
    { cwd: opts.repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } },
  )
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve()
      child.once('exit', () => resolve())
      child.kill('SIGTERM')
    })
  return new Promise((resolve, reject) => {
    const stderr: string[] = []
    child.stderr!.on('data', (d: Buffer) => {
      const text = d.toString()
      stderr.push(text)
      opts.log?.(text)
    })
    child.once('exit', (code) => reject(new Error(`The demo server stopped (exit ${code}) before it was ready:\n${stderr.join('').slice(-2000)}`)))
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let parsed: unknown
      try {
        parsed = JSON.parse(line)
      } catch {
        return
      }
      const ready = Ready.safeParse(parsed)
      if (ready.success) {
        child.removeAllListeners('exit')
        resolve({ ready: ready.data, child, stop })
      }
    })
  })
}
