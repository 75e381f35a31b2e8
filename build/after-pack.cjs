/**
 * electron-builder afterPack hook: flips Electron's fuses in the packaged executable
 * (Electron security checklist item 19), then reads them back and fails the build if any did
 * not take. afterPack runs after the app is copied and before signing, which is where fuses
 * must be flipped (a signature covers the binary, fuses included).
 *
 *   RunAsNode off                         ELECTRON_RUN_AS_NODE cannot turn the till into a Node
 *   EnableNodeOptionsEnvironmentVariable  NODE_OPTIONS cannot inject code or flags
 *     off
 *   EnableNodeCliInspectArguments off     --inspect and friends cannot attach a debugger
 *   EnableEmbeddedAsarIntegrityValidation app.asar must match the hash embedded at build time
 *     on                                  (enforced by Electron on Windows and macOS only)
 *   OnlyLoadAppFromAsar on                no app/ folder or loose files beside it are loaded
 *   EnableCookieEncryption on             cookies at rest are encrypted with the OS key store
 *   GrantFileProtocolExtraPrivileges off  file:// gets no more than a browser gives it (we serve
 *                                         the renderer from app://, never file://)
 *
 * A stand-in executable (offline CI, where the Electron binary cannot be downloaded) has no
 * fuse wire: set KANTINE_SKIP_FUSES=1 and the hook says loudly that it skipped. Without that
 * variable a missing wire is an error: a release must never ship with its fuses untouched.
 *
 * Written as CommonJS (.cjs) because package.json says "type": "module" and electron-builder
 * loads hooks with require.
 */
'use strict'

const path = require('node:path')

const SKIP_ENV = 'KANTINE_SKIP_FUSES'
// A fuse is one byte in the wire: ASCII '1' on, '0' off (@electron/fuses' FuseState, not exported).
const FUSE_ON = 0x31
const FUSE_OFF = 0x30

/** The wanted state of each fuse, by @electron/fuses' FuseV1Options name. */
const WANTED = {
  RunAsNode: false,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
  EnableCookieEncryption: true,
  GrantFileProtocolExtraPrivileges: false,
}

/** Where electron-builder put the executable for this platform (as its own addElectronFuses does). */
function executablePath(context) {
  const { appOutDir, electronPlatformName, packager } = context
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas') {
    return path.join(appOutDir, `${packager.appInfo.productFilename}.app`)
  }
  if (electronPlatformName === 'win32') return path.join(appOutDir, `${packager.appInfo.productFilename}.exe`)
  return path.join(appOutDir, packager.executableName)
}

function log(message) {
  console.log(`  • kantine after-pack  ${message}`)
}

async function afterPack(context) {
  const exe = executablePath(context)
  if (process.env[SKIP_ENV] === '1') {
    log(`FUSES NOT FLIPPED: ${SKIP_ENV}=1 (stand-in executable ${exe}); never ship this build`)
    return
  }
  const { flipFuses, getCurrentFuseWire, FuseVersion, FuseV1Options } = require('@electron/fuses')
  const config = { version: FuseVersion.V1 }
  for (const [name, enabled] of Object.entries(WANTED)) config[FuseV1Options[name]] = enabled
  // macOS arm64 binaries carry an ad-hoc signature that flipping invalidates; re-sign ad hoc
  // (real signing comes after this hook). Arch.arm64 is 3 in builder-util.
  config.resetAdHocDarwinSignature = context.electronPlatformName === 'darwin' && context.arch === 3

  try {
    await flipFuses(exe, config)
  } catch (err) {
    throw new Error(
      `Could not flip Electron fuses in ${exe}: ${err && err.message}. ` +
        `If this is a stand-in executable (no Electron binary on this machine), set ${SKIP_ENV}=1.`,
    )
  }

  const wire = await getCurrentFuseWire(exe)
  const wrong = Object.entries(WANTED).filter(([name, enabled]) => {
    const state = wire[FuseV1Options[name]]
    return state !== (enabled ? FUSE_ON : FUSE_OFF)
  })
  if (wrong.length > 0) throw new Error(`Fuses did not take in ${exe}: ${wrong.map(([name]) => name).join(', ')}`)
  log(`fuses flipped in ${exe}: ${Object.entries(WANTED).map(([n, v]) => `${n}=${v ? 'on' : 'off'}`).join(', ')}`)
}

module.exports = afterPack
module.exports.default = afterPack
module.exports.WANTED = WANTED
module.exports.executablePath = executablePath
