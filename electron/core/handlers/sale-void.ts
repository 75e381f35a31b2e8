/**
 * `sale.void`: the cashier undoes a sale of today at this till; a manager's PIN authorises it.
 *
 * The cashier stays signed in: the manager's PIN is checked here, against the staff the till
 * pulled (the server checks the role again, in its own records), and never starts a session. It
 * shares the sign-in's lockout (handlers/lockout.ts, kept in the settings table): a wrong PIN
 * here counts as a wrong PIN at sign-in, so the void dialog is no way round the lockout.
 *
 * The void and its outbox row are one transaction (store/voids.ts); the row's pending effects
 * give the total back to the balance and the spend of the sale's periods at once, until a pull
 * brings the server's state that includes the void.
 */
import type { SaleVoidOutcome } from '../api/areas/sale'
import type { ParsedArgs } from '../api/contract'
import { staffWithPin } from '../pin'
import { getSetting } from '../store/settings'
import { staffAt, type StaffRow } from '../store/staff'
import { insertVoid, voidableSale, type VoidableSale } from '../store/voids'
import type { HandlerContext } from './context'
import { createLockout } from './lockout'
import { periodKeys } from '../../../domain/periods'
import type { SaleVoidPayload } from '../../../domain/sync'

type Refusal = Extract<SaleVoidOutcome, { ok: false }>

/** Why this sale cannot be voided at this till now, or null. */
function saleRefusal(sale: VoidableSale | null, today: string): Refusal | null {
  if (!sale) return { ok: false, reason: 'sale-unknown' }
  if (sale.voided) return { ok: false, reason: 'already-voided' }
  if (sale.status === 'rejected') return { ok: false, reason: 'sale-rejected' }
  // A cash sale is undone at the drawer, not on an account (no void mutation for it yet).
  if (sale.accountId === null) return { ok: false, reason: 'cash-sale' }
  if (sale.dayKey !== today) return { ok: false, reason: 'not-today' }
  return null
}

export function saleVoidHandlers(ctx: HandlerContext) {
  const { db, clock } = ctx
  const lockout = createLockout(db, clock)
  // One PIN check at a time: parallel guesses would all pass the lockout check before the first
  // wrong PIN is counted.
  let queue: Promise<unknown> = Promise.resolve()

  /** The staff of the till's own canteen whose PIN this is (more than one: pin-ambiguous). */
  const whosePin = (pin: string): Promise<StaffRow[]> => staffWithPin(pin, staffAt(db, getSetting(db, 'location_id')))

  async function voidSale({ saleId, reason, managerPin }: ParsedArgs<'sale.void'>): Promise<SaleVoidOutcome> {
    const cashier = ctx.session.signedIn('cashier')
    // The sale first: no PIN is spent on a sale that cannot be voided anyway.
    const refused = saleRefusal(voidableSale(db, saleId), periodKeys(clock.now()).day)
    if (refused) return refused
    const wait = lockout.waitSeconds()
    if (wait > 0) return { ok: false, reason: 'locked', retryAfterSeconds: wait }
    const matches = await whosePin(managerPin)
    const manager = matches[0]
    if (!manager) {
      const locked = lockout.failed()
      return locked > 0 ? { ok: false, reason: 'locked', retryAfterSeconds: locked } : { ok: false, reason: 'pin-wrong' }
    }
    // A right PIN is not a wrong guess; a cashier's own PIN simply does not authorise a void.
    lockout.succeeded()
    if (matches.length > 1) {
      ctx.log('warn', 'a PIN fits more than one member of staff', { staffIds: matches.map((s) => s.id) })
      return { ok: false, reason: 'pin-ambiguous' }
    }
    if (!manager.roles.includes('manager')) return { ok: false, reason: 'not-a-manager' }

    const at = clock.now()
    // Checked again inside the write: the PIN check awaited, and a second tap may have voided it meanwhile.
    const outcome = db
      .transaction((): SaleVoidOutcome => {
        const sale = voidableSale(db, saleId)
        const again = saleRefusal(sale, periodKeys(at).day)
        if (again) return again
        // saleRefusal refused a missing sale and a cash sale (no account).
        const payload: SaleVoidPayload = { saleId, accountId: sale!.accountId!, reason, authorisedBy: manager.id, voidedAt: at.toISOString() }
        insertVoid(db, ctx.ids.uuid(), payload, sale!, cashier.staffId)
        return { ok: true, saleId, refunded: sale!.total, authorisedBy: { staffId: manager.id, name: manager.name } }
      })
      .immediate()
    if (outcome.ok) {
      ctx.log('info', 'sale voided', { saleId, authorisedBy: manager.id, cashier: cashier.staffId })
      ctx.sync.kick()
    }
    return outcome
  }

  return {
    'sale.void': (args: ParsedArgs<'sale.void'>): Promise<SaleVoidOutcome> => {
      const result = queue.then(() => voidSale(args))
      queue = result.catch(() => {})
      return result
    },
  }
}
