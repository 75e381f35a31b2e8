/**
 * The renderer's only door to the till: one small object, `window.kantine`, implementing the
 * contract's Transport. Never ipcRenderer itself, never a generic "send on any channel": the
 * renderer can call a method by name and listen to core events, and main checks both the
 * sender and the method name before the core checks the argument.
 *
 * Sandboxed preload: CommonJS (out/preload/index.cjs), and only `electron`'s renderer modules
 * are available here. The contract is imported for types only, so nothing else is bundled.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import type { EventMessage, Transport } from '../core/api/contract'
import { CALL_CHANNEL, EVENT_CHANNEL } from '../main/channels'

const kantine = {
  call: (method, args) => ipcRenderer.invoke(CALL_CHANNEL, method, args),
  subscribe(listener) {
    // The IPC event (with its `sender`) stays on this side of the bridge; the page gets the message only.
    const relay = (_event: IpcRendererEvent, message: EventMessage) => listener(message)
    ipcRenderer.on(EVENT_CHANNEL, relay)
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, relay)
    }
  },
} satisfies Transport

contextBridge.exposeInMainWorld('kantine', kantine)
