/**
 * The EU's 14 allergens that must be declared on food (Regulation (EU) No 1169/2011, Annex II),
 * as the catalogue marks them on a product and a parent marks them on a child's account. The
 * till warns before selling a product with one of the child's allergens, and the webshop does
 * not offer it to that child. The codes are stable (stored and synced); names are for screens.
 */
import { z } from 'zod'

export const ALLERGENS = [
  'gluten',
  'crustaceans',
  'eggs',
  'fish',
  'peanuts',
  'soybeans',
  'milk',
  'nuts',
  'celery',
  'mustard',
  'sesame',
  'sulphites',
  'lupin',
  'molluscs',
] as const

export const Allergen = z.enum(ALLERGENS)
export type Allergen = z.infer<typeof Allergen>

/** A set of allergens as stored and synced: each at most once, in the list's order. */
export const AllergenList = z
  .array(Allergen)
  .max(ALLERGENS.length)
  .transform((list) => ALLERGENS.filter((a) => list.includes(a)))

/** Names on screen, Danish first (the Danish Veterinary and Food Administration's wording). */
export const ALLERGEN_NAMES: Record<Allergen, { da: string; en: string }> = {
  gluten: { da: 'Gluten (hvede, rug, byg, havre)', en: 'Gluten (wheat, rye, barley, oats)' },
  crustaceans: { da: 'Krebsdyr', en: 'Crustaceans' },
  eggs: { da: 'Æg', en: 'Eggs' },
  fish: { da: 'Fisk', en: 'Fish' },
  peanuts: { da: 'Jordnødder', en: 'Peanuts' },
  soybeans: { da: 'Soja', en: 'Soybeans' },
  milk: { da: 'Mælk (også laktose)', en: 'Milk (lactose too)' },
  nuts: { da: 'Nødder', en: 'Tree nuts' },
  celery: { da: 'Selleri', en: 'Celery' },
  mustard: { da: 'Sennep', en: 'Mustard' },
  sesame: { da: 'Sesamfrø', en: 'Sesame seeds' },
  sulphites: { da: 'Svovldioxid og sulfitter', en: 'Sulphur dioxide and sulphites' },
  lupin: { da: 'Lupin', en: 'Lupin' },
  molluscs: { da: 'Bløddyr', en: 'Molluscs' },
}

/** The allergens of a product that the child must avoid, in the list's order (empty: none). */
export function allergenConflicts(product: readonly string[], child: readonly string[]): Allergen[] {
  return ALLERGENS.filter((a) => product.includes(a) && child.includes(a))
}
