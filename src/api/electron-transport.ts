import type { KantineBridge, Transport } from './types'

/**
 * Inside Electron the preload exposes `window.kantine`; it already is a Transport, and the main
 * process validates every call. Wrapping it keeps `this` out of the picture: the bridge's
 * functions are plain functions handed over by contextBridge.
 */
export function createElectronTransport(bridge: KantineBridge): Transport {
  return {
    call: (method, args) => bridge.call(method, args),
    subscribe: (listener) => bridge.subscribe(listener),
  }
}
