/**
 * Main's handle on the till core: forks out/main/core.js as a utility process, relays calls to
 * it and events from it, restarts it (with a backoff) if it dies, and closes it on quit. The
 * core, not main, does the work: the main process (and with it the window) never blocks on
 * SQLite, the card reader or the network.
 */
import { utilityProcess, type UtilityProcess } from 'electron'
import type { EventMessage, RpcResponse } from '../core/api/contract'
import { createRelay, type Relay } from './core-protocol'

export interface CoreClient {
  call(method: string, args: unknown): Promise<RpcResponse<unknown>>
  onEvent(listener: (message: EventMessage) => void): void
  /** Asks the core to close the till cleanly; resolves when it has exited (or after `timeoutMs`). */
  close(timeoutMs?: number): Promise<void>
}

export interface CoreClientOptions {
  modulePath: string
  args: string[]
  env: Record<string, string>
  log: (level: 'info' | 'warn' | 'error', msg: string) => void
}

const MIN_BACKOFF_MS = 500
const MAX_BACKOFF_MS = 30_000
/** A core that ran this long before dying counts as healthy: the next restart is immediate-ish again. */
const HEALTHY_AFTER_MS = 60_000

export function startCore(options: CoreClientOptions): CoreClient {
  const listeners = new Set<(message: EventMessage) => void>()
  let child: UtilityProcess | null = null
  let relay: Relay = createRelay(() => {
    throw new Error('not started')
  })
  let backoff = MIN_BACKOFF_MS
  let closing = false
  let exited: Promise<void> = Promise.resolve()

  const spawn = () => {
    const startedAt = Date.now()
    const proc = utilityProcess.fork(options.modulePath, options.args, {
      serviceName: 'Kantine till core',
      env: options.env,
      stdio: 'inherit',
    })
    child = proc
    relay = createRelay((message) => proc.postMessage(message))
    const current = relay
    proc.on('message', (message: unknown) => {
      const event = current.receive(message)
      if (event) for (const listener of listeners) listener(event)
    })
    exited = new Promise((resolve) => {
      proc.once('exit', (code) => {
        current.failAll('The till engine stopped and is restarting; try again in a moment')
        if (child === proc) child = null
        resolve()
        if (closing) return
        if (Date.now() - startedAt > HEALTHY_AFTER_MS) backoff = MIN_BACKOFF_MS
        options.log('error', `till core exited with code ${code}; restarting in ${backoff} ms`)
        setTimeout(() => {
          if (!closing) spawn()
        }, backoff)
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS)
      })
    })
  }
  spawn()

  return {
    call(method, args) {
      if (!child) return Promise.resolve({ ok: false, error: { code: 'internal', message: 'The till engine is restarting; try again in a moment' } })
      return relay.call(method, args)
    },
    onEvent(listener) {
      listeners.add(listener)
    },
    async close(timeoutMs = 5_000) {
      closing = true
      const proc = child
      if (!proc) return
      proc.postMessage({ close: true })
      let timer: NodeJS.Timeout | undefined
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs)
      })
      const result = await Promise.race([exited, timedOut])
      clearTimeout(timer)
      if (result === 'timeout') {
        options.log('warn', 'till core did not close in time; killing it (SQLite keeps every committed sale)')
        proc.kill()
      }
    },
  }
}
