import { z } from 'zod'
import { noArgs } from './area'

export interface StaffSession {
  staffId: string
  name: string
  roles: ('cashier' | 'pickup' | 'manager')[]
}

/**
 * A sign-in the till refuses: a wrong PIN; a lockout after too many wrong ones (try again in
 * `retryAfterSeconds`); or a till that was never enrolled, so it knows no staff at all.
 */
export type SignInRefusal = { ok: false; reason: 'pin-wrong' } | { ok: false; reason: 'pin-ambiguous' } | { ok: false; reason: 'locked'; retryAfterSeconds: number } | { ok: false; reason: 'not-enrolled' }

export const staffMethods = {
  'staff.signIn': { input: z.object({ pin: z.string().regex(/^\d{4,8}$/, 'PIN is 4 to 8 digits') }).strict() },
  'staff.signOut': { input: noArgs },
  'staff.current': { input: noArgs },
} as const

export interface StaffResults {
  'staff.signIn': { ok: true; session: StaffSession } | SignInRefusal
  'staff.signOut': null
  'staff.current': StaffSession | null
}
