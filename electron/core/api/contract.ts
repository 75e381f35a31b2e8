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
import type { z } from 'zod'
import { appMethods, type AppResults } from './areas/app'
import { joinAreas } from './areas/area'
import { cardMethods, type CardResults } from './areas/card'
import { catalogMethods, type CatalogResults } from './areas/catalog'
import { enrolmentMethods, type EnrolmentResults } from './areas/enrolment'
import { guardianMethods, type GuardianResults } from './areas/guardian'
import { managerMethods, type ManagerResults } from './areas/manager'
import { readerMethods, type ReaderRead, type ReaderResults, type ReaderState } from './areas/reader'
import { pickupMethods, type PickupResults } from './areas/pickup'
import { reportMethods, type ReportResults } from './areas/report'
import { saleMethods, type SaleResults } from './areas/sale'
import { staffMethods, type StaffResults } from './areas/staff'
import { syncMethods, type SyncResults, type SyncStatus } from './areas/sync'

export type { AppInfo, CounterSettings } from './areas/app'
export type { CardInfo, CardLookup } from './areas/card'
export type { Catalog, Category, Product } from './areas/catalog'
export type { EnrolmentAnswer, EnrolmentRefusal, EnrolmentStatus } from './areas/enrolment'
export type { GuardianRelayAnswer } from './areas/guardian'
export type { ManagerAnswer, ManagerStatus, ManagerUnlockRefusal } from './areas/manager'
export type { ReaderConfigInput, ReaderDevice, ReaderRead, ReaderState, ReaderStatus } from './areas/reader'
export type { CashSaleOutcome, SaleAttempt, SaleOutcome, SaleSummary, SaleVoidOutcome } from './areas/sale'
export type { HandoutResult, PickupCardOrders, PickupLineInfo, PickupList, PickupOrderInfo, PreparationList, UndoResult } from './areas/pickup'
export type { DayCloseOutcome, DayReport, ReportDay, ReportLine, ReportVoid } from './areas/report'
export type { SignInRefusal, StaffSession } from './areas/staff'
export type { SyncStatus } from './areas/sync'

// ---- methods: one file per area under ./areas, joined here (a name declared twice throws) ----

export const methods = joinAreas(appMethods, staffMethods, catalogMethods, cardMethods, saleMethods, syncMethods, readerMethods, guardianMethods, reportMethods, pickupMethods, enrolmentMethods, managerMethods)

export interface Results extends AppResults, StaffResults, CatalogResults, CardResults, SaleResults, SyncResults, ReaderResults, GuardianResults, ReportResults, PickupResults, EnrolmentResults, ManagerResults {}

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
  /** Every read of the reader (card, product barcode or unreadable), for the reader's test panel and the cashier's barcodes. */
  'reader.read': ReaderRead
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
