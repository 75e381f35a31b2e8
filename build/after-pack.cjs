/**
 * electron-builder afterPack hook: the guard in front of the Electron fuses.
 *
 * The fuses themselves (Electron security checklist item 19) are flipped by electron-builder's
 * own `electronFuses` option (electron-builder.yml), right after this hook and before signing.
 * That option covers every fuse this hook used to flip itself, so what is left here is what the
 * option cannot do:
 *   1. refuse a configuration that lost a fuse (a line deleted from electron-builder.yml, a
 *      stand-in configuration used for a release): the wanted state is WANTED below;
 *   2. refuse, with a message that says what to do, an executable without a fuse wire before
 *      @electron/fuses fails on it with a less helpful one;
 *   3. the stand-in executable of the offline test has no wire: the fuses may only be off when
 *      KANTINE_SKIP_FUSES=1 says so, and then the hook says loudly that it skipped. Never a
 *      silent default: a release must not ship with its fuses untouched.
 * build/verify-fuses.cjs reads the fuses back from the packaged executables after the build.
 *
 *   runAsNode off                             ELECTRON_RUN_AS_NODE cannot turn the till into a Node
 *   enableNodeOptionsEnvironmentVariable off  NODE_OPTIONS cannot inject code or flags
 *   enableNodeCliInspectArguments off         --inspect and friends cannot attach a debugger
 *   enableEmbeddedAsarIntegrityValidation on  app.asar must match the hash embedded at build time
 *                                             (enforced by Electron on Windows and macOS only,
 *                                             not on Linux)
 *   onlyLoadAppFromAsar on                    no app/ folder or loose files beside it are loaded
 *   enableCookieEncryption on                 cookies at rest are encrypted with the OS key store
 *   grantFileProtocolExtraPrivileges off      file:// gets no more than a browser gives it (we serve
 *                                             the renderer from app://, never file://)
 *
 * Written as CommonJS (.cjs) because package.json says "type": "module" and electron-builder
 * loads hooks with require.
 */
'use strict'

const { readFileSync } = require('node:fs')
const path = require('node:path')

const SKIP_ENV = 'KANTINE_SKIP_FUSES'
/** @electron/fuses' sentinel: the fuse wire follows it in every Electron executable. */
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'

/** The wanted state of each fuse, by electron-builder's `electronFuses` key. */
const WANTED = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  enableCookieEncryption: true,
  grantFileProtocolExtraPrivileges: false,
}

/** Where electron-builder put the executable for this platform (as its own addElectronFuses does). */
function executablePath(context) {
  const { appOutDir, electronPlatformName, packager } = context
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas') {
    return path.join(appOutDir, `${packager.appInfo.productFilename}.app`, 'Contents', 'Frameworks', 'Electron Framework.framework', 'Electron Framework')
  }
  if (electronPlatformName === 'win32') return path.join(appOutDir, `${packager.appInfo.productFilename}.exe`)
  return path.join(appOutDir, packager.executableName)
}

/** The fuses in `configured` (electron-builder's electronFuses) that differ from WANTED, by name. */
function fuseDifferences(configured) {
  return Object.entries(WANTED)
    .filter(([name, enabled]) => !configured || configured[name] !== enabled)
    .map(([name, enabled]) => `${name} should be ${enabled}, is ${configured ? configured[name] : 'not set'}`)
}

function hasFuseWire(file) {
  try {
    return readFileSync(file).includes(SENTINEL)
  } catch {
    return false
  }
}

function log(message) {
  console.log(`  • kantine after-pack  ${message}`)
}

async function afterPack(context) {
  const exe = executablePath(context)
  const configured = context.packager.config.electronFuses
  const skip = process.env[SKIP_ENV] === '1'

  if (configured == null) {
    if (!skip) {
      throw new Error(
        `electronFuses is switched off (build/electron-builder.stand-in.yml?): a release must flip Electron's fuses. ` +
          `Only for a stand-in executable (offline test) set ${SKIP_ENV}=1 as well.`,
      )
    }
    log(`FUSES NOT FLIPPED: ${SKIP_ENV}=1 and electronFuses off (stand-in executable ${exe}); never ship this build`)
    return
  }
  const wrong = fuseDifferences(configured)
  if (wrong.length > 0) throw new Error(`electronFuses in electron-builder.yml is not the reviewed set: ${wrong.join('; ')}`)
  if (!hasFuseWire(exe)) {
    throw new Error(
      `${exe} has no Electron fuse wire, so its fuses cannot be flipped. ` +
        `If this is a stand-in executable (no Electron binary on this machine), set ${SKIP_ENV}=1 and package with -c build/electron-builder.stand-in.yml.`,
    )
  }
  if (skip) log(`${SKIP_ENV}=1 is set but electronFuses is on: the fuses WILL be flipped in ${exe}`)
  log(`electronFuses checked (${Object.entries(WANTED).map(([n, v]) => `${n}=${v ? 'on' : 'off'}`).join(', ')}); electron-builder flips them next`)
}

module.exports = afterPack
module.exports.default = afterPack
module.exports.WANTED = WANTED
module.exports.SENTINEL = SENTINEL
module.exports.SKIP_ENV = SKIP_ENV
module.exports.executablePath = executablePath
module.exports.fuseDifferences = fuseDifferences
