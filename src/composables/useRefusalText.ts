import { useI18n } from 'vue-i18n'
import type { Ore } from '../../domain/money'
import { useCatalogStore } from '../stores/catalog'
import { formatKr } from './format'
import type { RefusalKey } from './refusal'

export interface RefusalFacts {
  balance?: Ore
  left?: Ore
  productId?: string
  /** The cap a basket broke (pieces, or øre for the total). */
  cap?: number
}

export interface RefusalText {
  headline: string
  action: string
}

/** A refusal reason as the cashier reads it: a short headline and what to do now. */
export function useRefusalText() {
  const { t } = useI18n()
  const catalog = useCatalogStore()

  return function refusalText(reason: RefusalKey, facts: RefusalFacts = {}): RefusalText {
    const product = facts.productId ? catalog.byId.get(facts.productId)?.name : undefined
    const params = {
      balance: facts.balance === undefined ? '–' : formatKr(facts.balance),
      left: facts.left === undefined ? '–' : formatKr(facts.left),
      product: product ?? t('refusal.thisProduct'),
      count: facts.cap === undefined ? '–' : String(facts.cap),
      cap: facts.cap === undefined ? '–' : formatKr(facts.cap),
    }
    return { headline: t(`refusal.${reason}.headline`), action: t(`refusal.${reason}.action`, params) }
  }
}
