import { z } from 'zod'

/**
 * The kiosk's relay of the guardian API: the page talks only to the core (one origin for its
 * CSP), the core forwards to the server's /guardian/* routes with the kiosk's own credential
 * beside the guardian's session. Only a terminal enrolled as a kiosk serves it, and it needs no
 * staff sign-in. Nothing relayed is stored on the kiosk.
 */
export const GUARDIAN_METHODS = ['GET', 'POST', 'PUT', 'DELETE'] as const

export const guardianMethods = {
  'guardian.request': {
    input: z
      .object({
        method: z.enum(GUARDIAN_METHODS),
        /** A path under /guardian/ on the server, without query; no `..`, no `//`. */
        path: z
          .string()
          .max(300)
          .regex(/^\/guardian\/[A-Za-z0-9._~%\-/]*$/)
          .refine((p) => !p.includes('..') && !p.includes('//'), 'no ".." or "//" in the path'),
        query: z.record(z.string().max(40), z.string().max(200)).optional(),
        /** JSON body (a photo travels base64 inside it). */
        body: z.unknown().optional(),
        /** The guardian's session token (held in the page's memory only). */
        session: z.string().min(1).max(200).optional(),
      })
      .strict(),
  },
} as const

/** The server's answer as it came (status and JSON body), or status 0 when it could not be reached. */
export type GuardianRelayAnswer = { status: number; body: unknown }

export interface GuardianResults {
  'guardian.request': GuardianRelayAnswer
}
