/**
 * Manager mode's state in the page: whether the core holds an unlocked manager session (the
 * token itself never leaves the core), and the one way the manager screens talk to the server,
 * `request`. A request that finds no session opens the PIN prompt and is sent again once the
 * manager has typed their PIN; every refusal comes back with a plain sentence to show.
 */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api } from '../api'
import type { Args, Result } from '../api'
import { i18n } from '../i18n'

type ManagerStatus = Result<'manager.status'>
type RequestArgs = Args<'manager.request'>
export type ManagerMethod = RequestArgs['method']

export type ManagerOutcome<T> = { ok: true; status: number; body: T } | { ok: false; status: number; error: string; message: string }

const LOCKED: ManagerStatus = { unlocked: false, staffName: null, expiresAt: null }

const text = (key: string, values: Record<string, unknown> = {}) => i18n.global.t(key, values)

/**
 * A server answer that is not a success, as one Danish (or English) sentence: a known error code
 * has its own words; offline says that nothing was saved (or, for a read, that nothing could be
 * fetched); anything else says what the server called it.
 */
export function refusalMessage(method: ManagerMethod, status: number, body: unknown): { error: string; message: string } {
  const b = (typeof body === 'object' && body !== null ? body : {}) as { error?: unknown; message?: unknown }
  const error = typeof b.error === 'string' ? b.error : status === 0 ? 'server-unreachable' : `http-${status}`
  if (error === 'server-unreachable' || status === 0) return { error: 'server-unreachable', message: text(method === 'GET' ? 'manager.errors.offlineRead' : 'manager.errors.offline') }
  const key = `manager.errors.codes.${error}`
  if (i18n.global.te(key)) return { error, message: text(key) }
  if (status === 400) return { error, message: text('manager.errors.badRequest') }
  return { error, message: text('manager.errors.other', { status }) }
}

export const useManagerStore = defineStore('manager', () => {
  const status = ref<ManagerStatus>(LOCKED)
  /** The PIN prompt is open (a request waits for the manager's PIN). */
  const prompting = ref(false)
  let waiters: ((unlocked: boolean) => void)[] = []

  const unlocked = computed(() => status.value.unlocked)

  async function refresh(): Promise<void> {
    try {
      status.value = await api.call('manager.status')
    } catch {
      status.value = LOCKED
    }
  }

  function settle(ok: boolean): void {
    prompting.value = false
    const w = waiters
    waiters = []
    w.forEach((resolve) => resolve(ok))
  }

  /** Opens the PIN prompt; resolves true once unlocked, false if the manager cancels. */
  function askPin(): Promise<boolean> {
    prompting.value = true
    return new Promise((resolve) => waiters.push(resolve))
  }

  async function unlock(pin: string): Promise<Result<'manager.unlock'>> {
    const result = await api.call('manager.unlock', { pin })
    if (result.ok) {
      status.value = result.status
      settle(true)
    }
    return result
  }

  function cancelPrompt(): void {
    settle(false)
  }

  async function lock(): Promise<void> {
    try {
      status.value = await api.call('manager.lock')
    } catch {
      status.value = LOCKED
    }
  }

  async function request<T>(method: ManagerMethod, path: string, opts: { query?: Record<string, string>; body?: unknown } = {}): Promise<ManagerOutcome<T>> {
    const args: RequestArgs = { method, path, ...(opts.query ? { query: opts.query } : {}), ...(opts.body !== undefined ? { body: opts.body } : {}) }
    try {
      let answer = await api.call('manager.request', args)
      if (answer.status === 401 && (answer.body as { error?: string } | null)?.error === 'manager-session-required') {
        status.value = LOCKED
        if (!(await askPin())) return { ok: false, status: 401, error: 'cancelled', message: text('manager.errors.cancelled') }
        answer = await api.call('manager.request', args)
      }
      if (answer.status >= 200 && answer.status < 300) {
        // Each use extends the session: the frame shows until when.
        void refresh()
        return { ok: true, status: answer.status, body: answer.body as T }
      }
      if (answer.status === 401) status.value = LOCKED
      return { ok: false, status: answer.status, ...refusalMessage(method, answer.status, answer.body) }
    } catch {
      // A fault (signed out, the core unreachable) is shown app-wide as well.
      return { ok: false, status: 0, error: 'fault', message: text('manager.errors.fault') }
    }
  }

  return { status, unlocked, prompting, refresh, askPin, unlock, cancelPrompt, lock, request }
})
