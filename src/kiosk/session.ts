/**
 * The guardian signed in at the kiosk: who, their accounts and the one chosen. Held in memory
 * only: the session token sits inside the client, nothing personal ever goes to storage, and
 * signing out (or the idle wipe) reloads the page so the next parent finds nothing.
 */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api } from '../api'
import { GuardianError, createGuardianClient, relayTransport, type GuardianClient } from './client'
import type { GuardianAccount, GuardianMe, GuardianTokenAnswer } from './types'

/** The kiosk's start screen, where every wipe lands. */
export const KIOSK_START_HASH = '#/kiosk'

/** Empties both storages: a kiosk keeps nothing from one parent to the next. */
export function wipeStorage(): void {
  for (const storage of [globalThis.sessionStorage, globalThis.localStorage]) {
    try {
      storage?.clear()
    } catch {
      // A locked-down profile may refuse; it then held nothing either.
    }
  }
}

/** A fresh page on the start screen: the only sure way to drop every bit of state in memory. */
export function restartKiosk(): void {
  const { pathname, search } = window.location
  window.history.replaceState(null, '', `${pathname}${search}${KIOSK_START_HASH}`)
  window.location.reload()
}

export const useGuardianStore = defineStore('guardian', () => {
  const raw: GuardianClient = createGuardianClient(relayTransport(api))
  /** The views' client: a session the server no longer knows (15 minutes, revoked) ends the visit. */
  const client: GuardianClient = {
    async request<T>(...args: Parameters<GuardianClient['request']>): Promise<T> {
      try {
        return await raw.request<T>(...args)
      } catch (err) {
        if (err instanceof GuardianError && err.status === 401 && err.code === 'unauthorized' && raw.signedIn) void signOut()
        throw err
      }
    },
    setSession: (token) => raw.setSession(token),
    get signedIn() {
      return raw.signedIn
    },
  }
  const guardian = ref<GuardianMe | null>(null)
  const accounts = ref<GuardianAccount[]>([])
  const selectedId = ref<string | null>(null)
  /** When the parent last touched the screen (ms since epoch); the idle watch reads it. */
  const lastTouchAt = ref(Date.now())

  const selected = computed<GuardianAccount | null>(
    () => accounts.value.find((a) => a.id === selectedId.value) ?? accounts.value[0] ?? null,
  )
  const signedIn = computed(() => guardian.value !== null)

  function selectAccount(id: string): void {
    if (accounts.value.some((a) => a.id === id)) selectedId.value = id
  }

  /** Re-reads the accounts (after a change, or to see a balance move). */
  async function refresh(): Promise<void> {
    const answer = await client.request<{ accounts: GuardianAccount[] }>('GET', '/guardian/accounts')
    accounts.value = answer.accounts
    if (selectedId.value !== null && !answer.accounts.some((a) => a.id === selectedId.value)) selectedId.value = null
  }

  /** Puts one account's new state in place (the answer of a PUT/POST on it). */
  function replaceAccount(account: GuardianAccount): void {
    const i = accounts.value.findIndex((a) => a.id === account.id)
    if (i === -1) accounts.value = [...accounts.value, account]
    else accounts.value = accounts.value.map((a) => (a.id === account.id ? account : a))
  }

  /** After POST /guardian/token or /guardian/pin-session: keep the token, learn who it is. */
  async function begin(token: GuardianTokenAnswer): Promise<void> {
    client.setSession(token.access_token)
    guardian.value = { id: token.guardian.id, name: token.guardian.name, hasPin: false }
    touch()
    const [me] = await Promise.all([client.request<GuardianMe>('GET', '/guardian/me'), refresh()])
    guardian.value = me
  }

  function touch(): void {
    lastTouchAt.value = Date.now()
  }

  /** Ends the session on the server, forgets everything and starts the kiosk afresh. */
  let signingOut = false
  async function signOut(): Promise<void> {
    if (signingOut) return
    signingOut = true
    try {
      if (raw.signedIn) await raw.request('DELETE', '/guardian/session')
    } catch {
      // Offline or already expired: the token dies with this page anyway.
    }
    raw.setSession(null)
    guardian.value = null
    accounts.value = []
    selectedId.value = null
    wipeStorage()
    restartKiosk()
  }

  return { client, guardian, accounts, selectedId, selected, signedIn, lastTouchAt, selectAccount, refresh, replaceAccount, begin, touch, signOut }
})
