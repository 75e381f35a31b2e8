/**
 * The rest of what a guardian keeps about an account: the note to the canteen staff ("no nuts,
 * please"), letting go of an account (unlink), and the municipality's catalogue the settings
 * screens choose from (categories to deny, canteens to allow).
 *
 * The note is the account's, not the guardian's: every guardian of the child sees and sets the
 * same one, and it travels to tills in the account's change row (AccountData.note), so a till
 * shows it at the next scan after its pull. Same invariants as accounts.ts: a foreign account is
 * 'account-unknown', the lock before the first write, audit and change row in the transaction.
 */
import { lockEntities, lockKey } from '../money/locks'
import { audit } from '../platform/audit'
import type { ServerContext } from '../platform/context'
import { ok, refuse, type Result } from '../platform/result'
import { write } from '../platform/tx'
import { changeRules, guardianActor, isLinked } from './accounts'
import type { GuardianPrincipal } from './session'

/**
 * Characters as JavaScript counts them (UTF-16 units: an emoji counts two), as the kiosk's
 * keyboard and the sync schema (AccountData.note) count them; never more than the database's
 * limit, which counts code points.
 */
export const NOTE_MAX = 200
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/

/**
 * The note as stored: trimmed, null for none (an empty note clears it). Refused: longer than
 * NOTE_MAX or with a control character (a line break included: the till shows one block of
 * large text, and a kiosk keyboard types none).
 */
export function normalizeNote(input: string | null): Result<string | null, 'note-invalid'> {
  if (input === null) return ok(null)
  const note = input.trim()
  if (CONTROL_CHARACTER.test(note) || note.length > NOTE_MAX) return refuse('note-invalid')
  return ok(note === '' ? null : note)
}

export async function setNote(ctx: ServerContext, g: GuardianPrincipal, accountId: string, input: string | null) {
  const note = normalizeNote(input)
  if (!note.ok) return note
  return changeRules(
    ctx,
    g,
    accountId,
    'account.note',
    // The audit keeps what was written: a note is not sensitive, and a dispute ("I never wrote that") needs it.
    { note: note.value },
    async () => null,
    async (tx) => {
      await tx.query('UPDATE accounts SET note = $2 WHERE id = $1', [accountId, note.value])
    },
  )
}

/**
 * This guardian lets go of the account; other guardians' links, the account itself, its money,
 * cards and rules stay as they are (tills hold no links: no change row). Linking again needs the
 * CPR number and card number again.
 */
export async function unlinkAccount(ctx: ServerContext, g: GuardianPrincipal, accountId: string): Promise<Result<null, 'account-unknown'>> {
  return write(ctx, async (tx) => {
    await lockEntities(tx, [lockKey.account(accountId)])
    if (!(await isLinked(tx, g, accountId))) return refuse('account-unknown')
    await tx.query('DELETE FROM guardian_accounts WHERE guardian_id = $1 AND account_id = $2', [g.id, accountId])
    await audit(tx, { municipalityId: g.municipalityId, actor: guardianActor(g), action: 'guardian.account-unlink', entity: 'account', entityId: accountId, at: tx.now })
    return ok(null)
  })
}

export interface Catalog {
  /** In the tills' order. */
  categories: { id: string; name: string }[]
  /** By name. */
  locations: { id: string; name: string }[]
}

/** The guardian's municipality's product categories and canteens, for the permission and place settings. */
export async function catalog(ctx: ServerContext, g: GuardianPrincipal): Promise<Catalog> {
  const categories = await ctx.db.query<{ id: string; name: string }>('SELECT id, name FROM categories WHERE municipality_id = $1 ORDER BY sort, name, id', [g.municipalityId])
  const locations = await ctx.db.query<{ id: string; name: string }>('SELECT id, name FROM locations WHERE municipality_id = $1 ORDER BY name, id', [g.municipalityId])
  return { categories: categories.rows, locations: locations.rows }
}
