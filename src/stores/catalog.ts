import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api } from '../api'
import type { Category, Product } from '../api'

const CATALOG_ENTITIES = /catalog|product|categor/i

/** Categories and products from the till's local copy; re-read when a pull changes them. */
export const useCatalogStore = defineStore('catalog', () => {
  const categories = ref<Category[]>([])
  const products = ref<Product[]>([])
  const loaded = ref(false)

  api.on('data.changed', ({ entities }) => {
    if (loaded.value && (entities.length === 0 || entities.some((e) => CATALOG_ENTITIES.test(e)))) void load()
  })
  api.onConnection((up) => {
    if (up && loaded.value) void load()
  })

  async function load(): Promise<void> {
    try {
      const catalog = await api.call('catalog.get')
      categories.value = catalog.categories
      products.value = catalog.products
      loaded.value = true
    } catch {
      // Reported app-wide; keep the products we had.
    }
  }

  const byId = computed(() => new Map(products.value.map((p) => [p.id, p])))
  const byBarcode = computed(() => new Map(products.value.filter((p) => p.barcode).map((p) => [p.barcode as string, p])))

  return { categories, products, loaded, byId, byBarcode, load }
})
