/**
 * The one RPC contract between the renderer and the till core, shared by both shells
 * (Electron IPC and the host's HTTP + WebSocket). Every method has a zod schema for its
 * argument, checked where the call enters the core; results are typed here and produced by
 * the core. The renderer imports this file for types only.
 *
 * Business refusals are values (`{ ok: false, reason }`) inside a method's result; the RPC
 * envelope's own `{ ok: false, error }` is for faults: a bad argument, an unknown method,
 * no signed-in cashier.
 */
import { z } from 'zod'
import type { Ore } from '../../../domain/money'
import type { RefusalReason } from '../../../domain/refusal'

const cardNumber = z.string().trim().min(1).max(40)
const id = z.string().min(1).max(64)

// ---- results ------------------------------------------------------------------------------

export interface AppInfo {
  version: string
  tillName: string
  location: { id: string; name: string } | null
  /** A development build shows the simulated card reader. */
  simulatedReader: boolean
  locale: 'da' | 'en'
}

export interface StaffSession {
  staffId: string
  name: string
  roles: ('cashier' | 'pickup' | 'manager')[]
}

export interface Category {
  id: string
  name: string
}

export interface Product {
  id: string
  name: string
  categoryId: string
  price: Ore
  barcode: string | null
  image: string | null
}

export interface Catalog {
  categories: Category[]
  products: Product[]
}

export interface CardInfo {
  cardNumber: string
  accountId: string
  holderName: string
  photo: string | null
  balance: Ore
  status: 'active' | 'blocked'
  cardStatus: 'active' | 'replaced' | 'lost'
  /** What is left of each limit today / this week / this month; null where there is no limit. */
  left: { day: Ore | null; week: Ore | null; month: Ore | null }
  /** When the till last heard from the server about this card (ISO), null if never. */
  rulesAsOf: string | null
}

export type CardLookup = { ok: true; card: CardInfo } | { ok: false; reason: 'card-number-invalid' | 'unknown-card' }

export type SaleOutcome =
  | { ok: true; saleId: string; total: Ore; balanceAfter: Ore; card: CardInfo }
  | {
      ok: false
      reason: RefusalReason | 'card-number-invalid' | 'empty-basket' | 'product-unknown'
      total: Ore
      productId?: string
      left?: Ore
      card?: CardInfo
    }

export interface SaleSummary {
  saleId: string
  at: string
  cardNumber: string
  holderName: string
  total: Ore
  lines: { productId: string; name: string; qty: number; unitPrice: Ore }[]
  /** pending: in the outbox; sent: the server applied it; rejected: set aside with a reason. */
  sync: 'pending' | 'sent' | 'rejected'
  rejectReason: string | null
}

export interface SyncStatus {
  enrolled: boolean
  online: boolean
  syncing: boolean
  lastSyncAt: string | null
  pending: number
  oldestPendingAt: string | null
  rejected: number
  lastError: string | null
  /** The till has not heard from the server for longer than its configured time. */
  stale: boolean
}

export type ReaderState = 'connected' | 'disconnected' | 'simulated'

// ---- methods ------------------------------------------------------------------------------

export const methods = {
  'app.info': { input: z.object({}).strict() },
  'staff.signIn': { input: z.object({ pin: z.string().regex(/^\d{4,8}$/, 'PIN is 4 to 8 digits') }).strict() },
  'staff.signOut': { input: z.object({}).strict() },
  'staff.current': { input: z.object({}).strict() },
  'catalog.get': { input: z.object({}).strict() },
  'card.lookup': { input: z.object({ cardNumber }).strict() },
  'sale.record': {
    input: z
      .object({
        cardNumber,
        lines: z.array(z.object({ productId: id, qty: z.number().int().min(1).max(99) }).strict()).min(1).max(100),
      })
      .strict(),
  },
  'sale.recent': { input: z.object({ limit: z.number().int().min(1).max(200).default(20) }).strict() },
  'sync.status': { input: z.object({}).strict() },
  'sync.now': { input: z.object({}).strict() },
  'reader.state': { input: z.object({}).strict() },
  /** Development builds: what a card on the simulated reader would send. */
  'reader.simulate': { input: z.object({ cardNumber }).strict() },
} as const

export interface Results {
  'app.info': AppInfo
  'staff.signIn': { ok: true; session: StaffSession } | { ok: false; reason: 'pin-wrong' }
  'staff.signOut': null
  'staff.current': StaffSession | null
  'catalog.get': Catalog
  'card.lookup': CardLookup
  'sale.record': SaleOutcome
  'sale.recent': SaleSummary[]
  'sync.status': SyncStatus
  'sync.now': SyncStatus
  'reader.state': ReaderState
  'reader.simulate': null
}

export type Method = keyof typeof methods
export type Args<M extends Method> = z.input<(typeof methods)[M]['input']>
export type ParsedArgs<M extends Method> = z.output<(typeof methods)[M]['input']>
export type Result<M extends Method> = Results[M]

// ---- events (core → renderer) ---------------------------------------------------------------

export interface Events {
  'sync.status': SyncStatus
  /** A card was presented to the reader (number normalised). */
  'reader.card': { cardNumber: string }
  'reader.state': ReaderState
  /** Pulled data changed (catalogue, accounts): views re-read what they show. */
  'data.changed': { entities: string[] }
}
export type EventName = keyof Events

// ---- the envelope both transports carry ---------------------------------------------------------

export type RpcError = { code: 'bad-argument' | 'unknown-method' | 'not-signed-in' | 'forbidden' | 'internal'; message: string }
export type RpcResponse<T> = { ok: true; value: T } | { ok: false; error: RpcError }

export interface EventMessage<E extends EventName = EventName> {
  event: E
  payload: Events[E]
}

/** What both transports implement for the renderer. */
export interface Transport {
  call<M extends Method>(method: M, args: Args<M>): Promise<RpcResponse<Result<M>>>
  subscribe(listener: (message: EventMessage) => void): () => void
}

export function isMethod(name: string): name is Method {
  return Object.prototype.hasOwnProperty.call(methods, name)
}
