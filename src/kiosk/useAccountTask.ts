/**
 * What every account settings screen shares: the chosen account, a busy flag so a double tap
 * sends once, the refusal to show, and the notice that the change is on its way to the tills.
 */
import { computed, ref } from 'vue'
import { useGuardianErrorText } from './errors'
import { useGuardianStore } from './session'
import type { GuardianAccount } from './types'

export function useAccountTask() {
  const store = useGuardianStore()
  const errorText = useGuardianErrorText()
  const account = computed(() => store.selected)
  const busy = ref(false)
  const error = ref<string | null>(null)
  /** True after a change the server took: the screen says it reaches the tills within a second. */
  const saved = ref(false)

  /** Sends one change to the selected account; its answer (the account's new state) replaces the old. */
  async function change(method: 'PUT' | 'POST', suffix: string, body?: unknown): Promise<GuardianAccount | null> {
    const current = account.value
    if (!current || busy.value) return null
    busy.value = true
    error.value = null
    saved.value = false
    try {
      const next = await store.client.request<GuardianAccount>(method, `/guardian/accounts/${encodeURIComponent(current.id)}${suffix}`, {
        ...(body === undefined ? {} : { body }),
      })
      store.replaceAccount(next)
      saved.value = true
      return next
    } catch (err) {
      error.value = errorText(err)
      return null
    } finally {
      busy.value = false
      store.touch()
    }
  }

  return { store, account, busy, error, saved, change }
}
