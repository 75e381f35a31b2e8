import { homedir } from 'node:os'
import { join } from 'node:path'

/** Where a till keeps its data when no --data-dir is given: the OS user-data folder, as Electron's app.getPath('userData'). */
export function defaultDataDir(): string {
  if (process.env.KANTINE_DATA_DIR) return process.env.KANTINE_DATA_DIR
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Kantine')
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Kantine')
  return join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Kantine')
}
