/**
 * The child's allergens, as a parent marks them at the kiosk ("Allergener"): the EU's 14
 * (domain/allergens.ts). The till warns and needs the cashier's confirmation before selling a
 * product with one of them, and the webshop does not offer such a product to the child.
 *
 *   PUT /guardian/accounts/:id/allergens   { allergens: Allergen[] } → GuardianAccount
 *
 * Like the note (profile.ts), the allergens are the account's, not the guardian's: every guardian
 * who manages the child sees and sets the same set. changeRules gives the same invariants as every
 * other account setting: a foreign account is 'account-unknown', the account's lock, the audit
 * entry and the change row in one transaction (tills pull it; the live poke follows the commit).
 * The set is stored in the domain's order, each code once: the same list in another order is the
 * same setting.
 */
import { z } from 'zod'
import { ALLERGENS, Allergen } from '../../domain/allergens'
import type { ServerContext } from '../platform/context'
import { parseInput } from '../platform/errors'
import { changeRules } from './accounts'
import { AccountParams, answer, type GuardianArea } from './http'
import { guardianOf, type GuardianPrincipal } from './session'

/** Each code at most once; an unknown code is a 400 with zod's issues, and nothing changes. */
const AllergensRequest = z
  .object({
    allergens: z
      .array(Allergen)
      .max(ALLERGENS.length)
      .refine((list) => new Set(list).size === list.length, 'an allergen is named twice'),
  })
  .strict()

export function setAllergens(ctx: ServerContext, g: GuardianPrincipal, accountId: string, allergens: readonly Allergen[]) {
  const set = ALLERGENS.filter((a) => allergens.includes(a))
  return changeRules(
    ctx,
    g,
    accountId,
    'account.allergens',
    { allergens: set },
    async () => null,
    async (tx) => {
      await tx.query('UPDATE accounts SET allergens = $2::text[] WHERE id = $1', [accountId, set])
    },
  )
}

export const allergenRoutes: GuardianArea = async (own, { ctx }) => {
  own.put('/guardian/accounts/:id/allergens', async (request) => {
    const { id } = parseInput(AccountParams, request.params, 'account id')
    const body = parseInput(AllergensRequest, request.body, 'allergens')
    return answer(await setAllergens(ctx, guardianOf(request), id, body.allergens))
  })
}
