import { AllergenList, type Allergen } from '../../../domain/allergens'

/**
 * A stored allergen list (accounts.allergens, products.allergens: JSON the pull wrote), read
 * defensively: a row the till cannot read warns about nothing it does not understand and never
 * throws at the counter. Most rows are '[]', answered without parsing.
 */
export function storedAllergens(json: string): Allergen[] {
  if (json === '[]') return []
  try {
    const parsed = AllergenList.safeParse(JSON.parse(json))
    return parsed.success ? parsed.data : []
  } catch {
    return []
  }
}
