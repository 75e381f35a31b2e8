/**
 * GET /sync/live: a WebSocket per connected till. The server never sends data on it, only
 * `{"type":"poke","at":...}` = "something you hold changed, pull now", so a parent's block or a
 * top-up reaches the counter in about a second. Tills still pull on a timer: a poke can be lost.
 *
 * Pokes follow the ChangeFeed (fired after COMMIT) and are coalesced per municipality (~50 ms):
 * a burst of sales makes one poke, not hundreds. And at most one poke per municipality per
 * POKE_MIN_INTERVAL_MS: while a long transaction anywhere in the cluster holds rows back, every
 * pull asks for a repoke (sync/pull.ts), and without the bound every till of a municipality
 * would be poked, and pull, twice a second. The poke is on the trailing edge: a change during
 * the pause is announced when it ends, never dropped. Multi-instance: see feed.ts (LISTEN/NOTIFY).
 */
import type { WebSocket } from 'ws'
import { systemTimers, type Clock, type Timers } from '../platform/clock'
import type { ChangeFeed } from '../platform/feed'

export const POKE_COALESCE_MS = 50
export const POKE_MIN_INTERVAL_MS = 1000
/** Pings find connections that died without a close (a till's network cable pulled). */
const HEARTBEAT_MS = 30_000

export class LiveHub {
  private readonly sockets = new Map<string, Set<WebSocket>>()
  private readonly byTerminal = new Map<string, Set<WebSocket>>()
  private readonly pending = new Map<string, unknown>()
  private readonly lastPoke = new Map<string, number>()
  private readonly alive = new WeakSet<WebSocket>()
  private readonly heartbeat: NodeJS.Timeout
  private readonly unsubscribe: () => void

  constructor(
    feed: ChangeFeed,
    private readonly clock: Clock,
    private readonly timers: Timers = systemTimers,
  ) {
    this.unsubscribe = feed.subscribe((ids) => ids.forEach((id) => this.schedule(id)))
    this.heartbeat = setInterval(() => this.ping(), HEARTBEAT_MS)
    this.heartbeat.unref()
  }

  add(terminal: { id: string; municipalityId: string }, socket: WebSocket): void {
    const set = joinSet(this.sockets, terminal.municipalityId, socket)
    const own = joinSet(this.byTerminal, terminal.id, socket)
    this.alive.add(socket)
    socket.on('pong', () => this.alive.add(socket))
    socket.on('close', () => {
      leaveSet(this.sockets, terminal.municipalityId, set, socket)
      leaveSet(this.byTerminal, terminal.id, own, socket)
    })
  }

  /** Closes a till's live connections (its token was revoked: reconnecting is refused). */
  disconnect(terminalId: string): void {
    for (const socket of this.byTerminal.get(terminalId) ?? []) socket.close(1008, 'device token revoked')
  }

  connections(municipalityId: string): number {
    return this.sockets.get(municipalityId)?.size ?? 0
  }

  private schedule(municipalityId: string): void {
    if (this.pending.has(municipalityId) || !this.sockets.has(municipalityId)) return
    const last = this.lastPoke.get(municipalityId)
    const wait = last === undefined ? 0 : POKE_MIN_INTERVAL_MS - (this.timers.now() - last)
    const timer = this.timers.setTimeout(
      () => {
        this.pending.delete(municipalityId)
        this.lastPoke.set(municipalityId, this.timers.now())
        this.poke(municipalityId)
      },
      Math.max(POKE_COALESCE_MS, wait),
    )
    this.pending.set(municipalityId, timer)
  }

  private poke(municipalityId: string): void {
    const message = JSON.stringify({ type: 'poke', at: this.clock.now().toISOString() })
    for (const socket of this.sockets.get(municipalityId) ?? []) {
      if (socket.readyState === socket.OPEN) socket.send(message)
    }
  }

  private ping(): void {
    for (const set of this.sockets.values()) {
      for (const socket of set) {
        if (!this.alive.has(socket)) {
          socket.terminate()
          continue
        }
        this.alive.delete(socket)
        socket.ping()
      }
    }
  }

  close(): void {
    this.unsubscribe()
    clearInterval(this.heartbeat)
    for (const timer of this.pending.values()) this.timers.clearTimeout(timer)
    this.pending.clear()
    for (const set of this.sockets.values()) for (const socket of set) socket.close(1001, 'server shutting down')
    this.sockets.clear()
  }
}

function joinSet(map: Map<string, Set<WebSocket>>, key: string, socket: WebSocket): Set<WebSocket> {
  let set = map.get(key)
  if (!set) map.set(key, (set = new Set()))
  set.add(socket)
  return set
}

function leaveSet(map: Map<string, Set<WebSocket>>, key: string, set: Set<WebSocket>, socket: WebSocket): void {
  set.delete(socket)
  if (set.size === 0 && map.get(key) === set) map.delete(key)
}
