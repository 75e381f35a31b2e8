import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api } from '../api'
import type { Result, StaffSession } from '../api'

type Role = StaffSession['roles'][number]

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
  const hasRole = (role: Role): boolean => staff.value?.roles.includes(role) ?? false

  return { staff, signedIn, restore, signIn, signOut, hasRole }
})
