/**
 * The renderer's one door to the till core. The transport is picked once, at start: the Electron
 * preload's bridge when it is there, otherwise the host shell's HTTP + WebSocket protocol.
 */
import type { ApiClient } from './client'
import { createApiClient, createConnectionFeed, createMissingTransport } from './client'
import { createElectronTransport } from './electron-transport'
import { createHostTransport } from './host-transport'
import { takeSecret } from './secret'

function pickTransport(): ApiClient {
  if (window.kantine) return createApiClient('electron', createElectronTransport(window.kantine))

  // Must run before the router reads the address: hash history keeps the search part as its base.
  const { secret, cleanUrl } = takeSecret(window.location, window.sessionStorage)
  if (cleanUrl !== null) window.history.replaceState(window.history.state, '', cleanUrl)
  if (secret === null) return createApiClient('none', createMissingTransport())

  const connection = createConnectionFeed()
  const transport = createHostTransport({ origin: window.location.origin, secret, onConnection: connection.emit })
  return createApiClient('host', transport, connection)
}

export const api: ApiClient = pickTransport()

export { RpcCallError, isRpcCallError } from './errors'
export type { ApiClient } from './client'
export type * from './types'
