import { describe, expect, it } from 'vitest'
import { ALLERGENS, ALLERGEN_NAMES, AllergenList, allergenConflicts } from './allergens'

describe('allergens', () => {
  it('are the EU’s 14, each named in Danish and English', () => {
    expect(ALLERGENS).toHaveLength(14)
    for (const a of ALLERGENS) expect(ALLERGEN_NAMES[a].da.length * ALLERGEN_NAMES[a].en.length).toBeGreaterThan(0)
  })

  it('a list is kept once each, in the list’s order; an unknown code is refused', () => {
    expect(AllergenList.parse(['milk', 'gluten', 'milk'])).toEqual(['gluten', 'milk'])
    expect(AllergenList.safeParse(['milk', 'chocolate']).success).toBe(false)
  })

  it('a conflict is an allergen both the product has and the child avoids', () => {
    expect(allergenConflicts(['milk', 'eggs', 'gluten'], ['gluten', 'nuts', 'milk'])).toEqual(['gluten', 'milk'])
    expect(allergenConflicts(['milk'], [])).toEqual([])
  })
})
