/**
 * The guardian API's shapes as the kiosk reads them (server/guardian/*.ts are the source of
 * truth; the kiosk's page cannot import server code). Money is øre, as on the wire.
 */
import type { Allergen } from '../../domain/allergens'
export type AccountStatus = 'active' | 'blocked'
export type CardStatus = 'active' | 'replaced' | 'lost'

export interface AccountLimits {
  day: number | null
  week: number | null
  month: number | null
}

export interface GuardianAccount {
  id: string
  holderName: string
  photoId: string | null
  balance: number
  status: AccountStatus
  limits: AccountLimits
  deniedCategoryIds: string[]
  /** null: every canteen of the municipality. */
  allowedLocationIds: string[] | null
  cards: { number: string; status: CardStatus }[]
  /** The parent's note to the canteen, shown at the till when the card is scanned. */
  note: string | null
  /** The child's allergens (domain/allergens.ts codes): the till warns, the webshop leaves such products out. */
  allergens: Allergen[]
}

export interface GuardianMe {
  id: string
  name: string
  hasPin: boolean
}

/** POST /guardian/token and POST /guardian/pin-session on success. */
export interface GuardianTokenAnswer {
  access_token: string
  token_type: 'Bearer'
  expires_in: number
  guardian: { id: string; name: string }
}

/** POST /guardian/device. */
export interface DeviceGrant {
  device_code: string
  user_code: string
  verification_uri: string
  verification_uri_complete: string
  expires_in: number
  interval: number
}

export interface GuardianCatalog {
  categories: { id: string; name: string }[]
  locations: { id: string; name: string }[]
}
