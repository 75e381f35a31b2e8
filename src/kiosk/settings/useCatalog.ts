/** The municipality's categories and canteens (GET /guardian/catalog), read once per screen. */
import { onMounted, ref } from 'vue'
import { useGuardianErrorText } from '../errors'
import { useGuardianStore } from '../session'
import type { GuardianCatalog } from '../types'

export function useCatalog() {
  const store = useGuardianStore()
  const errorText = useGuardianErrorText()
  const catalog = ref<GuardianCatalog | null>(null)
  const loadError = ref<string | null>(null)
  onMounted(async () => {
    try {
      catalog.value = await store.client.request<GuardianCatalog>('GET', '/guardian/catalog')
    } catch (err) {
      loadError.value = errorText(err)
    }
  })
  return { catalog, loadError }
}
