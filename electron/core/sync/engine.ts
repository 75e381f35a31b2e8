import { createHash } from 'node:crypto'
import WebSocket from 'ws'
import type { SyncStatus } from '../api/contract'
import { systemIds, type Clock, type Ids } from '../clock'
import type { Db } from '../store/db'
import { nextPushSeq, outboxCounts, pendingMutations, recordPushResults } from '../store/outbox'
import { hasPhoto, savePhoto } from '../store/photos'
import { applyPullPage, applySnapshot, stageSnapshot, type SnapshotLoad } from '../store/pull'
import { deleteSetting, getSetting, setSetting } from '../store/settings'
import { LivePoke, MAX_PULL_PAGE, MAX_PUSH_MUTATIONS, normalizeEnrolmentCode, type EnrolResponse, type SnapshotLine, type TerminalKind } from '../../../domain/sync'
import { PROTOCOL_HEADERS, SyncHttpError, SyncNetworkError, createSyncClient, enrol, type SyncClient } from './http'
import { Reachability, type ReachabilityOptions } from './online'

/**
 * Exponential backoff with "equal jitter": the delay doubles per failure up to `max`, half of it
 * fixed and half random, so a hundred tills coming back after an outage do not retry in step.
 */
export function backoffDelay(failures: number, base: number, max: number, random: () => number): number {
  const exp = Math.min(max, base * 2 ** Math.min(Math.max(failures, 1) - 1, 30))
  return exp / 2 + random() * (exp / 2)
}

/** Changes per pull page for a till that is current. */
export const PULL_PAGE = 1000

/**
 * The limit of the next pull page. A page is one SQLite write transaction, and a sale at this
 * till waits for it: a till that is current asks for PULL_PAGE. A till that is catching up (empty,
 * or its last page said there is more) asks for MAX_PULL_PAGE: the same rows in a fifth of the
 * round trips, queries and commits. A configured `fixed` size always wins (tests page by one).
 */
export function pullLimit(opts: { cursor: string | null; behind: boolean; fixed?: number }): number {
  if (opts.fixed !== undefined) return opts.fixed
  return opts.cursor === null || opts.behind ? MAX_PULL_PAGE : PULL_PAGE
}

export interface SyncEngineOptions {
  db: Db
  clock: Clock
  serverUrl: string | null
  enrolmentCode?: string
  tillName: string
  /**
   * A till pushes its sales and pulls its canteen's data. A parent kiosk only enrols: it sells
   * nothing and holds no pupil data (the server refuses it both), so its cycles pull nothing.
   */
  kind?: TerminalKind
  /** Background sync interval when no live poke arrives. */
  intervalMs?: number
  /**
   * First retry delay after a failure; doubles up to maxBackoffMs (default 10 s), with jitter. The
   * cap is low on purpose: a till must notice within seconds that the link is back, and one
   * small request per till every 5-10 s is nothing for the server even in a town-wide outage.
   */
  baseBackoffMs?: number
  maxBackoffMs?: number
  /** After this long without a successful sync the till shows a warning. */
  staleAfterMs?: number
  /** Mutations per push request (default and most: MAX_PUSH_MUTATIONS; the server applies one request in one transaction). */
  pushBatch?: number
  /** A fixed number of changes per pull page (default: `pullLimit`). */
  pullPage?: number
  /** The uploader lock is held by this process (one uploader per till database). */
  mayUpload: boolean
  /** Open the live channel (WebSocket poke). */
  live?: boolean
  random?: () => number
  ids?: Ids
  /** When the till counts as offline (sync/online.ts). */
  reachability?: ReachabilityOptions
  /** How long opening a connection to the server may take (sync/http.ts). */
  connectTimeoutMs?: number
  onStatus(status: SyncStatus): void
  onDataChanged(entities: string[]): void
  log(level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>): void
}

/**
 * The till's background sync: push the outbox in seq order, then pull pages after the cursor.
 * One cycle runs at a time; a request for another while one runs is folded into one more
 * cycle after it. Failures back off exponentially with jitter; a live poke or "sync now"
 * starts a cycle at once.
 */
export class SyncEngine {
  private running: Promise<void> | null = null
  private again = false
  private timer: NodeJS.Timeout | null = null
  private failures = 0
  private stopped = false
  private readonly reach: Reachability
  /** The server refused the device token (revoked, or a server that never knew it). */
  private tokenRefused = false
  private syncing = false
  private lastError: string | null = null
  private socket: WebSocket | null = null
  private liveFailures = 0
  private liveTimer: NodeJS.Timeout | null = null
  private client: SyncClient | null = null
  private readonly photosInFlight = new Map<string, Promise<void>>()

  constructor(private readonly o: SyncEngineOptions) {
    // An idle till hears from the server once per interval: silence is counted in intervals, so
    // a till that is merely idle never looks offline.
    this.reach = new Reachability(o.clock, { silenceMs: Math.max(90_000, 3 * (o.intervalMs ?? 30_000)), ...o.reachability })
  }

  start(): void {
    if (!this.o.serverUrl) return
    this.kick()
    if (this.liveWanted()) this.connectLive()
  }

  private kind(): TerminalKind {
    return this.o.kind ?? 'till'
  }

  /** The live channel pokes a till to pull; a kiosk pulls nothing (and the server refuses it). */
  private liveWanted(): boolean {
    return this.o.live !== false && this.kind() === 'till'
  }

  /**
   * Fetches a holder's photo the till does not have yet, checks it is the image its id names
   * (sha256) and keeps it (store/photos.ts); then views re-read the card. Quietly does nothing
   * when offline or not enrolled: the card shows initials, and the next lookup tries again. One
   * request per photo at a time, however often the card is looked up meanwhile.
   */
  fetchPhoto(id: string): Promise<void> {
    const running = this.photosInFlight.get(id)
    if (running) return running
    if (this.stopped || !this.isOnline() || hasPhoto(this.o.db, id)) return Promise.resolve()
    const fetching = (async () => {
      try {
        const client = await this.ensureClient()
        if (!client) return
        const photo = await client.photo(id)
        if (createHash('sha256').update(photo.data, 'utf8').digest('hex') !== id) throw new Error(`photo ${id} does not match its id`)
        if (this.stopped) return
        savePhoto(this.o.db, id, photo.data, this.o.clock.now())
        this.o.onDataChanged(['photo'])
      } catch (err) {
        this.o.log('warn', 'photo not fetched', { id, error: (err as Error).message })
      } finally {
        this.photosInFlight.delete(id)
      }
    })()
    this.photosInFlight.set(id, fetching)
    return fetching
  }

  /** Is the till's view of the server current? Decides whether sales are "offline". */
  isOnline(): boolean {
    return this.reach.online()
  }

  status(): SyncStatus {
    const counts = outboxCounts(this.o.db)
    const lastSyncAt = getSetting(this.o.db, 'last_sync_at')
    // Shown as the server's time; aged on the till's own clock (store/pull.ts).
    const lastPullLocal = getSetting(this.o.db, 'last_pull_local_at')
    const staleAfter = this.o.staleAfterMs ?? 15 * 60_000
    return {
      enrolled: getSetting(this.o.db, 'device_token') !== null,
      online: this.isOnline(),
      syncing: this.syncing,
      lastSyncAt,
      pending: counts.pending,
      oldestPendingAt: counts.oldestPendingAt,
      rejected: counts.rejected,
      lastError: this.lastError,
      // A kiosk pulls nothing: its data cannot grow old.
      stale: this.kind() === 'till' && !!this.o.serverUrl && (lastPullLocal === null || this.o.clock.now().getTime() - Date.parse(lastPullLocal) > staleAfter),
    }
  }

  /** Ask for a cycle soon (after a sale, on a poke). Never throws. */
  kick(): void {
    void this.cycle().catch(() => {})
  }

  /** Run a cycle now and wait for it; resets the backoff. */
  async syncNow(): Promise<SyncStatus> {
    this.failures = 0
    await this.cycle()
    return this.status()
  }

  private cycle(): Promise<void> {
    if (this.stopped || !this.o.serverUrl) return Promise.resolve()
    if (this.running) {
      this.again = true
      // A sale recorded during a cycle (one hanging on a server that does not answer, say) is
      // counted at once: the status bar must not say "nothing waits" until the cycle ends.
      this.emit()
      return this.running
    }
    this.running = (async () => {
      do {
        this.again = false
        await this.runOnce()
      } while (this.again && !this.stopped)
    })().finally(() => {
      this.running = null
    })
    return this.running
  }

  private async runOnce(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.syncing = true
    this.emit()
    try {
      const client = await this.ensureClient()
      if (client && this.kind() === 'till') {
        if (this.o.mayUpload) await this.pushAll(client)
        await this.pullAll(client)
      }
      if (client) {
        this.reach.succeeded()
        this.lastError = null
        this.failures = 0
      }
    } catch (err) {
      this.failures++
      this.reach.failed()
      if (err instanceof SyncHttpError && err.status === 401 && this.client) {
        // The token is refused: a till given a new enrolment code enrols again at once.
        this.client = null
        this.tokenRefused = true
        if (this.mayReEnrol()) this.again = true
      }
      this.lastError = err instanceof Error ? err.message : String(err)
      this.o.log('warn', 'sync failed', { error: this.lastError, failures: this.failures })
    } finally {
      this.syncing = false
      this.emit()
      this.schedule()
    }
  }

  /** The server this engine syncs with, or null (none configured yet). */
  configuredServerUrl(): string | null {
    return this.o.serverUrl
  }

  /** The engine has an enrolment code to try (given at start, e.g. on the command line). */
  hasEnrolmentCode(): boolean {
    return !!this.o.enrolmentCode
  }

  /**
   * First run (handlers/enrolment.ts): enrols an unenrolled terminal now, with an address and a
   * code typed at its screen, as `kind`, and starts syncing. Throws what `enrol` throws
   * (SyncHttpError, SyncNetworkError), so the caller can say which mistake it was; a failed try
   * keeps neither the address nor the code.
   */
  async enrolNow(serverUrl: string, code: string, opts: EnrolOverrides & { kind: TerminalKind }): Promise<EnrolResponse> {
    if (getSetting(this.o.db, 'device_token') !== null) throw new Error('This terminal is already enrolled')
    const e = await this.enrol(serverUrl, code, false, opts)
    this.o.serverUrl = serverUrl
    this.o.enrolmentCode = code
    if (opts.name) this.o.tillName = opts.name
    this.client = null
    this.kick()
    if (this.liveWanted()) this.reconnectLiveSoon(0)
    return e
  }

  /** A till whose token was refused enrols again with a code it has not used yet. */
  private mayReEnrol(): boolean {
    const code = this.o.enrolmentCode
    return !!code && this.tokenRefused && getSetting(this.o.db, 'enrolled_code') !== codeHash(code)
  }

  private async ensureClient(): Promise<SyncClient | null> {
    if (this.client) return this.client
    const { db, serverUrl } = this.o
    if (!serverUrl) return null
    let token = getSetting(db, 'device_token')
    if (!token || this.tokenRefused) {
      if (token && !this.mayReEnrol()) throw new Error('The server refused this till: enrol it again with a new code from the server')
      if (!this.o.enrolmentCode) throw new Error('The till is not enrolled: start it once with an enrolment code from the server')
      token = (await this.enrol(serverUrl, this.o.enrolmentCode, token !== null)).token
    }
    this.client = createSyncClient({ serverUrl, token, connectTimeoutMs: this.o.connectTimeoutMs })
    return this.client
  }

  /**
   * Trades the code for a device token. The request id is made once per code and kept BEFORE it
   * is sent: if the answer is lost, the retry is the same enrolment and the server answers it with
   * the same terminal. `nextSeq` tells the server where this till's outbox goes on: a till
   * enrolled again pushes its unsent sales under the new terminal without a seq gap. Enrolled
   * again, it starts from a snapshot: its cursor and acknowledged seqs belonged to the old
   * terminal, and the snapshot acknowledges exactly what the server already holds.
   */
  private async enrol(serverUrl: string, code: string, again: boolean, over: EnrolOverrides = {}): Promise<EnrolResponse> {
    const { db } = this.o
    const hash = codeHash(code)
    const kept = parseEnrolRequest(getSetting(db, 'enrol_request'))
    const requestId = kept?.codeHash === hash ? kept.requestId : (this.o.ids ?? systemIds).uuid()
    if (kept?.requestId !== requestId) setSetting(db, 'enrol_request', JSON.stringify({ codeHash: hash, requestId }))
    const e = await enrol({ serverUrl, code, name: over.name ?? this.o.tillName, requestId, nextSeq: nextPushSeq(db), kind: over.kind ?? this.kind(), timeoutMs: over.timeoutMs, connectTimeoutMs: this.o.connectTimeoutMs })
    db.transaction(() => {
      setSetting(db, 'terminal_id', e.terminalId)
      setSetting(db, 'terminal_kind', e.kind)
      if (e.locationName) setSetting(db, 'location_name', e.locationName)
      setSetting(db, 'device_token', e.token)
      setSetting(db, 'location_id', e.locationId)
      setSetting(db, 'municipality_id', e.municipalityId)
      setSetting(db, 'server_url', serverUrl)
      setSetting(db, 'enrolled_code', hash)
      deleteSetting(db, 'enrol_request')
      if (again) deleteSetting(db, 'pull_cursor')
    })()
    this.tokenRefused = false
    this.o.log('info', again ? `${e.kind} enrolled again` : `${e.kind} enrolled`, { terminalId: e.terminalId, locationId: e.locationId })
    this.o.kind = e.kind
    if (this.liveWanted()) this.reconnectLiveSoon(0)
    return e
  }

  private async pushAll(client: SyncClient): Promise<void> {
    const batch = this.o.pushBatch ?? MAX_PUSH_MUTATIONS
    for (;;) {
      const mutations = pendingMutations(this.o.db, batch)
      if (mutations.length === 0) return
      const answer = await client.push(mutations)
      // Marked only after the server answered: a lost answer means the same rows go again,
      // and the server answers them from its stored results without applying them twice.
      recordPushResults(this.o.db, answer.results)
      if (answer.results.length === 0) throw new SyncHttpError(200, 'no-progress', 'The server applied nothing of the push')
      this.emit()
    }
  }

  private async pullAll(client: SyncClient): Promise<void> {
    const touched = new Set<string>()
    // A till that has never pulled starts from a snapshot, not from the first change ever made.
    if (getSetting(this.o.db, 'pull_cursor') === null) await this.bootstrap(client, touched, false)
    let resynced = false
    for (let behind = false; ; ) {
      const cursor = getSetting(this.o.db, 'pull_cursor')
      let page
      try {
        page = await client.pull(cursor ?? '0:0', pullLimit({ cursor, behind, fixed: this.o.pullPage }))
      } catch (err) {
        // The server pruned its change log past this till's cursor (it was away for longer than
        // the server keeps changes): start again from a snapshot, once per sync.
        if (!(err instanceof SyncHttpError && err.status === 410) || resynced) throw err
        this.o.log('warn', 'change log pruned past the cursor: loading a new snapshot', { cursor })
        resynced = true
        await this.bootstrap(client, touched, true)
        continue
      }
      const applied = applyPullPage(this.o.db, page, { from: cursor, localNow: this.o.clock.now() })
      // Stale: another pull (a second process on this store) moved the cursor meanwhile. Nothing
      // was applied; go on from where the till is now.
      if (applied === null) continue
      for (const e of applied) touched.add(e)
      if (!page.hasMore) break
      behind = true
    }
    if (touched.size) this.o.onDataChanged([...touched])
  }

  /**
   * Loads and applies a snapshot. A server without snapshots (404) leaves an empty till to pull
   * the change log from the start; a till that must start again cannot do without one.
   */
  private async bootstrap(client: SyncClient, touched: Set<string>, required: boolean): Promise<void> {
    const from = getSetting(this.o.db, 'pull_cursor')
    try {
      if (client.snapshotLines) {
        for (const e of (await this.loadSnapshot(client.snapshotLines(), from)) ?? []) touched.add(e)
        return
      }
      const snap = await client.snapshot()
      for (const e of applySnapshot(this.o.db, snap, { from, localNow: this.o.clock.now() }) ?? []) touched.add(e)
    } catch (err) {
      if (!required && err instanceof SyncHttpError && err.status === 404) return
      throw err
    }
  }

  /**
   * Stores a snapshot as its lines arrive (store/pull.ts stageSnapshot) and applies it at its
   * end in one transaction. Memory stays at one chunk, whatever the municipality's size; sales
   * go on meanwhile from the data the till already holds.
   */
  private async loadSnapshot(lines: AsyncIterable<SnapshotLine>, from: string | null): Promise<Set<string> | null> {
    let load: SnapshotLoad | null = null
    try {
      for await (const line of lines) {
        if ('head' in line) {
          if (load) throw new SyncHttpError(200, 'bad-answer', 'The snapshot has two heads')
          load = stageSnapshot(this.o.db, line.head)
        } else if (!load) {
          throw new SyncHttpError(200, 'bad-answer', 'The snapshot does not start with its head')
        } else if ('accounts' in line) load.accounts(line.accounts)
        else if ('cards' in line) load.cards(line.cards)
        else return load.apply(line.end, { from, localNow: this.o.clock.now() })
      }
      throw new SyncNetworkError('Answer cut off: the snapshot has no end')
    } finally {
      load?.discard()
    }
  }

  private schedule(): void {
    if (this.stopped) return
    if (this.timer) clearTimeout(this.timer)
    const delay = this.failures === 0 ? (this.o.intervalMs ?? 30_000) : this.backoff(this.failures)
    this.timer = setTimeout(() => this.kick(), delay)
    this.timer.unref?.()
  }

  private backoff(failures: number): number {
    return backoffDelay(failures, this.o.baseBackoffMs ?? 1000, this.o.maxBackoffMs ?? 10_000, this.o.random ?? Math.random)
  }

  private connectLive(): void {
    const token = getSetting(this.o.db, 'device_token')
    if (this.stopped || !this.o.serverUrl || !token) return
    const url = this.o.serverUrl.replace(/^http/, 'ws').replace(/\/$/, '') + '/sync/live'
    const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}`, ...PROTOCOL_HEADERS } })
    this.socket = socket
    socket.on('open', () => {
      this.liveFailures = 0
      this.kick()
    })
    socket.on('message', (data) => {
      let msg: unknown
      try {
        msg = JSON.parse(String(data))
      } catch {
        return
      }
      if (LivePoke.safeParse(msg).success) this.kick()
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      if (this.socket !== socket) return
      this.socket = null
      this.liveFailures++
      // The live channel is the fastest sign the server went away: one failure, and a cycle at
      // once tells for sure (a second failure makes the till offline, a success keeps it online).
      if (this.isOnline()) {
        this.reach.failed()
        this.emit()
        this.kick()
      }
      this.reconnectLiveSoon(this.backoff(this.liveFailures))
    })
  }

  private reconnectLiveSoon(delay: number): void {
    if (this.stopped || this.socket) return
    if (this.liveTimer) clearTimeout(this.liveTimer)
    this.liveTimer = setTimeout(() => this.connectLive(), delay)
    this.liveTimer.unref?.()
  }

  private emit(): void {
    this.o.onStatus(this.status())
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    if (this.liveTimer) clearTimeout(this.liveTimer)
    const socket = this.socket
    this.socket = null
    socket?.terminate()
    await this.running?.catch(() => {})
  }
}

/** What a first-run enrolment (`enrolNow`) sets instead of the engine's options. */
interface EnrolOverrides {
  kind?: TerminalKind
  name?: string
  /** The whole attempt, connection and answer (default: http.ts's request timeout). */
  timeoutMs?: number
}

function codeHash(code: string): string {
  // The code in the form the server hashes it: case, spaces and dashes do not matter.
  return createHash('sha256').update(normalizeEnrolmentCode(code)).digest('hex')
}

function parseEnrolRequest(value: string | null): { codeHash: string; requestId: string } | null {
  if (value === null) return null
  try {
    const v = JSON.parse(value) as { codeHash?: unknown; requestId?: unknown }
    return typeof v.codeHash === 'string' && typeof v.requestId === 'string' ? { codeHash: v.codeHash, requestId: v.requestId } : null
  } catch {
    return null
  }
}
