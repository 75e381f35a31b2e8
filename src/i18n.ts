import { createI18n } from 'vue-i18n'
import da from './locales/da.json'
import en from './locales/en.json'
import kioskDa from './locales/kiosk.da.json'
import kioskEn from './locales/kiosk.en.json'
import kioskMoneyDa from './locales/kiosk-money.da.json'
import kioskMoneyEn from './locales/kiosk-money.en.json'
import kioskWebshopDa from './locales/kiosk-webshop.da.json'
import kioskWebshopEn from './locales/kiosk-webshop.en.json'
import managerDa from './locales/manager.da.json'
import managerEn from './locales/manager.en.json'
import firstRunDa from './locales/firstrun.da.json'
import firstRunEn from './locales/firstrun.en.json'
import allergensDa from './locales/allergens.da.json'
import allergensEn from './locales/allergens.en.json'

export type Locale = 'da' | 'en'
export const LOCALES: readonly Locale[] = ['da', 'en']
const STORAGE_KEY = 'kantine.locale'

export type MessageSchema = typeof da

export function isLocale(value: unknown): value is Locale {
  return value === 'da' || value === 'en'
}

function storedLocale(): Locale | null {
  try {
    const value = window.localStorage.getItem(STORAGE_KEY)
    return isLocale(value) ? value : null
  } catch {
    return null
  }
}

type Messages = Record<string, unknown>

/** The kiosk's texts live in their own files (one per screen family); merged key by key. */
function merge(...parts: Messages[]): Messages {
  const out: Messages = {}
  for (const part of parts) {
    for (const [key, value] of Object.entries(part)) {
      const prev = out[key]
      const bothObjects = typeof prev === 'object' && prev !== null && typeof value === 'object' && value !== null
      out[key] = bothObjects ? merge(prev as Messages, value as Messages) : value
    }
  }
  return out
}

/** Danish first; English is the second language and the fallback never hides a missing key. */
export const i18n = createI18n<[MessageSchema], Locale, false>({
  legacy: false,
  locale: storedLocale() ?? 'da',
  fallbackLocale: 'da',
  messages: { da: merge(da, kioskDa, kioskMoneyDa, kioskWebshopDa, firstRunDa, allergensDa, managerDa) as MessageSchema, en: merge(en, kioskEn, kioskMoneyEn, kioskWebshopEn, firstRunEn, allergensEn, managerEn) as MessageSchema },
  missingWarn: import.meta.env.DEV,
  fallbackWarn: import.meta.env.DEV,
})

/** The cashier's choice wins over the till's configured language; `lang` follows for screen readers. */
export function setLocale(locale: Locale, remember = true): void {
  i18n.global.locale.value = locale
  document.documentElement.lang = locale
  if (remember) {
    try {
      window.localStorage.setItem(STORAGE_KEY, locale)
    } catch {
      // A locked-down kiosk profile may refuse storage; the choice then lasts for this page only.
    }
  }
}

/** At start: the remembered choice, else the till's configured locale. */
export function initLocale(tillLocale: Locale | undefined): void {
  setLocale(storedLocale() ?? tillLocale ?? 'da', false)
}
