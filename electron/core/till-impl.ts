import { EventEmitter } from 'node:events'
import type { CardInfo, EventMessage, EventName, Events, StaffSession } from './api/contract'
import { RpcFault, createDispatcher, type Handlers } from './api/dispatch'
import { systemClock, systemIds } from './clock'
import { verifyPin } from './pin'
import { HidReader } from './reader/hid'
import { SimulatedReader, type CardReader } from './reader/reader'
import { readCardAccount, type CardAccount } from './store/accounts'
import { readCatalog, readProducts } from './store/catalog'
import { openDb } from './store/db'
import { insertSale, recentSales } from './store/sales'
import { getNumberSetting, getSetting, setSetting } from './store/settings'
import { locationName, staffAt } from './store/staff'
import { acquireUploaderLock } from './sync/lock'
import { SyncEngine } from './sync/engine'
import type { Till, TillOptions } from './till'
import { normalizeCardNumber } from '../../domain/card'
import { decidePurchase, spentNow } from '../../domain/checkout'
import { periodKeys, type PeriodKeys } from '../../domain/periods'
import type { SaleRecordPayload } from '../../domain/sync'

const VERSION = '0.1.0'
/** Default per-card offline allowance (øre): how far an offline till lets a card go below its cached balance. */
const DEFAULT_OFFLINE_ALLOWANCE = 5000

export async function openTill(opts: TillOptions): Promise<Till> {
  const clock = opts.clock ?? systemClock
  const ids = opts.ids ?? systemIds
  const log = opts.log ?? (() => {})
  const db = openDb(opts.dataDir)
  const events = new EventEmitter()
  const emit = <E extends EventName>(event: E, payload: Events[E]) => events.emit('message', { event, payload } satisfies EventMessage<E>)
  const tillName = opts.tillName ?? getSetting(db, 'till_name') ?? 'Kasse 1'
  setSetting(db, 'till_name', tillName)
  if (opts.offlineAllowance !== undefined) setSetting(db, 'offline_allowance', opts.offlineAllowance)

  const lock = acquireUploaderLock(opts.dataDir)
  if (!lock) log('warn', 'another process holds the uploader lock of this till database; this one only pulls')

  const sync = new SyncEngine({
    db,
    clock,
    serverUrl: opts.serverUrl ?? getSetting(db, 'server_url'),
    enrolmentCode: opts.enrolmentCode,
    tillName,
    intervalMs: opts.syncIntervalMs,
    staleAfterMs: opts.staleAfterMs,
    pullPage: opts.pullPageSize,
    mayUpload: lock !== null,
    onStatus: (s) => emit('sync.status', s),
    onDataChanged: (entities) => emit('data.changed', { entities }),
    log,
  })

  const readers: CardReader[] = []
  const simulated = opts.simulatedReader ? new SimulatedReader() : null
  if (simulated) readers.push(simulated)
  if (opts.hidReader) readers.push(new HidReader({ vendorId: 0x0c27, productId: 0x3bfa }))
  for (const r of readers) {
    r.on('card', (raw) => {
      const card = normalizeCardNumber(raw)
      if (card.ok) emit('reader.card', { cardNumber: card.number })
    })
    r.on('state', (s) => emit('reader.state', s))
  }

  let session: StaffSession | null = null
  const requireRole = (role: StaffSession['roles'][number]): StaffSession => {
    if (!session) throw new RpcFault('not-signed-in', 'Sign in with a PIN first')
    if (!session.roles.includes(role)) throw new RpcFault('forbidden', `${session.name} may not use the ${role} mode`)
    return session
  }

  const location = () => getSetting(db, 'location_id')
  const ackedSeq = () => getNumberSetting(db, 'acked_seq', 0)

  /** How far below its balance an offline till lets a card go; it tightens as the till's data ages. */
  const offlineAllowance = (): number => {
    const base = getNumberSetting(db, 'offline_allowance', DEFAULT_OFFLINE_ALLOWANCE)
    const last = getSetting(db, 'last_sync_at')
    if (!last) return 0
    const ageHours = (clock.now().getTime() - Date.parse(last)) / 3_600_000
    if (ageHours <= 1) return base
    if (ageHours <= 24) return Math.floor(base / 2)
    return 0
  }

  const cardInfo = (c: CardAccount, now: PeriodKeys): CardInfo => {
    const left = (kind: 'day' | 'week' | 'month') => {
      const limit = c.view.limits[kind]
      return limit === null ? null : Math.max(0, limit - spentNow(c.view, kind, now))
    }
    return {
      cardNumber: c.cardNumber,
      accountId: c.accountId,
      holderName: c.holderName,
      photo: c.photo,
      balance: c.view.balance,
      status: c.view.status,
      cardStatus: c.cardStatus,
      left: { day: left('day'), week: left('week'), month: left('month') },
      // The last pull confirmed everything the till holds, this card included.
      rulesAsOf: getSetting(db, 'last_sync_at') ?? c.syncedAt,
    }
  }

  const handlers: Handlers = {
    'app.info': () => {
      const loc = location()
      return {
        version: VERSION,
        tillName,
        location: loc ? { id: loc, name: locationName(db, loc) ?? loc } : null,
        simulatedReader: simulated !== null,
        locale: 'da',
      }
    },
    'staff.signIn': async ({ pin }) => {
      for (const s of staffAt(db, location())) {
        if (await verifyPin(pin, s.pinHash)) {
          session = { staffId: s.id, name: s.name, roles: s.roles }
          return { ok: true, session }
        }
      }
      return { ok: false, reason: 'pin-wrong' }
    },
    'staff.signOut': () => {
      session = null
      return null
    },
    'staff.current': () => session,
    'catalog.get': () => readCatalog(db, location()),
    'card.lookup': ({ cardNumber }) => {
      const card = normalizeCardNumber(cardNumber)
      if (!card.ok) return { ok: false, reason: 'card-number-invalid' }
      const now = periodKeys(clock.now())
      const found = readCardAccount(db, card.number, ackedSeq(), now)
      if (!found) return { ok: false, reason: 'unknown-card' }
      // Shown at once without the photo; it follows (data.changed) if it has to be fetched.
      if (found.photoId && !found.photo) void sync.fetchPhoto(found.photoId)
      return { ok: true, card: cardInfo(found, now) }
    },
    'sale.record': ({ cardNumber, lines }) => {
      const cashier = requireRole('cashier')
      const card = normalizeCardNumber(cardNumber)
      if (!card.ok) return { ok: false, reason: 'card-number-invalid', total: 0 }
      const loc = location()
      const products = readProducts(db, lines.map((l) => l.productId), loc)
      const missing = lines.find((l) => !products.has(l.productId))
      if (missing || !loc) return { ok: false, reason: 'product-unknown', total: 0, productId: missing?.productId }
      const basket = lines.map((l) => {
        const p = products.get(l.productId)!
        return { productId: p.id, name: p.name, categoryId: p.categoryId, qty: l.qty, unitPrice: p.price }
      })
      const at = clock.now()
      const now = periodKeys(at)
      const online = sync.isOnline()
      // Read, decide and write in one synchronous transaction: no pull page can land between
      // the balance the rules saw and the sale that spends it.
      const outcome = db.transaction(() => {
        const found = readCardAccount(db, card.number, ackedSeq(), now)
        const decision = decidePurchase({
          card: found ? { status: found.cardStatus } : null,
          account: found?.view ?? null,
          locationId: loc,
          lines: basket,
          now,
          overdraftAllowance: online ? 0 : offlineAllowance(),
        })
        if (!decision.ok) {
          const { ok: _ok, ...refusal } = decision
          return { ok: false as const, ...refusal, card: found ? cardInfo(found, now) : undefined }
        }
        const sale: SaleRecordPayload = {
          saleId: ids.uuid(),
          cardNumber: card.number,
          accountId: found!.accountId,
          locationId: loc,
          staffId: cashier.staffId,
          at: at.toISOString(),
          lines: basket,
          total: decision.total,
          offline: !online,
        }
        insertSale(db, ids.uuid(), sale, now)
        const after = readCardAccount(db, card.number, ackedSeq(), now)!
        return { ok: true as const, saleId: sale.saleId, total: decision.total, balanceAfter: after.view.balance, card: cardInfo(after, now) }
      }).immediate()
      // The outbox is the source of truth; the upload is best effort and starts at once.
      if (outcome.ok) sync.kick()
      return outcome
    },
    'sale.recent': ({ limit }) => recentSales(db, limit),
    'sync.status': () => sync.status(),
    'sync.now': () => sync.syncNow(),
    'reader.state': () => readers.find((r) => r.state !== 'disconnected')?.state ?? 'disconnected',
    'reader.simulate': ({ cardNumber }) => {
      if (!simulated) throw new RpcFault('forbidden', 'This build has no simulated card reader')
      simulated.present(cardNumber)
      return null
    },
  }

  const dispatch = createDispatcher(handlers, (method, err) => log('error', `rpc ${method} failed`, { error: String(err) }))

  sync.start()

  return {
    dispatch,
    subscribe(listener) {
      events.on('message', listener)
      return () => events.off('message', listener)
    },
    async close() {
      await sync.stop()
      for (const r of readers) r.close()
      lock?.release()
      db.close()
    },
  }
}
