/**
 * The server's /manager/* answers as the manager screens read them (the shared contract,
 * /manager-api: catalogue, staff, reports, CSV import). Types only: the server checks every
 * write, the screens only show what came back.
 */
import type { Allergen } from '../../../domain/allergens'

export type Role = 'cashier' | 'pickup' | 'manager'

export interface ManagerLocation {
  id: string
  name: string
}

export interface ManagerCategory {
  id: string
  name: string
  sort: number
  colour: string | null
}

export interface PriceChange {
  from: string
  price: number | null
}

export interface ManagerProduct {
  id: string
  name: string
  categoryId: string
  barcode: string | null
  image: string | null
  allergens: Allergen[]
  active: boolean
  orderable: boolean
  prices: Record<string, number>
  upcoming: Record<string, PriceChange[]>
  hasSales: boolean
}

export interface ManagerCatalogue {
  locations: ManagerLocation[]
  categories: ManagerCategory[]
  products: ManagerProduct[]
}

export interface StaffMember {
  id: string
  name: string
  roles: Role[]
  locationIds: string[]
  active: boolean
}

export interface ImportResult {
  rows: number
  created: number
  updated: number
  unchanged: number
  errors: { line: number; column?: string; code?: string; params?: Record<string, string | number>; message: string }[]
}

export interface ReportTotals {
  sales: number
  amount: number
  voids: number
  voidAmount: number
  cash: number
  card: number
}

export interface PeriodReport {
  from: string
  to: string
  totals: ReportTotals
  perDay: { day: string; sales: number; amount: number }[]
  byProduct: { productId: string; name: string; quantity: number; amount: number }[]
  byCategory: { categoryId?: string; name: string; quantity?: number; sales?: number; amount: number }[]
  byTill: { terminalId: string; name: string; sales: number; amount: number }[]
  byCashier: { staffId: string; name: string; sales: number; amount: number }[]
  voids: { saleId: string; at: string; amount: number; by: string; reason?: string | null }[]
}
