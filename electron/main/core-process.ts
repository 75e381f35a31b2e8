/**
 * Entry of the till core's utility process (out/main/core.js), forked by main with
 * utilityProcess.fork. It opens the till and serves it over process.parentPort; nothing else.
 * Runs plain Node (no Electron import): the same core the host shell runs.
 */
import { fileURLToPath } from 'node:url'
import { openTill } from '../core/till'
import { serveTill, type ParentPortLike } from './core-protocol'
import { parseFlags } from './flags'
import { sqliteNativeBinding } from './native-binding'

const port = (process as NodeJS.Process & { parentPort?: ParentPortLike }).parentPort
if (!port) {
  console.error('core.js runs inside Electron (utilityProcess.fork); for plain Node use the host shell')
  process.exit(2)
}

function log(level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) {
  const line = JSON.stringify({ t: new Date().toISOString(), level, src: 'core', msg, ...extra })
  if (level === 'error') console.error(line)
  else console.log(line)
}

const flags = parseFlags(process.argv.slice(1), process.env)
if (!flags.dataDir) {
  log('error', 'no --data-dir given')
  process.exit(2)
}

// This file is out/main/core.js: the app root is two folders up.
const nativeBinding = sqliteNativeBinding({ appRoot: fileURLToPath(new URL('../..', import.meta.url)), electron: process.versions.electron })
log('info', nativeBinding ? `better-sqlite3 for Electron: ${nativeBinding}` : 'better-sqlite3 from node_modules')

serveTill(
  port,
  openTill({
    dataDir: flags.dataDir,
    nativeBinding,
    serverUrl: flags.serverUrl,
    enrolmentCode: flags.enrolCode,
    tillName: flags.tillName,
    terminalKind: flags.terminal,
    simulatedReader: flags.dev,
    hidReader: true,
    log,
  }),
  (code) => process.exit(code),
  (msg, err) => log('error', msg, err === undefined ? undefined : { err: err instanceof Error ? err.stack : String(err) }),
)
