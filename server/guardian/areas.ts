/**
 * The guardian route areas beyond sign-in and the account settings in routes.ts: one file each,
 * registered in the guardian-session scope (every route here has `request.guardian`).
 */
import { allergenRoutes } from './allergens'
import type { GuardianArea } from './http'
import { moneyRoutes } from './money-routes'
import { orderRoutes } from '../orders/guardian-routes'
import { photoRoutes } from './photo-routes'
import { pinArea } from './pin-routes'
import { profileRoutes } from './profile-routes'
import { statementRoutes } from './statement-routes'

export const guardianAreas: GuardianArea[] = [statementRoutes, photoRoutes, profileRoutes, moneyRoutes, pinArea, orderRoutes, allergenRoutes]
