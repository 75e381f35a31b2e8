import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api } from '../api'
import type { AppInfo, RpcCallError } from '../api'

/** What the till is (name, build) and whether the UI can reach its core at all. */
export const useAppStore = defineStore('app', () => {
  const info = ref<AppInfo | null>(null)
  /** False while the host's event stream is down or a call found the core unreachable. */
  const coreReachable = ref(true)
  const fault = ref<RpcCallError | null>(null)

  api.onConnection((up) => {
    coreReachable.value = up
    if (up && fault.value?.code === 'unreachable') fault.value = null
  })
  // A lost answer (a connection reset) is news only until the core answers again.
  api.onAnswer(() => {
    if (coreReachable.value && fault.value?.code !== 'unreachable') return
    coreReachable.value = true
    if (fault.value?.code === 'unreachable') fault.value = null
  })
  api.onFault((error) => {
    // A lost session is handled by the session store (back to sign-in), not shown as a fault.
    if (error.code === 'not-signed-in') return
    if (error.code === 'unreachable') coreReachable.value = false
    fault.value = error
  })

  async function load(): Promise<AppInfo | null> {
    try {
      info.value = await api.call('app.info')
    } catch {
      info.value = null
    }
    return info.value
  }

  function dismissFault(): void {
    fault.value = null
  }

  return { info, coreReachable, fault, load, dismissFault }
})
