import { z } from 'zod'
import { noArgs } from './area'

/**
 * Manager mode: the till relays the server's /manager/* API for a signed-in manager (catalogue,
 * staff, reports). The manager unlocks it once with their own PIN, which the server checks; the
 * server's session token is then held in the core's memory only and sent beside the till's own
 * device token. A cashier's session is refused ('forbidden'); the staff's sign-out, or the
 * sign-in of someone else, ends the manager session too. Offline, nothing is queued: a write is
 * refused (status 0) rather than letting the till diverge from the server.
 */
export const MANAGER_METHODS = ['GET', 'POST', 'PUT', 'DELETE'] as const

export const managerMethods = {
  'manager.unlock': { input: z.object({ pin: z.string().regex(/^\d{4,8}$/, 'PIN is 4 to 8 digits') }).strict() },
  'manager.request': {
    input: z
      .object({
        method: z.enum(MANAGER_METHODS),
        /** A path under /manager/ on the server, without query; no `..`, no `//` (checked again once parsed). */
        path: z
          .string()
          .max(300)
          .regex(/^\/manager\/[A-Za-z0-9._~%\-/:]*$/)
          .refine((p) => !p.includes('..') && !p.includes('//'), 'no ".." or "//" in the path'),
        query: z.record(z.string().max(40), z.string().max(200)).optional(),
        /** JSON body (a picture travels base64 inside it, a CSV import as its text). */
        body: z.unknown().optional(),
      })
      .strict(),
  },
  'manager.lock': { input: noArgs },
  'manager.status': { input: noArgs },
} as const

export interface ManagerStatus {
  unlocked: boolean
  staffName: string | null
  /** When the server's session ends unless used again (ISO), as last known; null when locked. */
  expiresAt: string | null
}

/**
 * Why an unlock was refused: the PIN (server: sign-in-refused), not a manager of this canteen
 * (server: not-a-manager), too many wrong PINs (retry after), the server could not be reached,
 * the till is not enrolled, or another refusal the server gave (`message` in English).
 */
export type ManagerUnlockRefusal =
  | { ok: false; reason: 'pin-wrong' | 'not-a-manager' | 'server-unreachable' | 'not-enrolled' }
  | { ok: false; reason: 'locked'; retryAfterSeconds: number }
  | { ok: false; reason: 'refused'; status: number; error: string }

/** The server's answer as it came (status and body: JSON, or a CSV export's text), or status 0 offline. */
export type ManagerAnswer = { status: number; body: unknown }

export interface ManagerResults {
  'manager.unlock': { ok: true; status: ManagerStatus } | ManagerUnlockRefusal
  'manager.request': ManagerAnswer
  'manager.lock': ManagerStatus
  'manager.status': ManagerStatus
}
