/**
 * The server's refusals as a parent reads them: each code the kiosk expects has its own Danish
 * and English text (kiosk.errors.*); an unexpected one shows the server's own message rather
 * than nothing.
 */
import { useI18n } from 'vue-i18n'
import { GuardianError } from './client'

export function useGuardianErrorText() {
  const { t, te } = useI18n()
  return function errorText(err: unknown): string {
    if (!(err instanceof GuardianError)) return t('kiosk.errors.unexpected')
    const key = `kiosk.errors.${err.code}`
    return te(key) ? t(key) : err.message
  }
}

/** `retryAfterSeconds` of a 429 `locked` answer, else null. */
export function retryAfterOf(err: unknown): number | null {
  if (!(err instanceof GuardianError) || err.code !== 'locked') return null
  const seconds = (err.body as { retryAfterSeconds?: unknown } | null)?.retryAfterSeconds
  return typeof seconds === 'number' && seconds > 0 ? Math.ceil(seconds) : null
}
