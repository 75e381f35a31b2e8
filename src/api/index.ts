/**
 * The renderer's one door to the till core. The transport is picked once, at start: the Electron
 * preload's bridge when it is there, otherwise the host shell's HTTP + WebSocket protocol.
 */
import type { ApiClient } from './client'
import { createApiClient, createConnectionFeed } from './client'
import { createElectronTransport } from './electron-transport'
import { createHostTransport } from './host-transport'

function pickTransport(): ApiClient {
  if (window.kantine) return createApiClient('electron', createElectronTransport(window.kantine))

  // The host served this page only to a window holding its cookie; calls and events carry it.
  const connection = createConnectionFeed()
  const transport = createHostTransport({ origin: window.location.origin, onConnection: connection.emit })
  return createApiClient('host', transport, connection)
}

export const api: ApiClient = pickTransport()

export { RpcCallError, isRpcCallError } from './errors'
export type { ApiClient } from './client'
export type * from './types'
