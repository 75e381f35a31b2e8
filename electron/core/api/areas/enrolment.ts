/**
 * First run: a till or kiosk that was never enrolled is enrolled from its own screen (the packaged
 * app has no command line). The address and the code are typed by a person, so a mistake is an
 * answer (`{ ok: false, reason }`) that says which mistake, never a fault. Only an unenrolled
 * terminal takes the call: an enrolled one is moved only with a new data folder.
 */
import { z } from 'zod'
import { noArgs } from './area'

export const ENROLMENT_REFUSALS = [
  /** Not an http(s) address, or http to another machine (server-url.ts). */
  'address-invalid',
  /** No answer: the name does not resolve, the connection is refused, or it timed out. */
  'unreachable',
  /** TLS: a self-signed, expired or other-host certificate. */
  'certificate',
  /** Something answered, but not a Kantine server (a web page, a 404). */
  'not-kantine',
  /** A Kantine server that cannot answer now (too many tries, or its own fault): try again soon. */
  'server-busy',
  /** The server no longer speaks this version's protocol (426): install a newer Kantine. */
  'app-too-old',
  'code-unknown',
  'code-used',
  'code-expired',
  /** The code enrols a till and a kiosk was chosen, or the reverse. */
  'kind-mismatch',
  /** This terminal already has a device token. */
  'already-enrolled',
] as const
export type EnrolmentRefusal = (typeof ENROLMENT_REFUSALS)[number]

export type EnrolmentAnswer = { ok: true; value: { terminalKind: 'till' | 'kiosk'; locationName?: string } } | { ok: false; reason: EnrolmentRefusal }

/**
 * `firstRun`: the renderer shows the first-run screen. True for a terminal with no device token
 * that has nothing else to go on: no enrolment code from its command line (the engine is trying
 * that one) and no canteen in its store.
 */
export interface EnrolmentStatus {
  enrolled: boolean
  firstRun: boolean
  /** The address configured so far (command line or an earlier attempt), to prefill the field. */
  serverUrl: string | null
  terminalKind: 'till' | 'kiosk'
}

export const enrolmentMethods = {
  'enrolment.status': { input: noArgs },
  'enrolment.enrol': {
    input: z
      .object({
        // Checked by server-url.ts in the handler: a typo is a refusal the screen explains, not a bad argument.
        serverUrl: z.string().trim().max(2000),
        code: z.string().trim().max(64),
        kind: z.enum(['till', 'kiosk']),
      })
      .strict(),
  },
} as const

export interface EnrolmentResults {
  'enrolment.status': EnrolmentStatus
  'enrolment.enrol': EnrolmentAnswer
}
