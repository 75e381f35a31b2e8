/**
 * The closed sets of values the till, the server and the wire format share. One list each, so a
 * new status or role is added in one place (and the database's CHECK constraints beside it).
 */
import { z } from 'zod'

/** A card: in use, replaced by a newer card of the same account, or reported lost (blocked). */
export const CARD_STATUSES = ['active', 'replaced', 'lost'] as const
export const CardStatus = z.enum(CARD_STATUSES)
export type CardStatus = z.infer<typeof CardStatus>

/** An account: usable, or blocked by a guardian. */
export const ACCOUNT_STATUSES = ['active', 'blocked'] as const
export const AccountStatus = z.enum(ACCOUNT_STATUSES)
export type AccountStatus = z.infer<typeof AccountStatus>

/** What a staff member may do at a till. */
export const STAFF_ROLES = ['cashier', 'pickup', 'manager'] as const
export const StaffRole = z.enum(STAFF_ROLES)
export type StaffRole = z.infer<typeof StaffRole>
