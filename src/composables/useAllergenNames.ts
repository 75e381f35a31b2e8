/**
 * The EU allergens by name in the screen's language (domain/allergens.ts ALLERGEN_NAMES): the full
 * name ("Mælk (også laktose)") where there is room, the short one ("Mælk") in a headline or a line.
 */
import { useI18n } from 'vue-i18n'
import { ALLERGEN_NAMES, type Allergen } from '../../domain/allergens'

export function useAllergenNames() {
  const { locale } = useI18n()
  const full = (a: Allergen) => ALLERGEN_NAMES[a][locale.value === 'en' ? 'en' : 'da']
  const short = (a: Allergen) => full(a).replace(/\s*\(.*\)$/, '')
  /** Short names, comma-separated, in the list's order. */
  const list = (allergens: readonly Allergen[]) => allergens.map(short).join(', ')
  return { full, short, list }
}
