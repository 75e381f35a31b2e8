import { createServer as createHttpServer } from 'node:http'
import { createServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { startFaultProxy } from '../../../test/support/proxy'
import { CONNECT_TIMEOUT_MS, SyncHttpError, SyncNetworkError, createSyncClient } from './http'

const emptyPage = JSON.stringify({ changes: [], cursor: '1:1', hasMore: false, ackSeq: null, serverTime: '2026-11-24T10:00:00.000Z' })

describe('the sync client opening connections', () => {
  it('gives up a connection that does not come up after the connect timeout, not the request timeout, and tries one new one', async () => {
    // A server that takes the TCP connection and never answers the TLS handshake: the connection never comes up.
    const held: Socket[] = []
    const server = createServer((s) => held.push(s))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const { port } = server.address() as AddressInfo
    try {
      // The request timeout is far beyond the test's own: only the connect timeout can end this.
      const client = createSyncClient({ serverUrl: `https://127.0.0.1:${port}`, token: 't', connectTimeoutMs: 200, timeoutMs: 60_000 })
      const failed = await client.pull('0:0', 1).catch((e: unknown) => e)
      expect(failed).toBeInstanceOf(SyncNetworkError)
      expect((failed as Error).message).toMatch(/CONNECT_TIMEOUT/)
      expect(held).toHaveLength(2)
    } finally {
      for (const s of held) s.destroy()
      await new Promise((r) => server.close(r))
    }
    expect(CONNECT_TIMEOUT_MS).toBeLessThanOrEqual(3000)
  })

  it('goes on over a new connection when one is reset at connect time', async () => {
    const server = createHttpServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(emptyPage))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const proxy = await startFaultProxy(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
    try {
      const client = createSyncClient({ serverUrl: proxy.url, token: 't' })
      proxy.resetConnects(1)
      expect((await client.pull('0:0', 1)).cursor).toBe('1:1')
      expect(proxy.connects).toBe(2)
    } finally {
      await proxy.close()
      await new Promise((r) => server.close(r))
    }
  })
})

describe('the snapshot read line by line as it arrives', () => {
  const head = { cursor: '9:0', ackSeq: 0, serverTime: '2026-11-24T10:00:00.000Z', periods: { day: '2026-11-24', week: '2026-W48', month: '2026-11' }, changes: [] }
  const accounts = (ids: string[]) => ({
    id: ids,
    holderName: ids.map(() => 'Søren Ærø'),
    photoId: ids.map(() => null),
    status: ids.map(() => 'active'),
    balance: ids.map(() => 1000),
    limitDay: ids.map(() => null),
    limitWeek: ids.map(() => null),
    limitMonth: ids.map(() => null),
    spentDay: ids.map(() => 0),
    spentWeek: ids.map(() => 0),
    spentMonth: ids.map(() => 0),
    deniedCategoryIds: ids.map(() => []),
    allowedLocationIds: ids.map(() => null),
    note: ids.map(() => null),
  })
  const cards = { number: ['K1', 'K2', 'K3'].map((k) => `${k}0000`), accountId: ['a-1', 'a-2', 'a-3'], status: ['active', 'active', 'lost'] }
  const body = [{ head }, { accounts: accounts(['a-1', 'a-2']) }, { accounts: accounts(['a-3']) }, { cards }, { end: { accounts: 3, cards: 3 } }]
    .map((l) => JSON.stringify(l) + '\n')
    .join('')

  /** A server that sends `bytes` in pieces of `piece` bytes (splitting lines and the UTF-8 of "ø"), then ends. */
  async function serve(bytes: Buffer, type = 'application/x-ndjson', piece = 7) {
    const server = createHttpServer(async (_req, res) => {
      res.writeHead(200, { 'content-type': type })
      for (let i = 0; i < bytes.length; i += piece) {
        res.write(bytes.subarray(i, i + piece))
        await new Promise((r) => setImmediate(r))
      }
      res.end()
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const client = createSyncClient({ serverUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: 't' })
    return { client, close: () => new Promise((r) => server.close(r)) }
  }

  async function read(client: ReturnType<typeof createSyncClient>) {
    const got: unknown[] = []
    for await (const line of client.snapshotLines!()) got.push(line)
    return got
  }

  it('gives every line, checked, however the bytes are cut on the way', async () => {
    const s = await serve(Buffer.from(body))
    try {
      const got = await read(s.client)
      expect(got.map((l) => Object.keys(l as object)[0])).toEqual(['head', 'accounts', 'accounts', 'cards', 'end'])
      expect((got[1] as { accounts: { holderName: string[] } }).accounts.holderName).toEqual(['Søren Ærø', 'Søren Ærø'])
    } finally {
      await s.close()
    }
  })

  it('fails an answer cut off before its end, after giving what came', async () => {
    const cut = body.slice(0, body.indexOf('{"cards"'))
    const s = await serve(Buffer.from(cut))
    try {
      const got: unknown[] = []
      const failed = await (async () => {
        for await (const line of s.client.snapshotLines!()) got.push(line)
      })().catch((e: unknown) => e)
      expect(failed).toBeInstanceOf(SyncNetworkError)
      expect(got).toHaveLength(3)
    } finally {
      await s.close()
    }
  })

  it('refuses a line that does not match the wire format', async () => {
    const bad = body.replace('"balance":[1000,1000]', '"balance":[1000,"lots"]')
    expect(bad).not.toBe(body)
    const s = await serve(Buffer.from(bad))
    try {
      const failed = await read(s.client).catch((e: unknown) => e)
      expect(failed).toBeInstanceOf(SyncHttpError)
      expect((failed as SyncHttpError).code).toBe('bad-answer')
    } finally {
      await s.close()
    }
  })

  it('reads a server that answers with the whole JSON as the same lines', async () => {
    const whole = { ...head, accounts: accounts(['a-1', 'a-2', 'a-3']), cards }
    const s = await serve(Buffer.from(JSON.stringify(whole)), 'application/json; charset=utf-8')
    try {
      expect(await read(s.client)).toEqual([{ head }, { accounts: accounts(['a-1', 'a-2', 'a-3']) }, { cards }, { end: { accounts: 3, cards: 3 } }])
    } finally {
      await s.close()
    }
  })
})
