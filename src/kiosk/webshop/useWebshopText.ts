/**
 * The webshop's words: a server refusal in the parent's language (the webshop's own text for
 * the order codes, then the money screens' for the payment card's, then the kiosk's, never a
 * bare code), and days, times and money as the canteen's calendar has them.
 */
import { useI18n } from 'vue-i18n'
import { formatKr } from '../../composables/format'
import { GuardianError } from '../client'
import { copenhagenDay } from './days'

const ZONE = 'Europe/Copenhagen'

export function useWebshopText() {
  const { t, te, locale } = useI18n()
  const tag = () => (locale.value === 'en' ? 'en-GB' : 'da-DK')

  function errorText(err: unknown): string {
    if (err instanceof GuardianError) {
      for (const area of ['kioskWebshop', 'kioskMoney', 'kiosk']) {
        const key = `${area}.errors.${err.code}`
        if (te(key)) return t(key)
      }
      if (err.status === 0 || err.status >= 500) return t('kioskWebshop.errors.unavailable')
      return err.message
    }
    return t('kioskWebshop.errors.unavailable')
  }

  /** A failure code the server put on an order (`payment-failed`'s cause), in words. */
  function failureText(code: string | null): string | null {
    if (!code) return null
    for (const area of ['kioskWebshop', 'kioskMoney']) if (te(`${area}.errors.${code}`)) return t(`${area}.errors.${code}`)
    return code
  }

  const kr = (ore: number) => formatKr(ore)

  /** A calendar day `YYYY-MM-DD`: "tirsdag 1. december". */
  const dayLong = (day: string) =>
    new Intl.DateTimeFormat(tag(), { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`))
  const weekdayShort = (day: string) => new Intl.DateTimeFormat(tag(), { weekday: 'short', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`))
  /** "1.12" / "1/12": short enough for eight days in one row on a 1280 px screen. */
  const dateShort = (day: string) => new Intl.DateTimeFormat(tag(), { day: 'numeric', month: 'numeric', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`))

  /** An instant as the canteen's clock shows it: "man. 30. nov. 12:00". */
  const when = (iso: string) =>
    new Intl.DateTimeFormat(tag(), { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZone: ZONE }).format(new Date(iso))

  const time = (iso: string) => new Intl.DateTimeFormat(tag(), { hour: '2-digit', minute: '2-digit', timeZone: ZONE }).format(new Date(iso))

  /** A day's cut-off in a day tile: the time alone on the pickup day itself, else the weekday and time ("fre. 12.00"). */
  const cutoffShort = (iso: string, day: string) =>
    copenhagenDay(new Date(iso)) === day
      ? t('kioskWebshop.order.atTime', { time: time(iso) })
      : new Intl.DateTimeFormat(tag(), { weekday: 'short', hour: '2-digit', minute: '2-digit', timeZone: ZONE }).format(new Date(iso))

  const label = (text: { da: string; en: string }) => (locale.value === 'en' ? text.en : text.da)

  return { t, locale, errorText, failureText, kr, dayLong, weekdayShort, dateShort, when, time, cutoffShort, label }
}
