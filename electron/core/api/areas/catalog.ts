import type { Ore } from '../../../../domain/money'
import { noArgs } from './area'

export interface Category {
  id: string
  name: string
}

export interface Product {
  id: string
  name: string
  categoryId: string
  price: Ore
  barcode: string | null
  image: string | null
}

export interface Catalog {
  categories: Category[]
  products: Product[]
}

export const catalogMethods = {
  'catalog.get': { input: noArgs },
} as const

export interface CatalogResults {
  'catalog.get': Catalog
}
