import type { Allergen } from '../../../../domain/allergens'
import type { Ore } from '../../../../domain/money'
import { noArgs } from './area'

export interface Category {
  id: string
  name: string
  /** `#rrggbb`: the stripe on its products' tiles; null: none. */
  colour: string | null
}

export interface Product {
  id: string
  name: string
  categoryId: string
  price: Ore
  barcode: string | null
  image: string | null
  /** The EU allergens it contains (domain/allergens.ts codes, in that list's order). */
  allergens: Allergen[]
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
