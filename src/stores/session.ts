import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { api } from '../api'
import type { Result, StaffSession } from '../api'

type Role = StaffSession['roles'][number]

/** How often an idle screen asks whether the core has signed the cashier out (inactivity). */
export const SESSION_CHECK_MS = 30_000

/** The signed-in member of staff. The core holds the real session; this mirrors it. */
export const useSessionStore = defineStore('session', () => {
  const staff = ref<StaffSession | null>(null)
  let restoring: Promise<void> | null = null

  api.onFault((error) => {
    if (error.code === 'not-signed-in') staff.value = null
  })

  /** Once per page: a reload in the host keeps the core's session, so ask who is signed in. */
  function restore(): Promise<void> {
    restoring ??= api
      .call('staff.current')
      .then((current) => {
        staff.value = current
      })
      .catch(() => {
        staff.value = null
      })
    return restoring
  }

  async function signIn(pin: string): Promise<Result<'staff.signIn'>> {
    const result = await api.call('staff.signIn', { pin })
    if (result.ok) staff.value = result.session
    return result
  }

  async function signOut(): Promise<void> {
    try {
      await api.call('staff.signOut')
    } finally {
      staff.value = null
    }
  }

  const signedIn = computed(() => staff.value !== null)

  // The core ends an idle cashier's session on its own clock; an idle screen would not notice
  // until the next tap, so it asks now and then and goes back to sign-in when it has ended.
  let checkTimer: ReturnType<typeof setInterval> | null = null
  watch(signedIn, (now) => {
    if (checkTimer !== null) clearInterval(checkTimer)
    checkTimer = null
    if (!now) return
    checkTimer = setInterval(() => {
      api
        .call('staff.current')
        .then((current) => {
          if (current === null) staff.value = null
        })
        .catch(() => {})
    }, SESSION_CHECK_MS)
  })
  const hasRole = (role: Role): boolean => staff.value?.roles.includes(role) ?? false

  return { staff, signedIn, restore, signIn, signOut, hasRole }
})
