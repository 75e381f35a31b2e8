/**
 * What every money screen needs: the account chosen for the route, its balance in words, and a
 * server refusal in the parent's language (our own text for the codes we know, the server's
 * message otherwise, never a bare code).
 */
import { computed, watchEffect } from 'vue'
import { useI18n } from 'vue-i18n'
import { useRoute } from 'vue-router'
import { formatKr } from '../../composables/format'
import { GuardianError } from '../client'
import { useGuardianStore } from '../session'

/** The account of `/kiosk/a/:id/…`, made the store's chosen one. */
export function useChosenAccount() {
  const store = useGuardianStore()
  const route = useRoute()
  watchEffect(() => {
    const id = route.params.id
    if (typeof id === 'string' && store.selected?.id !== id) store.selectAccount(id)
  })
  return computed(() => store.selected)
}

export function useMoneyText() {
  const { t, te, locale } = useI18n()

  /** A refusal as one sentence or two: what happened, and what to do. */
  function errorText(err: unknown): string {
    if (err instanceof GuardianError) {
      const key = `kioskMoney.errors.${err.code}`
      if (te(key)) return t(key)
      if (err.status === 0 || err.status >= 500) return t('kioskMoney.errors.unavailable')
      return err.message
    }
    return t('kioskMoney.errors.unavailable')
  }

  /** A refusal code the server put in a body (a payment's `failure`), or `fallback`'s text. */
  function codeText(code: string | null, fallbackCode: string): string {
    return te(`kioskMoney.errors.${code}`) ? t(`kioskMoney.errors.${code}`) : t(`kioskMoney.errors.${fallbackCode}`)
  }

  /** `kr. 1.234,50`: the same on every screen, in both languages (money is Danish kroner). */
  const kr = (ore: number) => formatKr(ore)

  const dateTime = (iso: string) =>
    new Intl.DateTimeFormat(locale.value === 'da' ? 'da-DK' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Copenhagen' }).format(new Date(iso))

  const date = (isoOrYmd: string) =>
    new Intl.DateTimeFormat(locale.value === 'da' ? 'da-DK' : 'en-GB', { dateStyle: 'medium', timeZone: isoOrYmd.length === 10 ? 'UTC' : 'Europe/Copenhagen' }).format(
      new Date(isoOrYmd.length === 10 ? `${isoOrYmd}T00:00:00Z` : isoOrYmd),
    )

  return { t, locale, errorText, codeText, kr, dateTime, date }
}
