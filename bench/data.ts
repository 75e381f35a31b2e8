/**
 * Benchmark data at a realistic scale, generated in memory in the demo.json format
 * (server/demo/demo.ts `DemoData`), from a seeded PRNG so every run loads the same data set.
 *
 * Default: 1 municipality, 3 canteens, 2,000 products, 50,000 holders with one account and one
 * card each, 12 staff. Photos are null; guardians are left out (the tills never see them).
 */
import { prng } from '../scripts/prng'
import type { DemoData } from '../server/demo/demo'

export interface Scale {
  locations: number
  categories: number
  products: number
  holders: number
  staff: number
}

export const REALISTIC: Scale = { locations: 3, categories: 12, products: 2000, holders: 50_000, staff: 12 }


const FIRST = ['Freja', 'Ida', 'Emma', 'Alma', 'Clara', 'Ella', 'Karla', 'Agnes', 'Olivia', 'Sofia', 'William', 'Noah', 'Oscar', 'Lucas', 'Carl', 'Victor', 'Malthe', 'Alfred', 'Emil', 'Aksel', 'Valdemar', 'Johan', 'Asta', 'Luna', 'Ellen']
const LAST = ['Nielsen', 'Jensen', 'Hansen', 'Pedersen', 'Andersen', 'Christensen', 'Larsen', 'Sørensen', 'Rasmussen', 'Jørgensen', 'Petersen', 'Madsen', 'Kristensen', 'Olsen', 'Thomsen', 'Christiansen', 'Poulsen', 'Johansen', 'Møller', 'Mortensen']
const CATEGORY_NAMES = ['Varm mad', 'Sandwich', 'Salat', 'Frugt', 'Mejeri', 'Drikkevarer', 'Bagværk', 'Snacks', 'Suppe', 'Morgenmad', 'Vegetar', 'Dagens ret']
const PRODUCT_WORDS = ['Frikadeller', 'Lasagne', 'Kylling', 'Rugbrød', 'Pasta', 'Suppe', 'Bolle', 'Yoghurt', 'Æble', 'Banan', 'Minimælk', 'Juice', 'Wrap', 'Salat', 'Pizza', 'Boller i karry', 'Tærte', 'Smoothie', 'Kanelsnegl', 'Gulerodsbolle']
const PRODUCT_EXTRAS = ['med kartofler', 'med ris', 'med salat', 'økologisk', 'lille', 'stor', 'med ost', 'med skinke', 'vegetar', 'glutenfri']

export const MUNICIPALITY_ID = 'm-bench'
export const locationId = (i: number) => `l-bench-${i + 1}`
export const accountId = (i: number) => `a-${String(i + 1).padStart(6, '0')}`
export const cardNumber = (i: number) => `K${String(i + 1).padStart(8, '0')}`

export function generateData(scale: Scale = REALISTIC, seed = 20261124): DemoData {
  const rnd = prng(seed)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1))

  const locations = Array.from({ length: scale.locations }, (_, i) => ({ id: locationId(i), name: `Skole ${i + 1} – kantinen` }))
  const categories = Array.from({ length: scale.categories }, (_, i) => ({
    id: `c-bench-${i + 1}`,
    name: CATEGORY_NAMES[i % CATEGORY_NAMES.length]! + (i >= CATEGORY_NAMES.length ? ` ${i + 1}` : ''),
    sort: i + 1,
  }))
  const snacks = categories[Math.min(7, categories.length - 1)]!.id

  const products = Array.from({ length: scale.products }, (_, i) => {
    const prices: Record<string, number> = {}
    for (const l of locations) {
      // Most products are sold everywhere; some only at a few canteens, at their own prices.
      if (rnd() < 0.9) prices[l.id] = int(4, 60) * 100 + pick([0, 0, 50])
    }
    if (Object.keys(prices).length === 0) prices[locations[0]!.id] = 2500
    return {
      id: `p-${String(i + 1).padStart(5, '0')}`,
      name: `${pick(PRODUCT_WORDS)} ${pick(PRODUCT_EXTRAS)} #${i + 1}`,
      categoryId: pick(categories).id,
      prices,
      barcode: rnd() < 0.4 ? String(5_700_000_000_000 + i) : null,
      sort: i + 1,
    }
  })

  const staff = Array.from({ length: scale.staff }, (_, i) => ({
    id: `s-bench-${i + 1}`,
    name: `${pick(FIRST)} ${pick(LAST)}`,
    pin: String(1000 + i),
    roles: (i % 4 === 0 ? ['cashier', 'pickup', 'manager'] : ['cashier', 'pickup']) as ('cashier' | 'pickup' | 'manager')[],
    locationIds: [locations[i % locations.length]!.id],
  }))

  const holders = Array.from({ length: scale.holders }, (_, i) => {
    const school = locations[i % locations.length]!.id
    const limited = rnd() < 0.2
    return {
      accountId: accountId(i),
      name: `${pick(FIRST)} ${pick(FIRST)} ${pick(LAST)}`,
      photo: null,
      cpr: String(int(1, 28)).padStart(2, '0') + String(int(1, 12)).padStart(2, '0') + String(int(8, 19)).padStart(2, '0') + String(int(0, 9999)).padStart(4, '0'),
      balance: int(0, 500) * 100,
      status: (rnd() < 0.02 ? 'blocked' : 'active') as 'active' | 'blocked',
      limits: { day: limited ? int(3, 10) * 1000 : null, week: limited && rnd() < 0.5 ? 20000 : null, month: null },
      deniedCategoryIds: rnd() < 0.1 ? [snacks] : [],
      allowedLocationIds: rnd() < 0.5 ? [school] : null,
      cards: [{ number: cardNumber(i), status: 'active' as const }],
    }
  })

  return {
    municipality: { id: MUNICIPALITY_ID, name: 'Benchmark Kommune' },
    locations,
    categories,
    products,
    staff,
    holders,
    guardians: [],
  }
}
