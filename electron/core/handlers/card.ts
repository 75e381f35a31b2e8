import type { CardResults } from '../api/areas/card'
import { readCardAccount } from '../store/accounts'
import { ackedSeq } from '../store/outbox'
import type { AreaHandlers } from './area'
import { cardInfo } from './card-info'
import type { HandlerContext } from './context'
import { normalizeCardNumber } from '../../../domain/card'
import { periodKeys } from '../../../domain/periods'

export function cardHandlers(ctx: HandlerContext): AreaHandlers<CardResults> {
  return {
    'card.lookup': ({ cardNumber, refresh }) => {
      // A pupil's name, photo and balance are for the staff at the counter only.
      ctx.session.signedIn(undefined, { touch: refresh !== true })
      const card = normalizeCardNumber(cardNumber)
      if (!card.ok) return { ok: false, reason: 'card-number-invalid' }
      const now = periodKeys(ctx.clock.now())
      const found = readCardAccount(ctx.db, card.number, ackedSeq(ctx.db), now)
      if (!found) return { ok: false, reason: 'unknown-card' }
      // Shown at once without the photo; it follows (data.changed) if it has to be fetched.
      if (found.photoId && !found.photo) void ctx.sync.fetchPhoto(found.photoId)
      return { ok: true, card: cardInfo(ctx.db, found, now) }
    },
  }
}
