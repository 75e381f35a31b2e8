import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api } from '../api'
import type { SyncStatus } from '../api'

/** The uploader's status object, as the core reports it (on request and as `sync.status` events). */
export const useSyncStore = defineStore('sync', () => {
  const status = ref<SyncStatus | null>(null)
  const requested = ref(false)

  api.on('sync.status', (next) => {
    status.value = next
  })
  api.onConnection((up) => {
    if (up) void refresh()
  })

  async function refresh(): Promise<void> {
    try {
      status.value = await api.call('sync.status')
    } catch {
      // The fault is reported app-wide; keep showing the last status we had.
    }
  }

  async function syncNow(): Promise<void> {
    requested.value = true
    try {
      status.value = await api.call('sync.now')
    } catch {
      // As above.
    } finally {
      requested.value = false
    }
  }

  return { status, requested, refresh, syncNow }
})
