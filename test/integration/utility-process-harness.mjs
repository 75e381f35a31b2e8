// Stands in for Electron's utilityProcess in plain Node, for electron-shell.test.ts: gives the
// module named by KANTINE_CORE_ENTRY a `process.parentPort` backed by child_process IPC, with
// Electron's behaviour: messages arrive as { data } and wait in a queue until the module listens.
// Nothing here runs in the app.
import { EventEmitter } from 'node:events'
import { pathToFileURL } from 'node:url'

const port = new EventEmitter()
const queued = []
port.postMessage = (message) => process.send(message)
port.on('newListener', (event) => {
  if (event === 'message') setImmediate(() => queued.splice(0).forEach((data) => port.emit('message', { data })))
})
process.on('message', (data) => {
  if (port.listenerCount('message') === 0) queued.push(data)
  else port.emit('message', { data })
})
process.parentPort = port
await import(pathToFileURL(process.env.KANTINE_CORE_ENTRY).href)
