import { describe, expect, it } from 'vitest'
import { createApiClient, createConnectionFeed } from './client'
import { RpcCallError } from './errors'
import { createHostTransport } from './host-transport'
import type { EventMessage } from './types'

/** A stand-in for the browser's WebSocket: the test opens, feeds and drops it. */
class FakeSocket {
  static all: FakeSocket[] = []
  private handlers = new Map<string, ((e: { data?: unknown }) => void)[]>()
  constructor(readonly url: string) {
    FakeSocket.all.push(this)
  }
  addEventListener(type: string, handler: (e: { data?: unknown }) => void): void {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), handler])
  }
  emit(type: string, e: { data?: unknown } = {}): void {
    for (const h of this.handlers.get(type) ?? []) h(e)
  }
}

function setup(respond: (url: string, init: RequestInit) => Response) {
  FakeSocket.all = []
  const requests: { url: string; init: RequestInit }[] = []
  const timers: { fn: () => void; ms: number }[] = []
  const connection = createConnectionFeed()
  const ups: boolean[] = []
  connection.subscribe((up) => ups.push(up))
  const transport = createHostTransport({
    origin: 'http://127.0.0.1:5199',
    onConnection: connection.emit,
    fetch: (async (url: string, init: RequestInit) => {
      requests.push({ url, init })
      return respond(url, init)
    }) as unknown as typeof fetch,
    WebSocket: FakeSocket as unknown as typeof WebSocket,
    setTimeout: (fn, ms) => timers.push({ fn, ms }),
  })
  return { api: createApiClient('host', transport, connection), requests, timers, ups }
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

describe('the host transport', () => {
  it('posts the call to /rpc/<method> with the host cookie (never a readable secret) and the args as JSON', async () => {
    const { api, requests } = setup(() => json({ ok: true, value: { ok: false, reason: 'pin-wrong' } }))
    await expect(api.call('staff.signIn', { pin: '0000' })).resolves.toEqual({ ok: false, reason: 'pin-wrong' })
    expect(requests[0]?.url).toBe('http://127.0.0.1:5199/rpc/staff.signIn')
    expect(requests[0]?.init.method).toBe('POST')
    expect(requests[0]?.init.headers).toEqual({ 'Content-Type': 'application/json' })
    expect(requests[0]?.init.credentials).toBe('same-origin')
    expect(requests[0]?.init.body).toBe('{"pin":"0000"}')
  })

  it('turns the core fault envelope into a typed RpcCallError', async () => {
    const { api } = setup(() => json({ ok: false, error: { code: 'not-signed-in', message: 'Sign in first' } }))
    const err = await api.call('catalog.get').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RpcCallError)
    expect(err).toMatchObject({ code: 'not-signed-in', method: 'catalog.get', message: 'Sign in first' })
  })

  it('reports a refused secret as forbidden and a dead host as unreachable', async () => {
    const refused = setup(() => json({ error: 'unauthorized', message: 'Missing or wrong host secret' }, 401))
    await expect(refused.api.call('app.info')).rejects.toMatchObject({ code: 'forbidden' })
    const dead = setup(() => {
      throw new TypeError('Failed to fetch')
    })
    await expect(dead.api.call('app.info')).rejects.toMatchObject({ code: 'unreachable' })
  })

  it('tells every fault to whoever listens app-wide', async () => {
    const { api } = setup(() => json({ ok: false, error: { code: 'internal', message: 'boom' } }))
    const seen: string[] = []
    api.onFault((e) => seen.push(`${e.method}:${e.code}`))
    await api.call('sync.now').catch(() => {})
    expect(seen).toEqual(['sync.now:internal'])
  })

  it('tells the app the core answered again after a call that got no answer', async () => {
    let up = false
    const { api } = setup(() => (up ? json({ ok: true, value: null }) : Promise.reject(new TypeError('socket hang up'))) as Response)
    const answered: string[] = []
    api.onAnswer(() => answered.push('answer'))
    await api.call('sync.now').catch(() => {})
    expect(answered).toEqual([])
    up = true
    await api.call('sync.now')
    expect(answered).toEqual(['answer'])
  })

  it('delivers events by name from the socket, whose address carries no secret', () => {
    const { api } = setup(() => json({ ok: true, value: null }))
    const cards: string[] = []
    api.on('reader.card', (p) => cards.push(p.cardNumber))
    const socket = FakeSocket.all[0]!
    expect(socket.url).toBe('ws://127.0.0.1:5199/events')
    const send = (m: EventMessage) => socket.emit('message', { data: JSON.stringify(m) })
    send({ event: 'reader.state', payload: 'connected' })
    send({ event: 'reader.card', payload: { cardNumber: 'DEMO0001' } })
    socket.emit('message', { data: 'not json' })
    expect(cards).toEqual(['DEMO0001'])
  })

  it('reconnects with growing delays when the socket drops, and says so', () => {
    const { timers, ups } = setup(() => json({ ok: true, value: null }))
    FakeSocket.all[0]!.emit('open')
    FakeSocket.all[0]!.emit('close')
    expect(timers).toHaveLength(1)
    timers[0]!.fn()
    expect(FakeSocket.all).toHaveLength(2)
    FakeSocket.all[1]!.emit('close')
    expect(timers[1]!.ms).toBeGreaterThan(timers[0]!.ms)
    timers[1]!.fn()
    FakeSocket.all[2]!.emit('open')
    expect(ups).toEqual([true, false, false, true])
  })
})
