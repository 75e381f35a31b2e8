import { describe, expect, it } from 'vitest'
import type { Result } from '../../api'
import da from '../../locales/firstrun.da.json'
import en from '../../locales/firstrun.en.json'

type EnrolmentRefusal = Extract<Result<'enrolment.enrol'>, { ok: false }>['reason']
/** Every reason the core gives: the type checker refuses this list if one is missing or unknown. */
const EVERY_REASON: Record<EnrolmentRefusal, true> = {
  'address-invalid': true,
  unreachable: true,
  certificate: true,
  'not-kantine': true,
  'server-busy': true,
  'app-too-old': true,
  'code-unknown': true,
  'code-used': true,
  'code-expired': true,
  'kind-mismatch': true,
  'already-enrolled': true,
}
const ENROLMENT_REFUSALS = Object.keys(EVERY_REASON)

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix]
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k))
}

describe('the first-run screen\'s texts', () => {
  it('say the same things in Danish and English', () => {
    expect(keys(en).sort()).toEqual(keys(da).sort())
  })

  it.each(ENROLMENT_REFUSALS)('tell what went wrong and what to do for "%s", in both languages', (reason) => {
    for (const messages of [da, en]) {
      const text = (messages.firstRun.reason as Record<string, { headline?: string; action?: string }>)[reason]
      expect(text?.headline).toEqual(expect.stringMatching(/\S/))
      expect(text?.action).toEqual(expect.stringMatching(/\S/))
    }
  })

  it('know no reason the core cannot give', () => {
    expect(Object.keys(da.firstRun.reason).sort()).toEqual([...ENROLMENT_REFUSALS].sort())
  })
})
