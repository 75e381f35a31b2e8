/**
 * What a signed-in guardian does with the accounts they manage: link one ("Tilføj konto"), see
 * them, block and unblock, and set limits, permissions and allowed places.
 *
 * Invariant: an account not linked to the guardian is refused exactly like one that does not
 * exist ('account-unknown'), by every function here, so a guardian learns nothing about accounts
 * that are not theirs. Every write takes the account's advisory lock before its first write (the
 * push path takes the same lock), checks the link under it, writes an audit entry naming
 * `guardian:<id>` and the account's change row, in one transaction: tills learn of it at the
 * next pull, and at once through the live poke.
 */
import type { Allergen } from '../../domain/allergens'
import { normalizeCardNumber } from '../../domain/card'
import { normalizeCpr } from '../../domain/cpr'
import { blockAccount, unblockAccount } from '../money/accounts'
import { lockEntities, lockKey } from '../money/locks'
import { audit } from '../platform/audit'
import type { ServerContext } from '../platform/context'
import { cprDigest } from '../platform/crypto'
import { ok, refuse, type Result } from '../platform/result'
import { write, type Tx } from '../platform/tx'
import { recordChange } from '../sync/changes'
import type { Sql } from '../db'
import type { GuardianPrincipal } from './session'

export const guardianActor = (g: GuardianPrincipal) => `guardian:${g.id}`

export interface GuardianAccount {
  id: string
  holderName: string
  /** The holder's photo by id (GET /sync/photos/:id serves tills; the portal will get its own route). */
  photoId: string | null
  balance: number
  status: 'active' | 'blocked'
  limits: { day: number | null; week: number | null; month: number | null }
  deniedCategoryIds: string[]
  /** null: every canteen of the municipality. */
  allowedLocationIds: string[] | null
  cards: { number: string; status: 'active' | 'replaced' | 'lost' }[]
  /** The guardian's note to the canteen staff, shown on the till when the card is scanned; null: none. */
  note: string | null
  /** The child's allergens (the EU's 14, in the domain's order): the till warns, the webshop leaves them out. */
  allergens: Allergen[]
}

interface AccountRow {
  id: string
  holder_name: string
  photo_id: string | null
  balance: number
  status: 'active' | 'blocked'
  limit_day: number | null
  limit_week: number | null
  limit_month: number | null
  denied_category_ids: string[]
  allowed_location_ids: string[] | null
  note: string | null
  allergens: Allergen[]
}

/** The guardian's linked accounts (all, or the one `accountId`), by holder name. */
async function linkedAccounts(sql: Sql, guardianId: string, accountId: string | null): Promise<GuardianAccount[]> {
  const { rows } = await sql.query<AccountRow>(
    `SELECT a.id, h.name AS holder_name, h.photo_id, a.balance, a.status, a.limit_day, a.limit_week, a.limit_month,
            a.denied_category_ids, a.allowed_location_ids, a.note, a.allergens
       FROM guardian_accounts ga
       JOIN accounts a ON a.id = ga.account_id
       JOIN holders h ON h.id = a.holder_id
      WHERE ga.guardian_id = $1 AND ($2::text IS NULL OR a.id = $2)
      ORDER BY h.name, a.id`,
    [guardianId, accountId],
  )
  const cards = await sql.query<{ account_id: string; number: string; status: 'active' | 'replaced' | 'lost' }>(
    'SELECT account_id, number, status FROM cards WHERE account_id = ANY($1::text[]) ORDER BY created_at, number',
    [rows.map((r) => r.id)],
  )
  return rows.map((a) => ({
    id: a.id,
    holderName: a.holder_name,
    photoId: a.photo_id,
    balance: Number(a.balance),
    status: a.status,
    limits: { day: a.limit_day, week: a.limit_week, month: a.limit_month },
    deniedCategoryIds: a.denied_category_ids,
    allowedLocationIds: a.allowed_location_ids,
    cards: cards.rows.filter((c) => c.account_id === a.id).map((c) => ({ number: c.number, status: c.status })),
    note: a.note,
    allergens: a.allergens,
  }))
}

export function listAccounts(ctx: ServerContext, g: GuardianPrincipal): Promise<GuardianAccount[]> {
  return linkedAccounts(ctx.db, g.id, null)
}

export async function getAccount(ctx: ServerContext, g: GuardianPrincipal, accountId: string): Promise<Result<GuardianAccount, 'account-unknown'>> {
  const [account] = await linkedAccounts(ctx.db, g.id, accountId)
  return account ? ok(account) : refuse('account-unknown')
}

export type LinkRefusal = 'cpr-invalid' | 'card-number-invalid' | 'account-unknown'

/**
 * "Tilføj konto": the holder's CPR number and one of the account's card numbers, both in the
 * guardian's municipality. A wrong pair answers exactly like an unknown account. The CPR number
 * is hashed here and goes nowhere else: not in the audit entry, not in the log.
 */
export async function linkAccount(
  ctx: ServerContext,
  g: GuardianPrincipal,
  input: { cpr: string; cardNumber: string },
): Promise<Result<GuardianAccount, LinkRefusal>> {
  const cpr = normalizeCpr(input.cpr)
  if (!cpr.ok) return refuse(cpr.reason)
  const card = normalizeCardNumber(input.cardNumber)
  if (!card.ok) return refuse(card.reason)
  const { hmac } = cprDigest(ctx.cprKey, cpr.cpr)
  const linked = await write(ctx, async (tx) => {
    const { rows } = await tx.query<{ account_id: string }>(
      `SELECT a.id AS account_id
         FROM cards c
         JOIN accounts a ON a.id = c.account_id
         JOIN holders h ON h.id = a.holder_id
        WHERE c.number = $1 AND a.municipality_id = $2 AND h.municipality_id = $2 AND h.cpr_hmac = $3`,
      [card.number, g.municipalityId, hmac],
    )
    const accountId = rows[0]?.account_id ?? null
    await audit(tx, {
      municipalityId: g.municipalityId,
      actor: guardianActor(g),
      action: accountId ? 'guardian.account-link' : 'guardian.account-link-refused',
      entity: accountId ? 'account' : undefined,
      entityId: accountId ?? undefined,
      // The card number the guardian typed, never the CPR number.
      details: { cardNumber: card.number },
      at: tx.now,
    })
    if (accountId) {
      await tx.query('INSERT INTO guardian_accounts (guardian_id, account_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [g.id, accountId, tx.now])
    }
    return accountId
  })
  if (!linked) return refuse('account-unknown')
  return getAccount(ctx, g, linked)
}

// --- the account's rules ------------------------------------------------------------------------

/** Block or unblock (lost card): money/accounts.ts writes the status, the audit entry and the change row. */
export async function setBlocked(ctx: ServerContext, g: GuardianPrincipal, accountId: string, blocked: boolean): Promise<Result<GuardianAccount, 'account-unknown'>> {
  if (!(await isLinked(ctx.db, g, accountId))) return refuse('account-unknown')
  const result = blocked ? await blockAccount(ctx, accountId, guardianActor(g)) : await unblockAccount(ctx, accountId, guardianActor(g))
  if (!result.ok) return refuse(result.reason)
  return getAccount(ctx, g, accountId)
}

export async function isLinked(sql: Sql, g: GuardianPrincipal, accountId: string): Promise<boolean> {
  const { rows } = await sql.query<{ one: number }>(
    `SELECT 1 AS one FROM guardian_accounts ga JOIN accounts a ON a.id = ga.account_id
      WHERE ga.guardian_id = $1 AND ga.account_id = $2 AND a.municipality_id = $3`,
    [g.id, accountId, g.municipalityId],
  )
  return rows.length > 0
}

/**
 * One rule change: the account's lock, the link checked under it, `check` (may refuse), the
 * update, the audit entry and the change row, in one transaction.
 */
export async function changeRules<R extends string>(
  ctx: ServerContext,
  g: GuardianPrincipal,
  accountId: string,
  action: string,
  details: Record<string, unknown>,
  check: (tx: Tx) => Promise<R | null>,
  update: (tx: Tx) => Promise<void>,
): Promise<Result<GuardianAccount, 'account-unknown' | R>> {
  const result = await write(ctx, async (tx): Promise<Result<null, 'account-unknown' | R>> => {
    await lockEntities(tx, [lockKey.account(accountId)])
    if (!(await isLinked(tx, g, accountId))) return refuse('account-unknown')
    const refusal = await check(tx)
    if (refusal !== null) return refuse(refusal)
    await update(tx)
    await audit(tx, { municipalityId: g.municipalityId, actor: guardianActor(g), action, entity: 'account', entityId: accountId, details, at: tx.now })
    await recordChange(tx, 'account', accountId)
    return ok(null)
  })
  return result.ok ? getAccount(ctx, g, accountId) : result
}

export interface Limits {
  day: number | null
  week: number | null
  month: number | null
}

export function setLimits(ctx: ServerContext, g: GuardianPrincipal, accountId: string, limits: Limits) {
  return changeRules(
    ctx,
    g,
    accountId,
    'account.limits',
    { limits },
    async () => null,
    async (tx) => {
      await tx.query('UPDATE accounts SET limit_day = $2, limit_week = $3, limit_month = $4 WHERE id = $1', [accountId, limits.day, limits.week, limits.month])
    },
  )
}

/** Permissions: the product categories the child may NOT buy, each one of the municipality's. */
export function setPermissions(ctx: ServerContext, g: GuardianPrincipal, accountId: string, deniedCategoryIds: readonly string[]) {
  const ids = [...new Set(deniedCategoryIds)].sort()
  return changeRules(
    ctx,
    g,
    accountId,
    'account.permissions',
    { deniedCategoryIds: ids },
    async (tx) => ((await countOwn(tx, 'categories', g.municipalityId, ids)) === ids.length ? null : ('category-unknown' as const)),
    async (tx) => {
      await tx.query('UPDATE accounts SET denied_category_ids = $2::text[] WHERE id = $1', [accountId, ids])
    },
  )
}

/** Allowed places: canteens of the municipality, or null for all of them. */
export function setAllowedPlaces(ctx: ServerContext, g: GuardianPrincipal, accountId: string, locationIds: readonly string[] | null) {
  const ids = locationIds === null ? null : [...new Set(locationIds)].sort()
  return changeRules(
    ctx,
    g,
    accountId,
    'account.allowed-places',
    { allowedLocationIds: ids },
    async (tx) => (ids === null || (await countOwn(tx, 'locations', g.municipalityId, ids)) === ids.length ? null : ('location-unknown' as const)),
    async (tx) => {
      await tx.query('UPDATE accounts SET allowed_location_ids = $2::text[] WHERE id = $1', [accountId, ids])
    },
  )
}

async function countOwn(tx: Sql, table: 'categories' | 'locations', municipalityId: string, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0
  const { rows } = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE municipality_id = $1 AND id = ANY($2::text[])`, [municipalityId, ids])
  return rows[0]?.n ?? 0
}
