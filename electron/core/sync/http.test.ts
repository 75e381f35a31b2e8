import { createServer as createHttpServer } from 'node:http'
import { createServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { startFaultProxy } from '../../../test/support/proxy'
import { CONNECT_TIMEOUT_MS, SyncNetworkError, createSyncClient } from './http'

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
