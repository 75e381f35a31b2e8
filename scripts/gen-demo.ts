/**
 * Generates resources/demo/demo.json: the demo municipality of Kantine (3 school canteens, a
 * product catalogue, staff with PINs, ~520 card holders and their guardians).
 *
 * Deterministic: a fixed-seed PRNG, no clock, no network. Run `npx tsx scripts/gen-demo.ts`; the
 * same source always writes the same bytes. Every person is invented; photos are drawn SVG avatars.
 * The first five holders (DEMO0001-DEMO0005) and the staff s-mette / s-jonas are fixed: the README
 * and the end-to-end tests rely on them.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Allergen } from '../domain/allergens'
import { CARD_NUMBER } from '../domain/card'
import { isOre, type Ore } from '../domain/money'
import { prng } from './prng'

const SEED = 0x6b616e74 // "kant"
const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'resources', 'demo', 'demo.json')
const MAX_BYTES = 1_000_000

const rand = prng(SEED)
const int = (min: number, max: number): number => min + Math.floor(rand() * (max - min + 1)) // inclusive
const chance = (p: number): boolean => rand() < p
function pick<T>(items: readonly T[]): T {
  const item = items[Math.floor(rand() * items.length)]
  if (item === undefined) throw new Error('pick: empty list')
  return item
}
/** Items with weights: `[[item, weight], ...]`. */
function pickWeighted<T>(items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((s, [, w]) => s + w, 0)
  let r = rand() * total
  for (const [item, w] of items) {
    r -= w
    if (r < 0) return item
  }
  return items[items.length - 1]![0]
}
function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    ;[items[i], items[j]] = [items[j]!, items[i]!]
  }
  return items
}
const pad = (n: number, width: number): string => String(n).padStart(width, '0')

// ---------------------------------------------------------------------------------------------
// Types of the file

interface Location { id: string; name: string; cashAllowed: boolean }
interface Category { id: string; name: string; sort: number; colour: string }
interface Product {
  id: string
  name: string
  categoryId: string
  prices: Record<string, Ore>
  barcode: string | null
  allergens: Allergen[]
  sort: number
}
type Role = 'cashier' | 'pickup' | 'manager'
interface Staff { id: string; name: string; pin: string; roles: Role[]; locationIds: string[] }
interface Card { number: string; status: 'active' | 'replaced' | 'lost' }
interface Holder {
  accountId: string
  name: string
  photo: string
  cpr: string
  balance: Ore
  status: 'active' | 'blocked'
  limits: { day: Ore | null; week: Ore | null; month: Ore | null }
  deniedCategoryIds: string[]
  allowedLocationIds: string[] | null
  cards: Card[]
}
interface Guardian { id: string; name: string; email: string; accountIds: string[]; kioskPin?: string }

// ---------------------------------------------------------------------------------------------
// Municipality, canteens, categories, products

const municipality = { id: 'm-demo', name: 'Demo Kommune' }

// The demo's canteens take cash from guests (their manager's setting on a real server).
const locations: Location[] = [
  { id: 'l-skovvang', name: 'Skovvangskolen – kantinen', cashAllowed: true },
  { id: 'l-noerrebakke', name: 'Nørrebakkeskolen – kantinen', cashAllowed: true },
  { id: 'l-aadal', name: 'Ådalsskolen – kantinen', cashAllowed: true },
]
const [SKOV, NOERRE, AADAL] = locations.map((l) => l.id) as [string, string, string]
const ALL_LOCATIONS = locations.map((l) => l.id)

const categories: Category[] = [
  { id: 'c-varm-mad', name: 'Varm mad', sort: 1, colour: '#c2410c' },
  { id: 'c-sandwich', name: 'Sandwich', sort: 2, colour: '#a16207' },
  { id: 'c-salat', name: 'Salat', sort: 3, colour: '#15803d' },
  { id: 'c-frugt', name: 'Frugt', sort: 4, colour: '#65a30d' },
  { id: 'c-mejeri', name: 'Mejeri', sort: 5, colour: '#0369a1' },
  { id: 'c-drikkevarer', name: 'Drikkevarer', sort: 6, colour: '#0e7490' },
  { id: 'c-bagvaerk', name: 'Bagværk', sort: 7, colour: '#92400e' },
  { id: 'c-snacks', name: 'Snacks', sort: 8, colour: '#7e22ce' },
]
const SNACKS = 'c-snacks'
const DRINKS = 'c-drikkevarer'

/**
 * [id, name, category, price øre, packaged (gets an EAN-13), per-location overrides]
 * An override is another price at that canteen, or null: not sold there.
 */
type ProductRow = [string, string, string, Ore, boolean, Record<string, Ore | null>?]
const PRODUCTS: ProductRow[] = [
  ['p-frikadeller', 'Frikadeller med kartoffelsalat', 'c-varm-mad', 3500, false],
  ['p-lasagne', 'Lasagne med salat', 'c-varm-mad', 3500, false, { [SKOV]: 3800 }],
  ['p-kylling-karry', 'Kylling i karry med ris', 'c-varm-mad', 3500, false],
  ['p-boller-karry', 'Boller i karry med ris', 'c-varm-mad', 3500, false],
  ['p-spaghetti', 'Spaghetti med kødsauce', 'c-varm-mad', 3000, false],
  ['p-tarteletter', 'Tarteletter med høns i asparges', 'c-varm-mad', 3000, false],
  ['p-pasta-pesto', 'Pasta med pesto og kylling', 'c-varm-mad', 3500, false],
  ['p-fiskefrikadeller', 'Fiskefrikadeller med remoulade', 'c-varm-mad', 3500, false, { [AADAL]: null }],
  ['p-dagens-suppe', 'Dagens suppe med brød', 'c-varm-mad', 2500, false],
  ['p-chili-sin-carne', 'Chili sin carne med ris', 'c-varm-mad', 3000, false],
  ['p-pizza-slice', 'Fuldkornspizza med skinke, stk.', 'c-varm-mad', 2000, false],
  ['p-risengroed', 'Risengrød med kanel og smørklat', 'c-varm-mad', 2000, false, { [NOERRE]: null }],
  ['p-sandwich-kylling', 'Sandwich med kylling og karry', 'c-sandwich', 3000, false],
  ['p-sandwich-skinke', 'Sandwich med skinke og ost', 'c-sandwich', 2800, false],
  ['p-sandwich-tun', 'Sandwich med tun og majs', 'c-sandwich', 2800, false],
  ['p-sandwich-aeg-rejer', 'Sandwich med æg og rejer', 'c-sandwich', 3200, false, { [AADAL]: null }],
  ['p-wrap-falafel', 'Wrap med falafel og hummus', 'c-sandwich', 3000, false],
  ['p-pita-kylling', 'Pitabrød med kylling', 'c-sandwich', 3000, false],
  ['p-bagel-laks', 'Bagel med flødeost og laks', 'c-sandwich', 3200, false, { [NOERRE]: 3500 }],
  ['p-rugbroed-aeg', 'Rugbrød med æg og karse', 'c-sandwich', 1500, false],
  ['p-rugbroed-leverpostej', 'Rugbrød med leverpostej og agurk', 'c-sandwich', 1500, false],
  ['p-rugbroed-frikadelle', 'Rugbrød med frikadelle og rødkål', 'c-sandwich', 1800, false],
  ['p-pastasalat', 'Pastasalat med kylling', 'c-salat', 3000, false],
  ['p-graesk-salat', 'Græsk salat med feta', 'c-salat', 2800, false],
  ['p-bulgursalat', 'Bulgursalat med kikærter', 'c-salat', 2800, false],
  ['p-raasalat', 'Råkostsalat med gulerod og æble', 'c-salat', 1500, false],
  ['p-salatbar-lille', 'Salatbar, lille bæger', 'c-salat', 2000, false],
  ['p-salatbar-stor', 'Salatbar, stort bæger', 'c-salat', 3500, false, { [SKOV]: 3200 }],
  ['p-gulerodsstave', 'Gulerodsstave med dip', 'c-salat', 1200, false],
  ['p-aeble', 'Æble', 'c-frugt', 500, false],
  ['p-banan', 'Banan', 'c-frugt', 500, false],
  ['p-paere', 'Pære', 'c-frugt', 500, false],
  ['p-appelsin', 'Appelsin', 'c-frugt', 600, false],
  ['p-mandarin', 'Mandarin', 'c-frugt', 400, false],
  ['p-vindruer', 'Vindruer i bæger', 'c-frugt', 1200, true],
  ['p-frugtbaeger', 'Frugtbæger med melon og ananas', 'c-frugt', 1500, true],
  ['p-minimaelk', 'Minimælk 0,25 l', 'c-mejeri', 800, true],
  ['p-letmaelk', 'Letmælk 0,25 l', 'c-mejeri', 800, true],
  ['p-kakaomaelk', 'Kakaomælk 0,25 l', 'c-mejeri', 1000, true],
  ['p-yoghurt-muesli', 'Yoghurt naturel med müsli', 'c-mejeri', 1500, true],
  ['p-skyr-blaabaer', 'Skyr med blåbær', 'c-mejeri', 1500, true],
  ['p-drikkeyoghurt', 'Drikkeyoghurt jordbær 0,25 l', 'c-mejeri', 1200, true],
  ['p-ostesnack', 'Ostesnack i tern', 'c-mejeri', 800, true],
  ['p-vand', 'Kildevand 0,5 l', 'c-drikkevarer', 1000, true],
  ['p-danskvand', 'Danskvand citrus 0,5 l', 'c-drikkevarer', 1200, true],
  ['p-aeblejuice', 'Æblejuice 0,25 l', 'c-drikkevarer', 1000, true],
  ['p-appelsinjuice', 'Appelsinjuice 0,25 l', 'c-drikkevarer', 1000, true],
  ['p-smoothie', 'Smoothie jordbær-banan 0,25 l', 'c-drikkevarer', 1800, true],
  ['p-iste', 'Iste fersken 0,5 l', 'c-drikkevarer', 1500, true, { [SKOV]: null }],
  ['p-kaffe', 'Kaffe, kop', 'c-drikkevarer', 1000, false],
  ['p-te', 'Te, kop', 'c-drikkevarer', 500, false],
  ['p-bolle-smoer', 'Bolle med smør', 'c-bagvaerk', 800, false],
  ['p-bolle-ost', 'Bolle med smør og ost', 'c-bagvaerk', 1200, false],
  ['p-grahamsbolle', 'Grahamsbolle', 'c-bagvaerk', 600, false],
  ['p-kanelsnegl', 'Kanelsnegl', 'c-bagvaerk', 1200, false],
  ['p-croissant', 'Croissant', 'c-bagvaerk', 1200, false, { [AADAL]: 1000 }],
  ['p-muffin', 'Muffin med blåbær', 'c-bagvaerk', 1500, true],
  ['p-bananbroed', 'Bananbrød, skive', 'c-bagvaerk', 1000, false],
  ['p-popcorn', 'Popcorn, lille pose', 'c-snacks', 1000, true],
  ['p-mueslibar', 'Müslibar', 'c-snacks', 1000, true],
  ['p-riskiks', 'Riskiks med mørk chokolade', 'c-snacks', 800, true],
  ['p-chips', 'Chips, lille pose', 'c-snacks', 1200, true, { [NOERRE]: null }],
  ['p-noedder-rosiner', 'Nødder og rosiner', 'c-snacks', 1500, true],
  ['p-frugtstang', 'Frugtstang', 'c-snacks', 800, true],
]

/** What the demo's products contain of the EU's 14 allergens (a real canteen's list would come from its recipes). */
const ALLERGENS_OF: Record<string, Allergen[]> = {
  'p-frikadeller': ['gluten', 'eggs', 'milk', 'mustard'],
  'p-lasagne': ['gluten', 'eggs', 'milk', 'celery'],
  'p-kylling-karry': ['milk', 'celery'],
  'p-boller-karry': ['gluten', 'eggs', 'milk', 'celery'],
  'p-spaghetti': ['gluten', 'celery'],
  'p-tarteletter': ['gluten', 'eggs', 'milk'],
  'p-pasta-pesto': ['gluten', 'milk', 'nuts'],
  'p-fiskefrikadeller': ['gluten', 'eggs', 'fish', 'milk', 'mustard'],
  'p-dagens-suppe': ['gluten', 'celery', 'milk'],
  'p-chili-sin-carne': ['celery'],
  'p-pizza-slice': ['gluten', 'milk'],
  'p-risengroed': ['milk'],
  'p-sandwich-kylling': ['gluten', 'eggs', 'mustard'],
  'p-sandwich-skinke': ['gluten', 'milk'],
  'p-sandwich-tun': ['gluten', 'eggs', 'fish'],
  'p-sandwich-aeg-rejer': ['gluten', 'eggs', 'crustaceans'],
  'p-wrap-falafel': ['gluten', 'sesame'],
  'p-pita-kylling': ['gluten', 'milk'],
  'p-bagel-laks': ['gluten', 'fish', 'milk', 'sesame'],
  'p-rugbroed-aeg': ['gluten', 'eggs'],
  'p-rugbroed-leverpostej': ['gluten', 'eggs', 'milk'],
  'p-rugbroed-frikadelle': ['gluten', 'eggs', 'milk'],
  'p-pastasalat': ['gluten', 'eggs', 'mustard'],
  'p-graesk-salat': ['milk'],
  'p-bulgursalat': ['gluten', 'sesame'],
  'p-gulerodsstave': ['milk'],
  'p-minimaelk': ['milk'],
  'p-letmaelk': ['milk'],
  'p-kakaomaelk': ['milk'],
  'p-yoghurt-muesli': ['gluten', 'milk', 'nuts'],
  'p-skyr-blaabaer': ['milk'],
  'p-drikkeyoghurt': ['milk'],
  'p-ostesnack': ['milk'],
  'p-smoothie': ['milk'],
  'p-bolle-smoer': ['gluten', 'milk'],
  'p-bolle-ost': ['gluten', 'milk'],
  'p-grahamsbolle': ['gluten'],
  'p-kanelsnegl': ['gluten', 'eggs', 'milk'],
  'p-croissant': ['gluten', 'eggs', 'milk'],
  'p-muffin': ['gluten', 'eggs', 'milk'],
  'p-bananbroed': ['gluten', 'eggs', 'milk', 'nuts'],
  'p-mueslibar': ['gluten', 'nuts', 'sesame'],
  'p-riskiks': ['milk', 'soybeans'],
  'p-noedder-rosiner': ['nuts', 'peanuts', 'sulphites'],
}

/** EAN-13 check digit of the first 12 digits: weights 1,3,1,3,... from the left. */
function ean13CheckDigit(first12: string): number {
  let sum = 0
  for (let i = 0; i < 12; i++) sum += Number(first12[i]) * (i % 2 === 0 ? 1 : 3)
  return (10 - (sum % 10)) % 10
}
const isValidEan13 = (code: string): boolean =>
  /^\d{13}$/.test(code) && ean13CheckDigit(code.slice(0, 12)) === Number(code[12])

const usedBarcodes = new Set<string>()
function barcode(): string {
  for (;;) {
    // 57x: GS1 Denmark prefixes (570-579).
    let first12 = '57' + String(int(0, 9))
    while (first12.length < 12) first12 += String(int(0, 9))
    const code = first12 + String(ean13CheckDigit(first12))
    if (!usedBarcodes.has(code)) {
      usedBarcodes.add(code)
      return code
    }
  }
}

const sortInCategory = new Map<string, number>()
const products: Product[] = PRODUCTS.map(([id, name, categoryId, price, packaged, overrides = {}]) => {
  const prices: Record<string, Ore> = {}
  for (const loc of ALL_LOCATIONS) {
    const p = loc in overrides ? overrides[loc] : price
    if (p !== null && p !== undefined) prices[loc] = p
  }
  const sort = (sortInCategory.get(categoryId) ?? 0) + 1
  sortInCategory.set(categoryId, sort)
  return { id, name, categoryId, prices, barcode: packaged ? barcode() : null, allergens: ALLERGENS_OF[id] ?? [], sort }
})

// ---------------------------------------------------------------------------------------------
// Staff (users of the till and pickup counter)

const staff: Staff[] = [
  { id: 's-mette', name: 'Mette Hansen', pin: '1234', roles: ['cashier', 'pickup'], locationIds: [...ALL_LOCATIONS] },
  { id: 's-jonas', name: 'Jonas Berg', pin: '9999', roles: ['manager', 'cashier'], locationIds: [...ALL_LOCATIONS] },
  { id: 's-birgitte', name: 'Birgitte Madsen', pin: '4821', roles: ['cashier'], locationIds: [SKOV] },
  { id: 's-kasper', name: 'Kasper Holm', pin: '3917', roles: ['pickup'], locationIds: [SKOV] },
  { id: 's-hanne', name: 'Hanne Kristensen', pin: '5064', roles: ['cashier'], locationIds: [NOERRE] },
  { id: 's-ali', name: 'Ali Yilmaz', pin: '7350', roles: ['pickup'], locationIds: [NOERRE] },
  { id: 's-susanne', name: 'Susanne Lund', pin: '2689', roles: ['cashier'], locationIds: [AADAL] },
  { id: 's-nikolaj', name: 'Nikolaj Dahl', pin: '6142', roles: ['pickup'], locationIds: [AADAL] },
]

// ---------------------------------------------------------------------------------------------
// Names

type Gender = 'f' | 'm'
const GIRLS = [
  'Freja', 'Ida', 'Emma', 'Alma', 'Ella', 'Sofia', 'Clara', 'Karla', 'Agnes', 'Olivia', 'Anna', 'Laura',
  'Josefine', 'Lærke', 'Alberte', 'Nora', 'Luna', 'Ellen', 'Lea', 'Mathilde', 'Maja', 'Asta', 'Liva',
  'Frida', 'Esther', 'Victoria', 'Caroline', 'Sofie', 'Marie', 'Isabella', 'Vigga', 'Ingrid', 'Saga',
  'Nanna', 'Cecilie', 'Signe', 'Astrid', 'Emilie', 'Silje', 'Molly', 'Aya', 'Zainab',
]
const BOYS = [
  'William', 'Noah', 'Oscar', 'Carl', 'Lucas', 'Alfred', 'Emil', 'Aksel', 'Valdemar', 'Oliver', 'Arthur',
  'Malthe', 'Elias', 'August', 'Magnus', 'Victor', 'Viggo', 'Frederik', 'Anton', 'Theo', 'Johan', 'Felix',
  'Storm', 'Otto', 'Villads', 'Mikkel', 'Alexander', 'Mads', 'Sebastian', 'Mathias', 'Liam', 'Lauge',
  'Bertram', 'Laurits', 'Albert', 'Hugo', 'Konrad', 'Benjamin', 'Adam', 'Jakob', 'Ahmad', 'Yusuf',
]
const WOMEN = [
  'Mette', 'Louise', 'Camilla', 'Maria', 'Anne', 'Line', 'Pernille', 'Trine', 'Marianne', 'Charlotte',
  'Helle', 'Susanne', 'Katrine', 'Sara', 'Julie', 'Stine', 'Tina', 'Lene', 'Hanne', 'Christina', 'Maiken',
  'Rikke', 'Signe', 'Mia', 'Nadia', 'Sanne', 'Dorthe', 'Malene', 'Kristina', 'Fatima',
]
const MEN = [
  'Søren', 'Lars', 'Jesper', 'Martin', 'Thomas', 'Michael', 'Henrik', 'Rasmus', 'Anders', 'Peter', 'Jens',
  'Morten', 'Kasper', 'Christian', 'Jacob', 'Mads', 'Jonas', 'Nikolaj', 'Brian', 'Kim', 'Mikkel', 'Jan',
  'Troels', 'Simon', 'Kristian', 'Bo', 'Ulrik', 'Esben', 'Omar', 'Tobias',
]
/** Surnames weighted roughly by how common they are in Denmark. */
const SURNAMES: [string, number][] = [
  ['Nielsen', 24], ['Jensen', 24], ['Hansen', 20], ['Pedersen', 15], ['Andersen', 15], ['Christensen', 11],
  ['Larsen', 11], ['Sørensen', 10], ['Rasmussen', 9], ['Jørgensen', 8], ['Petersen', 7], ['Madsen', 6],
  ['Kristensen', 6], ['Olsen', 5], ['Thomsen', 5], ['Christiansen', 4], ['Poulsen', 4], ['Johansen', 4],
  ['Møller', 4], ['Mortensen', 4], ['Knudsen', 3], ['Jakobsen', 3], ['Mikkelsen', 3], ['Olesen', 3],
  ['Frederiksen', 3], ['Laursen', 3], ['Henriksen', 3], ['Lund', 3], ['Schmidt', 2], ['Eriksen', 2],
  ['Holm', 2], ['Kristiansen', 2], ['Clausen', 2], ['Simonsen', 2], ['Svendsen', 2], ['Andreasen', 2],
  ['Iversen', 2], ['Jeppesen', 2], ['Mogensen', 2], ['Nissen', 1], ['Lauridsen', 1], ['Kjær', 2],
  ['Vestergaard', 2], ['Østergaard', 1], ['Dahl', 1], ['Bach', 1], ['Skov', 1], ['Friis', 1],
  ['Ali', 1], ['Hussein', 1], ['Yilmaz', 1], ['Nguyen', 1], ['Kowalski', 1],
]

const usedNames = new Set<string>()
/** A full name not used by any other person in the set (avoids two pupils of the same name). */
function uniqueName(gender: Gender, adult: boolean, surname?: string): string {
  for (let tries = 0; ; tries++) {
    const first = pick(adult ? (gender === 'f' ? WOMEN : MEN) : gender === 'f' ? GIRLS : BOYS)
    const last = surname && tries < 40 ? surname : pickWeighted(SURNAMES)
    const name = `${first} ${last}`
    if (!usedNames.has(name)) {
      usedNames.add(name)
      return name
    }
  }
}

// ---------------------------------------------------------------------------------------------
// CPR (fake): DDMMYY + 4 digits; the 7th digit encodes the century, the last digit's parity the
// gender. The sequence digits are chosen to FAIL the modulus-11 check, which every CPR number
// issued before 2007 passes; the numbers are random and invented, not taken from any register.

const usedCpr = new Set<string>()
const MOD11_WEIGHTS = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1]
const passesMod11 = (cpr: string): boolean =>
  MOD11_WEIGHTS.reduce((s, w, i) => s + w * Number(cpr[i]), 0) % 11 === 0

function cpr(birthYear: number, gender: Gender): string {
  for (;;) {
    const month = int(1, 12)
    const days = new Date(Date.UTC(birthYear, month, 0)).getUTCDate()
    const day = int(1, days)
    // 1937-1999: 0-3 (and more); 2000-2036: 4 or 9; 2000-2057: 5-8.
    const century = birthYear >= 2000 ? pick([4, 5, 6, 7, 8, 9]) : pick([0, 1, 2, 3])
    let last = int(0, 9)
    if ((last % 2 === 1) !== (gender === 'm')) last = (last + 1) % 10
    const n = `${pad(day, 2)}${pad(month, 2)}${pad(birthYear % 100, 2)}${century}${pad(int(0, 99), 2)}${last}`
    if (!passesMod11(n) && !usedCpr.has(n)) {
      usedCpr.add(n)
      return n
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Card numbers

const usedCards = new Set<string>()
const LETTERS = 'ABCDEFGHJKLMNPRSTUVWXYZ' // no I, O, Q: they look like 1 and 0 on a card
function claimCard(number: string): string {
  if (usedCards.has(number)) throw new Error(`card number used twice: ${number}`)
  usedCards.add(number)
  return number
}
function newCardNumber(): string {
  for (;;) {
    let n: string
    if (chance(0.15)) {
      // e.g. K7F3A912: a letter first, then letters and digits (mostly digits)
      n = pick([...LETTERS])
      while (n.length < 8) n += chance(0.3) ? pick([...LETTERS]) : String(int(0, 9))
    } else {
      n = String(int(1, 9))
      while (n.length < 8) n += String(int(0, 9))
    }
    if (!usedCards.has(n)) return claimCard(n)
  }
}

// ---------------------------------------------------------------------------------------------
// Photos: small SVG head-and-shoulders avatars with the initials

const BACKGROUNDS = ['#8ecae6', '#ffb703', '#90be6d', '#f4a261', '#cdb4db', '#a8dadc', '#ffafcc', '#bde0fe', '#e9c46a', '#b5e48c', '#f28482', '#84a59d']
const SHIRTS = ['#264653', '#2a9d8f', '#e76f51', '#6d597a', '#1d3557', '#9d0208', '#386641', '#5f0f40', '#3a0ca3', '#0077b6', '#495057', '#bc6c25']
const SKINS = ['#f9dcc4', '#f1c9a5', '#e8b48f', '#d49a6a', '#b07848', '#8d5524', '#6b3f1d']
const HAIRS = ['#120c08', '#3b2417', '#5a3a22', '#8a5a2b', '#b5793b', '#d9b26b', '#ecd393', '#a0401c']
const GREY_HAIRS = ['#9a9a9a', '#c8c8c8']

/** Relative lightness 0..1 of `#rrggbb`, enough to keep hair from melting into the face. */
function lightness(hex: string): number {
  const v = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
  return 0.2126 * v[0]! + 0.7152 * v[1]! + 0.0722 * v[2]!
}

/** Front hair (fringe) over the top of the head; the head is a circle r=11 at (32,28). */
const FRINGE = 'M20.6 28a11.4 11.4 0 0 1 22.8 0c-3-4.5-7-6.2-11.4-6.2-4.8 0-8.6 2.4-11.4 6.2z'
const CROP = 'M21 26a11 11 0 0 1 22 0c-3-2.6-7-3.6-11-3.6s-8 1-11 3.6z'

function initials(name: string): string {
  const parts = name.split(' ')
  return ((parts[0]?.[0] ?? '') + (parts[parts.length - 1]?.[0] ?? '')).toUpperCase()
}

/**
 * A 64x64 portrait inside a coloured disc: shoulders in a shirt colour, neck, head, hair in one of
 * a few styles, eyes, and the initials in white on the shirt. About 500-620 bytes of SVG.
 */
function avatar(name: string, gender: Gender, adult: boolean): string {
  const bg = pick(BACKGROUNDS)
  const shirt = pick(SHIRTS)
  const skin = pick(SKINS)
  let hair = adult && chance(0.15) ? pick(GREY_HAIRS) : pick(HAIRS)
  while (Math.abs(lightness(hair) - lightness(skin)) < 0.18) hair = pick(HAIRS)
  const style =
    gender === 'f'
      ? pickWeighted<'long' | 'bun' | 'short' | 'crop'>([['long', 6], ['bun', 2], ['short', 2], ['crop', 0.5]])
      : pickWeighted<'long' | 'short' | 'crop' | 'bald'>([['short', 6], ['crop', 3], ['long', 1], ['bald', adult ? 1 : 0]])
  let back = ''
  let front = ''
  if (style === 'long') back = `<path d="M19 30a13 13 0 0 1 26 0v${gender === 'f' ? 17 : 9}H19z" fill="${hair}"/>`
  if (style === 'bun') back = `<circle cx="32" cy="15" r="5.5" fill="${hair}"/>`
  if (style === 'long' || style === 'bun' || style === 'short') front = `<path d="${FRINGE}" fill="${hair}"/>`
  if (style === 'crop') front = `<path d="${CROP}" fill="${hair}"/>`
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">` +
    `<circle cx="32" cy="32" r="32" fill="${bg}"/>${back}` +
    `<path d="M28 36h8v9h-8z" fill="${skin}"/>` +
    // shoulders, cut off by the edge of the disc (an arc of the r=32 circle)
    `<path d="M7.9 53C10 47 19 44 32 44s22 3 24.1 9A32 32 0 0 1 7.9 53z" fill="${shirt}"/>` +
    `<circle cx="32" cy="28" r="11" fill="${skin}"/>${front}` +
    `<circle cx="28" cy="29" r="1.3" fill="#222"/><circle cx="36" cy="29" r="1.3" fill="#222"/>` +
    `<text x="32" y="59" font-family="Arial,sans-serif" font-size="11" font-weight="700" ` +
    `text-anchor="middle" fill="#fff">${initials(name)}</text></svg>`
  return 'data:image/svg+xml;base64,' + Buffer.from(svg, 'utf8').toString('base64')
}

// ---------------------------------------------------------------------------------------------
// Holders and guardians

const NO_LIMITS = { day: null, week: null, month: null }
const balanceOre = (min: number, max: number): Ore => int(min / 50, max / 50) * 50

interface Person { name: string; gender: Gender }
interface Family { children: Person[]; guardians: Person[] }

const FIXED: (Omit<Holder, 'photo' | 'cpr'> & { gender: Gender; guardian: Person })[] = [
  {
    accountId: 'a-0001', name: 'Freja Nielsen', gender: 'f', balance: 15000, status: 'active', limits: { ...NO_LIMITS },
    deniedCategoryIds: [], allowedLocationIds: null, cards: [{ number: 'DEMO0001', status: 'active' }],
    guardian: { name: 'Louise Nielsen', gender: 'f' },
  },
  {
    accountId: 'a-0002', name: 'Oscar Jensen', gender: 'm', balance: 800, status: 'active', limits: { ...NO_LIMITS },
    deniedCategoryIds: [], allowedLocationIds: null, cards: [{ number: 'DEMO0002', status: 'active' }],
    guardian: { name: 'Thomas Jensen', gender: 'm' },
  },
  {
    accountId: 'a-0003', name: 'Ida Hansen', gender: 'f', balance: 20000, status: 'blocked', limits: { ...NO_LIMITS },
    deniedCategoryIds: [], allowedLocationIds: null, cards: [{ number: 'DEMO0003', status: 'active' }],
    guardian: { name: 'Camilla Hansen', gender: 'f' },
  },
  {
    accountId: 'a-0004', name: 'William Pedersen', gender: 'm', balance: 10000, status: 'active',
    limits: { day: 3000, week: null, month: null }, deniedCategoryIds: [], allowedLocationIds: null,
    cards: [{ number: 'DEMO0004', status: 'active' }, { number: 'OLD00004', status: 'replaced' }],
    guardian: { name: 'Martin Pedersen', gender: 'm' },
  },
  {
    accountId: 'a-0005', name: 'Emma Larsen', gender: 'f', balance: 25000, status: 'active', limits: { ...NO_LIMITS },
    deniedCategoryIds: [SNACKS], allowedLocationIds: null, cards: [{ number: 'DEMO0005', status: 'active' }],
    guardian: { name: 'Katrine Larsen', gender: 'f' },
  },
]
const PUPILS = 500
const STAFF_HOLDERS = 20

for (const s of staff) usedNames.add(s.name)
for (const f of FIXED) {
  usedNames.add(f.name)
  usedNames.add(f.guardian.name)
  for (const c of f.cards) claimCard(c.number)
}

// Families of the generated pupils: 1-3 children, one guardian (sometimes two).
const families: Family[] = []
let toPlace = PUPILS - FIXED.length
while (toPlace > 0) {
  const kids = Math.min(toPlace, pickWeighted([[1, 35], [2, 40], [3, 25]]))
  toPlace -= kids
  const surname = pickWeighted(SURNAMES)
  const first: Gender = chance(0.6) ? 'f' : 'm'
  const guardians: Person[] = [{ name: uniqueName(first, true, surname), gender: first }]
  if (chance(0.15)) {
    const second: Gender = first === 'f' ? 'm' : 'f'
    guardians.push({ name: uniqueName(second, true, chance(0.6) ? surname : undefined), gender: second })
  }
  const children: Person[] = []
  for (let k = 0; k < kids; k++) {
    const g: Gender = chance(0.5) ? 'f' : 'm'
    children.push({ name: uniqueName(g, false, surname), gender: g })
  }
  families.push({ children, guardians })
}

// Account ids: the fixed five first, then the other pupils in shuffled order (siblings are not
// neighbours), then the staff who hold a card.
const generatedPupils = shuffle(families.flatMap((f) => f.children))
const accountIdOf = new Map<Person, string>()
generatedPupils.forEach((p, i) => accountIdOf.set(p, `a-${pad(FIXED.length + 1 + i, 4)}`))

function pupilHolder(p: Person, accountId: string): Holder {
  const photo = avatar(p.name, p.gender, false)
  const r = rand()
  const balance = r < 0.08 ? balanceOre(0, 4950) : r < 0.9 ? balanceOre(5000, 25000) : balanceOre(25050, 40000)
  const limits = {
    day: chance(0.2) ? pick([4000, 4500, 5000, 5500, 6000]) : null,
    week: chance(0.03) ? pick([15000, 20000, 25000]) : null,
    month: chance(0.02) ? pick([60000, 80000]) : null,
  }
  const deniedCategoryIds: string[] = []
  const d = rand()
  if (d < 0.04) deniedCategoryIds.push(SNACKS)
  else if (d < 0.06) deniedCategoryIds.push(DRINKS)
  else if (d < 0.07) deniedCategoryIds.push(DRINKS, SNACKS)
  const allowedLocationIds = chance(0.1) ? [pick(ALL_LOCATIONS)] : null
  const cards: Card[] = [{ number: newCardNumber(), status: 'active' }]
  const c = rand()
  if (c < 0.05) cards.push({ number: newCardNumber(), status: 'replaced' })
  else if (c < 0.07) cards.push({ number: newCardNumber(), status: 'lost' })
  return {
    accountId,
    name: p.name,
    photo,
    cpr: cpr(int(2010, 2019), p.gender),
    balance,
    status: chance(0.02) ? 'blocked' : 'active',
    limits,
    deniedCategoryIds,
    allowedLocationIds,
    cards,
  }
}

const holders: Holder[] = []
for (const f of FIXED) {
  const { gender, guardian: _guardian, ...holder } = f
  holders.push({ ...holder, photo: avatar(f.name, gender, false), cpr: cpr(int(2012, 2016), gender) })
}
for (const p of generatedPupils) holders.push(pupilHolder(p, accountIdOf.get(p)!))

// Teachers and other school staff who pay with a card too.
for (let i = 0; i < STAFF_HOLDERS; i++) {
  const gender: Gender = chance(0.65) ? 'f' : 'm'
  const name = uniqueName(gender, true)
  holders.push({
    accountId: `a-${pad(PUPILS + 1 + i, 4)}`,
    name,
    photo: avatar(name, gender, true),
    cpr: cpr(int(1965, 1998), gender),
    balance: balanceOre(2000, 40000),
    status: 'active',
    limits: { ...NO_LIMITS },
    deniedCategoryIds: [],
    allowedLocationIds: chance(0.1) ? [pick(ALL_LOCATIONS)] : null,
    cards: [{ number: newCardNumber(), status: 'active' }],
  })
}
holders.sort((a, b) => (a.accountId < b.accountId ? -1 : 1))

const usedEmails = new Set<string>()
function email(name: string): string {
  const local = name
    .toLowerCase()
    .replace(/æ/g, 'ae')
    .replace(/ø/g, 'oe')
    .replace(/å/g, 'aa')
    .normalize('NFD')
    .replace(/[^a-z ]/g, '')
    .replace(/ +/g, '.')
  for (let n = 1; ; n++) {
    const e = `${local}${n === 1 ? '' : n}@example.dk`
    if (!usedEmails.has(e)) {
      usedEmails.add(e)
      return e
    }
  }
}

const guardians: Guardian[] = []
const addGuardian = (name: string, accountIds: string[]): void => {
  guardians.push({ id: `g-${pad(guardians.length + 1, 4)}`, name, email: email(name), accountIds })
}
for (const f of FIXED) addGuardian(f.guardian.name, [f.accountId])
// The demo's kiosk PIN sign-in: the guardian of DEMO0001 chose 2468.
guardians[0]!.kioskPin = '2468'
for (const fam of families) {
  const ids = fam.children.map((c) => accountIdOf.get(c)!).sort()
  for (const g of fam.guardians) addGuardian(g.name, ids)
}

// ---------------------------------------------------------------------------------------------
// Checks: the generator refuses to write a set that breaks these.

function check(ok: unknown, message: string): void {
  if (!ok) throw new Error(`demo data: ${message}`)
}
function unique(values: string[], what: string): void {
  const seen = new Set<string>()
  for (const v of values) {
    check(!seen.has(v), `${what} not unique: ${v}`)
    seen.add(v)
  }
}

const locationIds = new Set(ALL_LOCATIONS)
const categoryIds = new Set(categories.map((c) => c.id))
const accountIds = new Set(holders.map((h) => h.accountId))
unique(
  [municipality.id, ...locations.map((l) => l.id), ...categories.map((c) => c.id), ...products.map((p) => p.id),
    ...staff.map((s) => s.id), ...holders.map((h) => h.accountId), ...guardians.map((g) => g.id)],
  'id',
)
const allCards = holders.flatMap((h) => h.cards.map((c) => c.number))
unique(allCards, 'card number')
for (const n of allCards) check(CARD_NUMBER.test(n), `card number invalid: ${n}`)
unique(holders.map((h) => h.cpr), 'cpr')
unique(guardians.map((g) => g.email), 'email')
unique(staff.map((s) => s.pin), 'PIN')
unique(products.flatMap((p) => (p.barcode ? [p.barcode] : [])), 'barcode')
for (const p of products) {
  check(categoryIds.has(p.categoryId), `${p.id}: unknown category ${p.categoryId}`)
  check(Object.keys(p.prices).length > 0, `${p.id}: sold nowhere`)
  for (const [loc, price] of Object.entries(p.prices)) {
    check(locationIds.has(loc), `${p.id}: unknown location ${loc}`)
    check(isOre(price) && price > 0, `${p.id}: price not positive integer øre: ${price}`)
  }
  check(p.barcode === null || (p.barcode.startsWith('57') && isValidEan13(p.barcode)), `${p.id}: bad EAN ${p.barcode}`)
}
for (const s of staff) {
  check(/^\d{4}$/.test(s.pin), `${s.id}: PIN not 4 digits`)
  for (const l of s.locationIds) check(locationIds.has(l), `${s.id}: unknown location ${l}`)
}
check(staff.some((s) => s.roles.includes('manager')), 'no manager')
for (const h of holders) {
  check(isOre(h.balance) && h.balance >= 0 && h.balance <= 40000, `${h.accountId}: balance ${h.balance}`)
  for (const v of Object.values(h.limits)) check(v === null || isOre(v), `${h.accountId}: limit ${v}`)
  for (const c of h.deniedCategoryIds) check(categoryIds.has(c), `${h.accountId}: unknown category ${c}`)
  for (const l of h.allowedLocationIds ?? []) check(locationIds.has(l), `${h.accountId}: unknown location ${l}`)
  check(/^\d{10}$/.test(h.cpr), `${h.accountId}: cpr ${h.cpr}`)
  check(h.photo.startsWith('data:image/svg+xml;base64,'), `${h.accountId}: photo`)
  check(h.cards.filter((c) => c.status === 'active').length === 1, `${h.accountId}: not exactly one active card`)
}
for (const g of guardians) {
  check(g.accountIds.length >= 1 && g.accountIds.length <= 3, `${g.id}: ${g.accountIds.length} children`)
  for (const a of g.accountIds) check(accountIds.has(a), `${g.id}: unknown account ${a}`)
  check(g.email.endsWith('@example.dk'), `${g.id}: email ${g.email}`)
}
const guarded = new Set(guardians.flatMap((g) => g.accountIds))
for (const h of holders.slice(0, PUPILS)) check(guarded.has(h.accountId), `${h.accountId}: pupil without guardian`)

// ---------------------------------------------------------------------------------------------
// Write: one object per line, so a regenerated file diffs line by line.

function section(key: string, items: readonly unknown[], last = false): string {
  const lines = items.map((item, i) => `    ${JSON.stringify(item)}${i < items.length - 1 ? ',' : ''}`)
  return `  ${JSON.stringify(key)}: [\n${lines.join('\n')}\n  ]${last ? '' : ','}\n`
}
const text =
  '{\n' +
  `  "municipality": ${JSON.stringify(municipality)},\n` +
  section('locations', locations) +
  section('categories', categories) +
  section('products', products) +
  section('staff', staff) +
  section('holders', holders) +
  section('guardians', guardians, true) +
  '}\n'

JSON.parse(text) // well-formed
const bytes = Buffer.byteLength(text, 'utf8')
check(bytes < MAX_BYTES, `file too large: ${bytes} bytes`)
mkdirSync(dirname(OUT), { recursive: true })
writeFileSync(OUT, text)
console.log(
  `wrote ${OUT}: ${bytes} bytes; ${locations.length} locations, ${categories.length} categories, ` +
    `${products.length} products, ${staff.length} staff, ${holders.length} holders ` +
    `(${PUPILS} pupils, ${STAFF_HOLDERS} staff), ${allCards.length} cards, ${guardians.length} guardians`,
)
