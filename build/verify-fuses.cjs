/**
 * electron-builder afterAllArtifactBuild hook: reads the Electron fuses back from every packaged
 * executable (dist/linux-unpacked/kantine, dist/win-unpacked/Kantine.exe, …) and fails the build
 * if one is not as build/after-pack.cjs's WANTED says. electron-builder's `electronFuses` flips
 * them (after afterPack, before signing); this is the proof that it did, on the bytes that the
 * deb, the AppImage and the NSIS installer were made from.
 *
 * Skipped, loudly, only in the stand-in build (KANTINE_SKIP_FUSES=1 with build/electron-builder.stand-in.yml).
 * CommonJS for the same reason as after-pack.cjs.
 */
'use strict'

const { existsSync, readdirSync, readFileSync } = require('node:fs')
const path = require('node:path')
const { WANTED, SENTINEL, SKIP_ENV } = require('./after-pack.cjs')

const FUSE_ON = 0x31 // ASCII '1'
const FUSE_OFF = 0x30 // ASCII '0'

/** The position of each fuse in the wire: @electron/fuses' FuseV1Options (RunAsNode = 0, …). */
function wireIndex(builderKey) {
  const { FuseV1Options } = require('@electron/fuses')
  const index = FuseV1Options[builderKey[0].toUpperCase() + builderKey.slice(1)]
  if (typeof index !== 'number') throw new Error(`unknown fuse ${builderKey}`)
  return index
}

/** The fuse wire's bytes after the sentinel (a version byte, a length byte, then one byte per fuse). */
function readWire(file) {
  const bin = readFileSync(file)
  const at = bin.indexOf(SENTINEL)
  if (at === -1) throw new Error(`${file} has no Electron fuse wire`)
  const start = at + SENTINEL.length
  return bin.subarray(start + 2, start + 2 + bin[start + 1])
}

/** The fuses of one executable that are not as wanted, as readable lines. */
function wrongFuses(file) {
  const wire = readWire(file)
  const wrong = []
  for (const [name, enabled] of Object.entries(WANTED)) {
    const state = wire[wireIndex(name)]
    if (state !== (enabled ? FUSE_ON : FUSE_OFF)) wrong.push(`${name} should be ${enabled ? 'on' : 'off'}`)
  }
  return wrong
}

/** The packaged executables under `outDir`: one per `<platform>[-<arch>]-unpacked` folder. */
function packagedExecutables(outDir, configuration) {
  const linuxName = (configuration.linux && configuration.linux.executableName) || configuration.executableName || 'kantine'
  const winName = `${configuration.productName}.exe`
  const out = []
  for (const dir of existsSync(outDir) ? readdirSync(outDir) : []) {
    if (/^linux(-[a-z0-9]+)?-unpacked$/.test(dir)) out.push(path.join(outDir, dir, linuxName))
    else if (/^win(-[a-z0-9]+)?-unpacked$/.test(dir)) out.push(path.join(outDir, dir, winName))
  }
  return out
}

function log(message) {
  console.log(`  • kantine verify-fuses  ${message}`)
}

async function verifyFuses(buildResult) {
  const { outDir, configuration } = buildResult
  if (configuration.electronFuses == null) {
    // after-pack.cjs has already refused this without KANTINE_SKIP_FUSES=1.
    log(`FUSES NOT VERIFIED: ${SKIP_ENV}=1 and electronFuses off (stand-in build); never ship this build`)
    return []
  }
  const executables = packagedExecutables(outDir, configuration)
  if (executables.length === 0) throw new Error(`no packaged app found under ${outDir} to read the fuses back from`)
  for (const exe of executables) {
    const wrong = wrongFuses(exe)
    if (wrong.length > 0) throw new Error(`Fuses did not take in ${exe}: ${wrong.join(', ')}`)
    log(`fuses verified in ${exe}`)
  }
  return []
}

module.exports = verifyFuses
module.exports.default = verifyFuses
module.exports.wrongFuses = wrongFuses
module.exports.packagedExecutables = packagedExecutables
