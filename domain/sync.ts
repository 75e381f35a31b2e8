/**
 * The sync wire format between a till and the server. Both sides validate with these schemas:
 * the server every body a till sends, the till every page the server answers.
 *
 * Words as in PowerSync/Replicache: a till's outbox holds *mutations* numbered by a per-till
 * `seq`; *push* uploads them in seq order; *pull* downloads *changes* after a *cursor*.
 */
import { z } from 'zod'
import { AllergenList } from './allergens'
import { CARD_NUMBER } from './card'
import { MIN_PROTOCOL_VERSION, PROTOCOL_VERSION } from './protocol'
import { AccountStatus, CardStatus, StaffRole } from './enums'

/** The till ↔ server protocol (domain/protocol.ts): the header and the push body carry the same number. */
export { PROTOCOL_VERSION }
/**
 * Bumped when the meaning of the data changes (a new entity, a new field the till must store).
 * 2: an account carries its holder's photo by id (`photoId`); the till fetches the image once.
 */
export const SCHEMA_VERSION = 2
export const ACCEPTED_PROTOCOLS: readonly number[] = [PROTOCOL_VERSION, MIN_PROTOCOL_VERSION]

export const MAX_PUSH_MUTATIONS = 500
export const MAX_PULL_PAGE = 5000
/** Stored bytes of payload per pull page (a page of products with images is cut short; it says hasMore). */
export const MAX_PULL_PAGE_BYTES = 8 * 1024 * 1024
/** Bytes; a larger push body is refused before it is parsed. */
export const MAX_PUSH_BYTES = 4 * 1024 * 1024

const id = z.string().min(1).max(64)
const ore = z.number().int().safe()
const isoInstant = z.iso.datetime({ offset: true })

/**
 * Text a till sends: no control characters. A NUL is refused by PostgreSQL's text type (the
 * whole batch used to fail on one), and none of them belongs on a receipt or in a report.
 */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/
const tillText = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((s) => !CONTROL_CHARACTER.test(s), 'contains a control character')
const tillId = tillText(64)

export const SaleLine = z.object({
  productId: tillId,
  name: tillText(120),
  categoryId: tillId,
  qty: z.number().int().min(1).max(999),
  unitPrice: ore.min(0),
})
export type SaleLine = z.infer<typeof SaleLine>

const saleFields = {
  saleId: z.uuid(),
  locationId: tillId,
  staffId: tillId,
  /** When the till sold it, by the till's clock; the server checks it is sane (server/sync/apply-sale.ts). */
  at: isoInstant,
  lines: z.array(SaleLine).min(1).max(200),
  total: ore.min(0),
  /** The till approved this sale without a fresh server view (offline): the server accepts it even if it now overdraws. */
  offline: z.boolean(),
}

/** Paid with a canteen card: the account pays through the server's ledger. `payment` is absent from a till older than cash sales: a card sale. */
export const CardSalePayload = z.object({
  ...saleFields,
  payment: z.literal('card').optional(),
  cardNumber: z.string().regex(CARD_NUMBER),
  accountId: tillId,
})

/**
 * Paid in cash by a guest, where the canteen allows it (LocationData.cashAllowed; the server
 * rejects it elsewhere: `cash-not-allowed`): no card and no account, so nothing in any ledger;
 * the money is in the drawer and the Z report counts it. A card number or an account on a cash
 * sale is refused, not dropped: such a payload is no honest till's.
 */
export const CashSalePayload = z.object({
  ...saleFields,
  payment: z.literal('cash'),
  cardNumber: z.never().optional(),
  accountId: z.never().optional(),
})

export const SaleRecordPayload = z.discriminatedUnion('payment', [CardSalePayload, CashSalePayload])

/**
 * A flag in a card sale's answer (MutationResult.flags), not a broken rule: this purchase queued
 * the account's auto top-up on the server. The till shows "Automatisk optankning sat i gang" on
 * the card, and the new balance after its next pull.
 */
export const AUTO_TOPUP_QUEUED = 'auto-topup-queued'
export type SaleRecordPayload = z.infer<typeof SaleRecordPayload>
export type CardSalePayload = z.infer<typeof CardSalePayload>
export type CashSalePayload = z.infer<typeof CashSalePayload>

/** Why a sale was voided, as the cashier picked or typed it: 1–200 characters, no control characters. */
export const VoidReason = tillText(200)

/**
 * `sale.void`: a sale of today undone at the till that made it, authorised by a manager's PIN
 * (server/sync/appliers/sale-void.ts). `accountId` is the sale's account: the push loop locks it
 * before the transaction's first write, and the server checks it is the sale's.
 */
export const SaleVoidPayload = z.object({
  saleId: z.uuid(),
  accountId: tillId,
  reason: VoidReason,
  /** The manager whose PIN the till checked (a staff id); the server checks the role itself. */
  authorisedBy: tillId,
  /** When the till voided it, by the till's clock: the same Copenhagen day as the sale. */
  voidedAt: isoInstant,
})
export type SaleVoidPayload = z.infer<typeof SaleVoidPayload>

const count = z.number().int().min(0).max(1_000_000)

/** A calendar day as periodKeys() writes it (2026-11-24), and a real one: not 2026-02-30. */
export const DayKey = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a day is YYYY-MM-DD')
  .refine((d) => {
    const t = new Date(`${d}T00:00:00Z`)
    return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d
  }, 'not a calendar day')

/**
 * A day's figures as a Z report states them. Sales are the day's sales the till kept: not voided,
 * not set aside by the server (net); voids are the voided ones (their totals); card and cash
 * split the kept sales by payment; offline is the kept sales approved while the till was offline.
 */
export const DayTotals = z.object({
  salesCount: count,
  salesAmount: ore.min(0),
  voidsCount: count,
  voidsAmount: ore.min(0),
  cardCount: count,
  cardAmount: ore.min(0),
  cashCount: count,
  cashAmount: ore.min(0),
  offlineCount: count,
  offlineAmount: ore.min(0),
})
export type DayTotals = z.infer<typeof DayTotals>

/**
 * `day.close`: the till's Z report of one Copenhagen day (server/sync/appliers/day-close.ts).
 * `number` counts the till's Z reports without gaps (1, 2, 3 …); the server checks it follows the
 * previous one and compares `totals` with its own sales of that till and day.
 */
export const DayClosePayload = z.object({
  number: z.number().int().min(1).max(1_000_000_000),
  day: DayKey,
  closedAt: isoInstant,
  closedBy: tillId,
  totals: DayTotals,
  /** What the manager counted in the drawer, entered blind (before the expected figure was shown). */
  countedCash: ore.min(0),
  /** The kept cash sales of the day: what the drawer should hold over its float. */
  expectedCash: ore.min(0),
  /**
   * The change (byttepenge) the drawer held when the day began, as the manager entered it with
   * the count: the drawer should hold this plus `expectedCash`. Absent from a till older than
   * it: 0, as that till counted only the takings.
   */
  openingFloat: ore.min(0).max(100_000_000).default(0),
})
export type DayClosePayload = z.infer<typeof DayClosePayload>

/**
 * `order.handout`: pickup staff handed out (part of) a webshop order (server/sync/appliers/
 * order-handout.ts). Each line says how many pieces were handed out now; the server checks the
 * order is this canteen's, paid and of today, and that each quantity is within what is left. The
 * first hand-out of a line wins: a second one of the same pieces is rejected with a reason that
 * starts `already-handed-out` and names who handed it out and when; the order's change row
 * then tells the till the rest.
 */
export const OrderHandoutPayload = z.object({
  orderId: z.uuid(),
  lines: z
    .array(z.object({ lineNo: z.number().int().min(1).max(200), quantity: z.number().int().min(1).max(20) }))
    .min(1)
    .max(50),
  handedOutAt: isoInstant,
  staffId: tillId,
})
export type OrderHandoutPayload = z.infer<typeof OrderHandoutPayload>

export const Mutation = z.discriminatedUnion('kind', [
  z.object({ seq: z.number().int().min(1), id: z.uuid(), kind: z.literal('sale.record'), payload: SaleRecordPayload }),
  z.object({ seq: z.number().int().min(1), id: z.uuid(), kind: z.literal('sale.void'), payload: SaleVoidPayload }),
  z.object({ seq: z.number().int().min(1), id: z.uuid(), kind: z.literal('day.close'), payload: DayClosePayload }),
  z.object({ seq: z.number().int().min(1), id: z.uuid(), kind: z.literal('order.handout'), payload: OrderHandoutPayload }),
])
export type Mutation = z.infer<typeof Mutation>
export type MutationKind = Mutation['kind']

/** What a till sends (it builds typed mutations). The server reads it as a PushEnvelope. */
export const PushRequest = z.object({
  protocol: z.number().int(),
  schema: z.number().int(),
  mutations: z.array(Mutation).min(1).max(MAX_PUSH_MUTATIONS),
})
export type PushRequest = z.infer<typeof PushRequest>

/**
 * A mutation as the server first reads it: the bookkeeping fields checked, the payload not yet.
 * Each payload is checked on its own by its kind's applier, so one bad mutation is rejected
 * alone (with a reason the till keeps) instead of failing the whole push with a 400 that would
 * stall the till's queue behind it.
 */
export const MutationEnvelope = z.object({
  seq: z.number().int().min(1),
  id: z.uuid(),
  kind: z.string().min(1).max(64),
  payload: z.unknown(),
})
export type MutationEnvelope = z.infer<typeof MutationEnvelope>

/** The push body as the server reads it: only a body that is not a push at all is a 400. */
export const PushEnvelope = z.object({
  protocol: z.number().int(),
  schema: z.number().int(),
  mutations: z.array(MutationEnvelope).min(1).max(MAX_PUSH_MUTATIONS),
})
export type PushEnvelope = z.infer<typeof PushEnvelope>

export const MutationResult = z.object({
  seq: z.number().int().min(1),
  id: z.uuid(),
  status: z.enum(['applied', 'rejected']),
  /** Machine-readable reason for a rejection (e.g. `card-unknown`); the till keeps and shows it. */
  reason: z.string().max(200).nullable(),
  /** `overdraft`: an offline sale the server accepted although it took the balance below zero. */
  flags: z.array(z.string().max(40)).max(10),
})
export type MutationResult = z.infer<typeof MutationResult>

export const PushResponse = z.object({
  lastAppliedSeq: z.number().int().min(0),
  results: z.array(MutationResult),
})
export type PushResponse = z.infer<typeof PushResponse>

const spent = z.object({ key: z.string().max(16), amount: ore })

/** sha256 (hex) of a photo's data: URL: the photo's id, and the till's check of what it fetched. */
export const PhotoId = z.string().regex(/^[0-9a-f]{64}$/)
/** A holder's photo: a small image as a data: URL. */
export const PhotoData = z
  .string()
  .max(200_000)
  .regex(/^data:image\/(png|jpeg|webp|svg\+xml);base64,[A-Za-z0-9+/=]+$/)

/** GET /sync/photos/:id */
export const PhotoResponse = z.object({ id: PhotoId, data: PhotoData })
export type PhotoResponse = z.infer<typeof PhotoResponse>

export const AccountData = z.object({
  holderName: z.string().max(200),
  /**
   * The holder's photo by id, or null. Not the image itself: it would travel with every change
   * of the account (each sale) and in every snapshot; the till fetches it once (PhotoResponse).
   */
  photoId: PhotoId.nullable(),
  status: AccountStatus,
  balance: ore,
  limits: z.object({ day: ore.nullable(), week: ore.nullable(), month: ore.nullable() }),
  spent: z.object({ day: spent, week: spent, month: spent }),
  deniedCategoryIds: z.array(id),
  allowedLocationIds: z.array(id).nullable(),
  /**
   * The guardian's note to the canteen staff ("Besked fra forælder"), shown when the card is
   * scanned; null: none. Optional: change rows written before it, and a server before it, have
   * none, which means no note. A till built before it ignores it (no new schema number: nothing
   * an older till does goes wrong without it).
   */
  note: z.string().max(200).nullable().optional(),
  /**
   * The child's allergens (domain/allergens.ts), as a parent marked them: the till asks the
   * cashier to confirm before selling a product with one of them. Absent (a change row or a server
   * before them): none, as []. Each code once, in the list's order. Optional like `note`: a till
   * built before it ignores it.
   */
  allergens: AllergenList.optional(),
})
export type AccountData = z.infer<typeof AccountData>

export const CardData = z.object({ accountId: id, status: CardStatus })
export const CategoryData = z.object({
  name: z.string().max(120),
  sort: z.number().int(),
  /** The stripe on the till's product tiles, `#rrggbb`; null or absent (a server before it): none. */
  colour: z
    .string()
    .regex(/^#[0-9a-f]{6}$/)
    .nullable()
    .optional(),
})
/** A price change at one canteen from an instant (ms since the epoch); null: not sold there from then. */
export const ScheduledPrice = z.tuple([z.number().int().safe(), ore.min(0).nullable()])
export const ProductData = z.object({
  name: z.string().max(120),
  categoryId: id,
  /** Price in øre per location id; a product without a price at a location is not sold there. */
  prices: z.record(id, ore.min(0)),
  barcode: z.string().max(64).nullable(),
  available: z.boolean(),
  image: z.string().max(200_000).nullable(),
  sort: z.number().int(),
  /**
   * The EU allergens it contains (the till warns before selling it to a child who must avoid one).
   * Optional like AccountData's: absent (a server before them) is none, [].
   */
  allergens: AllergenList.optional(),
  /**
   * Price changes not yet in `prices`, per location id, oldest first: the till's price at its
   * clock is the latest change whose instant has come, else `prices` (it switches offline too).
   * Absent (a server before them): none, {}.
   */
  schedule: z.record(id, z.array(ScheduledPrice).max(100)).optional(),
})
/** The caps on one sale the server holds a till's sales to (its municipality's settings). */
export const SaleCapsData = z.object({ maxSaleTotal: ore.min(0), maxLineQty: z.number().int().min(1).max(999) })
export const LocationData = z.object({
  name: z.string().max(200),
  /**
   * The municipality's caps on one sale, so the till refuses what the server would reject.
   * Optional: a server before it sends none, and the till then keeps to the defaults.
   */
  saleCaps: SaleCapsData.optional(),
  /**
   * Guests may pay cash at this canteen (its manager's setting, manager/canteen.ts); the push
   * rejects a cash sale where it is off. Absent (a server before it): no cash.
   */
  cashAllowed: z.boolean().optional(),
})
export const StaffData = z.object({
  name: z.string().max(200),
  /** `scrypt$<salt b64>$<hash b64>`: tills check PINs offline, never hold them. */
  pinHash: z.string().max(300),
  roles: z.array(StaffRole),
  locationIds: z.array(id),
  active: z.boolean(),
})

const upsert = <E extends string, D extends z.ZodType>(entity: E, data: D) =>
  z.object({ entity: z.literal(entity), id, data })

// Discriminated by entity, so checking a change tries one data schema, not up to six: a till's
// initial sync checks over 100,000 of them.
export const Change = z.union([
  z.discriminatedUnion('entity', [
    upsert('account', AccountData),
    upsert('card', CardData),
    upsert('category', CategoryData),
    upsert('product', ProductData),
    upsert('location', LocationData),
    upsert('staff', StaffData),
  ]),
  z.object({ entity: z.enum(['account', 'card', 'category', 'product', 'location', 'staff']), id, deleted: z.literal(true) }),
])
export type Change = z.infer<typeof Change>
export type Entity = Change['entity']

/** A webshop order's payment state as the counter shows it: only `paid` may be handed out. */
export const OrderStatus = z.enum(['awaiting-payment', 'paid', 'payment-failed', 'cancelled'])
export type OrderStatus = z.infer<typeof OrderStatus>

/**
 * A webshop order as the tills of its canteen hold it (pickup mode), for today and tomorrow.
 * `number` is what staff and pupil say aloud (unique per canteen and pickup day). Each line
 * says how much is handed out and, once something is, by whom and when (the till shows it to
 * a second till that tries). `captureAt`: when an order awaiting payment by payment card is
 * drawn. Travels in the pull page's and the snapshot's `orders`, never in `changes`: a till
 * built before orders ignores a field it does not know, but would refuse an unknown entity.
 */
export const OrderData = z.object({
  locationId: id,
  accountId: id,
  holderName: z.string().max(200),
  photoId: PhotoId.nullable(),
  pickupDay: DayKey,
  number: z.number().int().min(1).max(999),
  status: OrderStatus,
  payment: z.enum(['canteen-card', 'payment-card']),
  total: ore.min(0),
  captureAt: isoInstant.nullable(),
  /** The pickup time the parent chose ('HH:MM', Copenhagen); null: for the day. Absent from a server before pickup times. */
  pickupTime: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/)
    .nullable()
    .optional(),
  lines: z.array(
    z.object({
      lineNo: z.number().int().min(1),
      productId: id,
      name: z.string().max(120),
      quantity: z.number().int().min(1),
      unitPrice: ore.min(0),
      handedOut: z.number().int().min(0),
      handedOutBy: z.string().max(200).nullable(),
      handedOutAt: isoInstant.nullable(),
    }),
  ),
})
export type OrderData = z.infer<typeof OrderData>
/** An order's change: its state, or its removal from the till (cancelled before it was released, or a day gone by). */
export const OrderChange = z.union([z.object({ id, data: OrderData }), z.object({ id, deleted: z.literal(true) })])
export type OrderChange = z.infer<typeof OrderChange>

export const PullResponse = z.object({
  /** At most the asked limit, plus the rest of a push batch the page would otherwise end inside (≤ MAX_PUSH_MUTATIONS). */
  changes: z.array(Change),
  /** Opaque; the till stores it in the same transaction that applies the page. */
  cursor: z.string().max(100),
  hasMore: z.boolean(),
  /**
   * The highest seq of this till whose effects are all in this page or an earlier one (null: no
   * own mutation in this page). The till drops its pending deltas up to it in the transaction
   * that applies the page, so a sale is counted exactly once.
   */
  ackSeq: z.number().int().min(0).nullable(),
  serverTime: isoInstant,
  /**
   * The page's order changes for this till's canteen, in change-log order (absent from a server
   * before orders: none). Not in `changes`, so a till built before orders is not broken by them.
   */
  orders: z.array(OrderChange).optional(),
})
export type PullResponse = z.infer<typeof PullResponse>

/** Columns of equal length: row i of a column table is element i of every column. */
const columns = <S extends Record<string, z.ZodType>>(shape: S) =>
  z
    .object(Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, z.array(v)])) as { [K in keyof S]: z.ZodArray<S[K]> })
    .refine((t) => new Set(Object.values(t).map((c) => (c as unknown[]).length)).size <= 1, 'columns of different lengths')

const a = AccountData.shape
/** Accounts as columns: the same fields and checks as AccountData, without a key per value. */
const accountColumns = columns({
  id,
  holderName: a.holderName,
  photoId: a.photoId,
  status: a.status,
  balance: a.balance,
  limitDay: a.limits.shape.day,
  limitWeek: a.limits.shape.week,
  limitMonth: a.limits.shape.month,
  spentDay: ore,
  spentWeek: ore,
  spentMonth: ore,
  deniedCategoryIds: a.deniedCategoryIds,
  allowedLocationIds: a.allowedLocationIds,
})
/**
 * `note` and `allergens` optional, as in AccountData: a server before them sends no such column
 * (none). An account without allergens is null in the column, not `[]`: most have none, and a
 * till's first sync parses 50,000 of them.
 */
export const AccountColumns = accountColumns
  .and(z.object({ note: z.array(a.note).optional(), allergens: z.array(AllergenList.nullable()).optional() }))
  .refine((t) => t.note === undefined || t.note.length === t.id.length, 'columns of different lengths')
  .refine((t) => t.allergens === undefined || t.allergens.length === t.id.length, 'columns of different lengths')
export const CardColumns = columns({ number: id, accountId: CardData.shape.accountId, status: CardData.shape.status })

/**
 * GET /sync/snapshot: everything a till holds, as of one moment, for a till that has never
 * pulled; it then pulls from `cursor`. One answer instead of replaying the change log: a new
 * till of a municipality of 50,000 pupils would otherwise download every change ever made.
 * The bulk (accounts, cards) comes as columns; the few others as changes, as a pull sends them.
 */
export const SnapshotResponse = z.object({
  cursor: z.string().max(100),
  /** This till's last applied seq: its effects are in the snapshot. */
  ackSeq: z.number().int().min(0),
  serverTime: isoInstant,
  /** The keys of the day, week and month the accounts' spent columns are for. */
  periods: z.object({ day: spent.shape.key, week: spent.shape.key, month: spent.shape.key }),
  changes: z.array(Change),
  /** The canteen's orders of today and tomorrow (absent from a server before orders: none). */
  orders: z.array(OrderChange).optional(),
  accounts: AccountColumns,
  cards: CardColumns,
})
export type SnapshotResponse = z.infer<typeof SnapshotResponse>

/**
 * The same snapshot as lines of JSON (`GET /sync/snapshot?…&format=ndjson`, answered as
 * `application/x-ndjson`), so a till can store it as it arrives instead of holding it whole:
 * first the head (everything but the accounts and cards), then the accounts and the cards in
 * chunks of columns, then `end` with how many of each were sent: an answer cut off anywhere
 * lacks it, and the till applies nothing. One moment, one server transaction, as the JSON answer.
 */
export const SnapshotHead = SnapshotResponse.omit({ accounts: true, cards: true })
export type SnapshotHead = z.infer<typeof SnapshotHead>
const rows = z.number().int().min(0)
export const SnapshotLine = z.union([
  z.object({ head: SnapshotHead }).strict(),
  z.object({ accounts: AccountColumns }).strict(),
  z.object({ cards: CardColumns }).strict(),
  z.object({ end: z.object({ accounts: rows, cards: rows }).strict() }).strict(),
])
export type SnapshotLine = z.infer<typeof SnapshotLine>
export type AccountColumns = z.infer<typeof AccountColumns>
export type CardColumns = z.infer<typeof CardColumns>

/**
 * `requestId`: made once by the till and kept before it is sent; the same code with the same
 * request id is the same enrolment (its answer was lost) and gets the same terminal again.
 * `nextSeq`: the first outbox seq the till will push under the new terminal (a till enrolled
 * again keeps its unsent sales). Both optional for tills built before them.
 */
/**
 * An enrolment code as typed: case, spaces and dashes do not matter. The server hashes the code
 * in this form, and a till remembers the code it enrolled with in the same form.
 */
export function normalizeEnrolmentCode(input: string): string {
  return input.replace(/[\s-]/g, '').toUpperCase()
}

export const EnrolRequest = z.object({
  code: z.string().min(6).max(64),
  name: z.string().min(1).max(100),
  requestId: z.string().uuid().optional(),
  nextSeq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
  /** The kind the terminal was started as; the code's kind must match (a till never enrols as a kiosk by mistake). */
  kind: z.enum(['till', 'kiosk']).optional(),
})
export type EnrolRequest = z.infer<typeof EnrolRequest>
/** A till sells and holds pupil data; a kiosk only relays the guardian API for parents. */
export const TerminalKind = z.enum(['till', 'kiosk'])
export type TerminalKind = z.infer<typeof TerminalKind>
export const EnrolResponse = z.object({
  terminalId: id,
  token: z.string().min(32).max(200),
  locationId: id,
  municipalityId: id,
  /** Absent from a server older than the kiosk: a till. */
  kind: TerminalKind.default('till'),
  /** The canteen's name (a kiosk, which pulls no locations, shows it). */
  locationName: z.string().max(200).optional(),
})
export type EnrolResponse = z.infer<typeof EnrolResponse>

/** What the server's live channel sends: "something you hold changed, pull". */
export const LivePoke = z.object({ type: z.literal('poke'), at: isoInstant })

/** Error body of every non-2xx answer. */
export const ErrorBody = z.object({ error: z.string(), message: z.string() })
