#!/usr/bin/env node
/**
 * Builds better-sqlite3 for Electron's ABI into native/electron/<platform>-<arch>/, WITHOUT
 * touching node_modules: there better-sqlite3 stays built for the local Node, which the tests,
 * the host shell and the server use. The packaged till core loads the Electron copy through
 * better-sqlite3's `nativeBinding` option (electron/main/native-binding.ts); electron-builder.yml
 * packs native/electron/** and unpacks every .node file from the asar.
 *
 *   npm run dist:natives                                  this machine's platform and arch
 *   node scripts/rebuild-electron-natives.mjs --platform win32 --arch x64   (for the NSIS build)
 *   … --no-compile    only a prebuilt binary, never a compiler
 *
 * Needs internet: prebuild-install downloads better-sqlite3's prebuilt binary for this Electron
 * from its GitHub releases; when there is none, node-gyp compiles it against Electron's headers
 * (https://electronjs.org/headers; needs python3, make and a C++ compiler, and only works for the
 * platform it runs on). It cannot run offline, and on this project's CI it does not.
 *
 * node-hid needs nothing of this: it ships N-API prebuilds, one binary for Node and Electron.
 */
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(join(root, 'package.json'))

/** Where the addon goes for a platform and arch; electron/main/native-binding.ts reads the same. */
export function bindingPath(base, platform, arch) {
  return join(base, 'native', 'electron', `${platform}-${arch}`, 'better_sqlite3.node')
}

function version(pkg) {
  return JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')).version
}

function run(cmd, args, cwd) {
  console.log(`$ ${[cmd, ...args].join(' ')}   (in ${cwd})`)
  execFileSync(cmd, args, { cwd, stdio: 'inherit', env: { ...process.env, npm_config_build_from_source: '' } })
}

function main() {
  const { values } = parseArgs({
    options: {
      platform: { type: 'string', default: process.platform },
      arch: { type: 'string', default: process.arch },
      'no-compile': { type: 'boolean', default: false },
    },
  })
  const { platform, arch } = values
  const electron = version('electron')
  const sqlite = version('better-sqlite3')
  const out = bindingPath(root, platform, arch)
  console.log(`better-sqlite3 ${sqlite} for Electron ${electron} on ${platform}-${arch} -> ${out}`)

  // A copy of the package (sources included), so node_modules' own build is never replaced.
  const work = mkdtempSync(join(tmpdir(), 'kantine-natives-'))
  try {
    const pkg = join(work, 'better-sqlite3')
    cpSync(dirname(require.resolve('better-sqlite3/package.json')), pkg, {
      recursive: true,
      filter: (src) => !src.includes(`${join('better-sqlite3', 'build')}`),
    })
    const built = join(pkg, 'build', 'Release', 'better_sqlite3.node')
    try {
      run(process.execPath, [require.resolve('prebuild-install/bin.js'), '--runtime', 'electron', '--target', electron, '--platform', platform, '--arch', arch, '--verbose'], pkg)
    } catch (err) {
      if (values['no-compile']) throw new Error(`no prebuilt better-sqlite3 ${sqlite} for Electron ${electron} ${platform}-${arch}, and --no-compile`, { cause: err })
      if (platform !== process.platform) throw new Error(`no prebuilt binary for ${platform}, and node-gyp cannot cross-compile: run this on ${platform}`, { cause: err })
      console.log('No prebuilt binary: compiling against Electron\'s headers (node-gyp)')
      run(process.execPath, [require.resolve('node-gyp/bin/node-gyp.js'), 'rebuild', '--release', `--target=${electron}`, `--arch=${arch}`, '--dist-url=https://electronjs.org/headers'], pkg)
    }
    if (!existsSync(built)) throw new Error(`no ${built} after the build`)
    mkdirSync(dirname(out), { recursive: true })
    cpSync(built, out)
    writeFileSync(
      join(dirname(out), 'built-for.json'),
      `${JSON.stringify({ module: 'better-sqlite3', version: sqlite, runtime: 'electron', electron, platform, arch }, null, 2)}\n`,
    )
    console.log(`Wrote ${out}. node_modules/better-sqlite3 is still built for Node ${process.versions.node}.`)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    main()
  } catch (err) {
    console.error(`rebuild-electron-natives: ${err.message}${err.cause ? ` (${err.cause.message.split('\n')[0]})` : ''}`)
    process.exit(1)
  }
}
