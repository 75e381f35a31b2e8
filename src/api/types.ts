/**
 * The renderer's view of the RPC contract. Types only: the contract module also holds the zod
 * schemas, which run in the core, never here.
 */
import type {
  Args,
  EventMessage,
  EventName,
  Events,
  Method,
  Result,
  RpcError,
  RpcResponse,
  Transport,
} from '../../electron/core/api/contract'

export type { Args, EventMessage, EventName, Events, Method, Result, RpcError, RpcResponse, Transport }
export type {
  AppInfo,
  CardInfo,
  CardLookup,
  CashSaleOutcome,
  CounterSettings,
  Catalog,
  Category,
  Product,
  ReaderConfigInput,
  ReaderDevice,
  ReaderRead,
  ReaderState,
  ReaderStatus,
  SaleOutcome,
  SaleSummary,
  StaffSession,
  SyncStatus,
} from '../../electron/core/api/contract'

/**
 * What the Electron preload exposes as `window.kantine`: exactly the contract's `Transport`,
 * two named functions and nothing else (never ipcRenderer itself).
 */
export type KantineBridge = Transport

declare global {
  interface Window {
    /** Present only inside the Electron shell; the host shell serves the page without it. */
    kantine?: KantineBridge
  }
}
