/**
 * Command-line flags of the desktop shell, parsed without Electron so the same parser serves
 * main (process.argv of the app) and the core's utility process (the args main forks it with).
 *
 *   --kiosk               fullscreen kiosk lockdown (no menu, no DevTools, shortcuts blocked)
 *   --dev                 development till: the simulated card reader panel (ignored by a packaged
 *                         app: on a counter it would let anyone "scan" any card)
 *   --data-dir <path>     where the till keeps its SQLite file (default: <userData>/till)
 *   --server-url <url>    the central server: https, or http to this machine only (server-url.ts)
 *   --enrol-code <code>   one-time enrolment code (also KANTINE_ENROL_CODE, which keeps it out of `ps`)
 *   --name <name>         this till's name, e.g. "Kasse 1" (as in the host shell)
 *   --terminal <kind>     till (default) or kiosk: the parent kiosk (a fresh browser session per
 *                         visit; the core relays the guardian API and refuses the counter's methods)
 *
 * Both `--flag value` and `--flag=value` work. Arguments we do not know (Chromium's switches,
 * the app path in development) are ignored, except the dangerous ones listed below.
 */
import { isAbsolute, resolve } from 'node:path'
import { checkServerUrl, serverUrlRefusalMessage } from '../core/server-url'

export interface ShellFlags {
  kiosk: boolean
  dev: boolean
  dataDir?: string
  serverUrl?: string
  enrolCode?: string
  tillName?: string
  terminal?: 'till' | 'kiosk'
}

export class FlagError extends Error {}

const VALUE_FLAGS = { '--data-dir': 'dataDir', '--server-url': 'serverUrl', '--enrol-code': 'enrolCode', '--name': 'tillName', '--terminal': 'terminal' } as const
type ValueFlag = keyof typeof VALUE_FLAGS

function isValueFlag(name: string): name is ValueFlag {
  return Object.prototype.hasOwnProperty.call(VALUE_FLAGS, name)
}

export interface ParseOptions {
  /** `app.isPackaged`: a build handed to a canteen, where development switches do nothing. */
  packaged?: boolean
}

export function parseFlags(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
  options: ParseOptions = {},
): ShellFlags {
  const flags: ShellFlags = { kiosk: false, dev: false }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    const eq = arg.indexOf('=')
    const name = eq === -1 ? arg : arg.slice(0, eq)
    if (name === '--kiosk' || name === '--dev') {
      if (eq !== -1) throw new FlagError(`${name} takes no value`)
      flags[name === '--kiosk' ? 'kiosk' : 'dev'] = true
      continue
    }
    if (!isValueFlag(name)) continue
    let value: string | undefined
    if (eq !== -1) value = arg.slice(eq + 1)
    else {
      value = argv[i + 1]
      if (value === undefined || value.startsWith('--')) throw new FlagError(`${name} needs a value`)
      i++
    }
    if (name === '--terminal') {
      if (value !== 'till' && value !== 'kiosk') throw new FlagError('--terminal must be till or kiosk')
      flags.terminal = value
    } else flags[VALUE_FLAGS[name]] = value
  }
  flags.enrolCode ??= env.KANTINE_ENROL_CODE || undefined
  flags.dataDir ??= env.KANTINE_DATA_DIR || undefined
  flags.serverUrl ??= env.KANTINE_SERVER_URL || undefined
  // Still parsed above (so `--dev=x` is an error either way), then dropped.
  if (options.packaged) flags.dev = false
  return validate(flags)
}

function validate(flags: ShellFlags): ShellFlags {
  if (flags.dataDir !== undefined) {
    if (flags.dataDir.trim() === '' || flags.dataDir.includes('\0')) throw new FlagError('--data-dir is empty')
    flags.dataDir = isAbsolute(flags.dataDir) ? flags.dataDir : resolve(flags.dataDir)
  }
  if (flags.serverUrl !== undefined) {
    const checked = checkServerUrl(flags.serverUrl)
    if (!checked.ok) {
      // Never echo a URL that carries a password into a log.
      const shown = checked.reason === 'credentials' ? '' : `: ${flags.serverUrl.slice(0, 100)}`
      throw new FlagError(`--server-url ${serverUrlRefusalMessage(checked.reason)}${shown}`)
    }
    flags.serverUrl = checked.url
  }
  if (flags.enrolCode !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_-]{3,127}$/.test(flags.enrolCode)) {
    throw new FlagError('--enrol-code must be 4 to 128 letters, digits, - or _')
  }
  if (flags.tillName !== undefined) {
    flags.tillName = flags.tillName.trim()
    if (flags.tillName === '' || flags.tillName.length > 60 || [...flags.tillName].some((c) => c.charCodeAt(0) < 0x20)) {
      throw new FlagError('--name must be 1 to 60 printable characters')
    }
  }
  return flags
}

/** The args main forks the core with: values only, never the enrolment code (it goes by env). */
export function coreArgs(flags: ShellFlags & { dataDir: string }): string[] {
  return [
    `--data-dir=${flags.dataDir}`,
    ...(flags.serverUrl ? [`--server-url=${flags.serverUrl}`] : []),
    ...(flags.tillName ? [`--name=${flags.tillName}`] : []),
    ...(flags.terminal ? [`--terminal=${flags.terminal}`] : []),
    ...(flags.dev ? ['--dev'] : []),
  ]
}

/**
 * Chromium and Node switches that open the app to another program (a debugger port, an
 * inspector) or switch off a protection. The fuses disable Node's `--inspect` in a packaged
 * build; Chromium's remote debugging and sandbox switches are not covered by any fuse, so a
 * packaged Kantine refuses to start with them.
 */
const DANGEROUS_SWITCHES = [
  '--remote-debugging-port',
  '--remote-debugging-pipe',
  '--remote-debugging-address',
  '--remote-allow-origins',
  '--inspect',
  '--inspect-brk',
  '--inspect-port',
  '--no-sandbox',
  '--disable-web-security',
  '--disable-site-isolation-trials',
  '--allow-file-access-from-files',
  '--js-flags',
]

export function dangerousSwitches(argv: readonly string[]): string[] {
  return argv.filter((arg) => {
    const name = arg.split('=', 1)[0] ?? ''
    return DANGEROUS_SWITCHES.includes(name)
  })
}
