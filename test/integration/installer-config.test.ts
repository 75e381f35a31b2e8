/**
 * The installer configuration (electron-builder.yml) against the files it names, without
 * building an installer: the targets that can be built offline are packaged for real in
 * electron-shell.test.ts; deb, AppImage and NSIS need downloads (docs/installing.md). Here:
 * every icon in every size, the desktop entry, the deb's maintainer scripts (run on a temporary
 * root), the NSIS include, the fuse configuration and its guards, and the choice of
 * better-sqlite3's native binding for the Electron core.
 */
import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openDb } from '../../electron/core/store/db'
import { electronBindingFile, sqliteNativeBinding } from '../../electron/main/native-binding'

const root = resolve(import.meta.dirname, '../..')
const require = createRequire(import.meta.url)
const yaml = require('js-yaml') as { load(text: string): unknown }

interface BuilderConfig {
  appId: string
  productName: string
  npmRebuild: boolean
  files: string[]
  asarUnpack: string[]
  electronFuses: Record<string, boolean> | null
  afterPack: string
  afterAllArtifactBuild: string
  linux: {
    target: string[]
    executableName: string
    icon: string
    desktop: { entry: Record<string, string> }
    extraResources: { from: string; to: string }[]
  }
  deb: { afterInstall: string; afterRemove: string; depends: string[] }
  win: { target: string[]; icon: string }
  nsis: { include: string; installerIcon: string; uninstallerIcon: string; perMachine: boolean }
}
const config = yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as BuilderConfig
const standIn = yaml.load(readFileSync(join(root, 'build/electron-builder.stand-in.yml'), 'utf8')) as Record<string, unknown>

const tmpDirs: string[] = []
function tmp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `kantine-installer-${prefix}-`))
  tmpDirs.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true })
})

/** Width and height of a PNG, from its IHDR chunk. */
function pngSize(file: string): [number, number] {
  const b = readFileSync(file)
  expect(b.subarray(1, 4).toString('latin1'), `${file} is a PNG`).toBe('PNG')
  return [b.readUInt32BE(16), b.readUInt32BE(20)]
}

/** The image sizes inside a Windows .ico (0 in the directory means 256). */
function icoSizes(file: string): number[] {
  const b = readFileSync(file)
  expect(b.readUInt16LE(2), `${file} is an icon file`).toBe(1)
  const sizes: number[] = []
  for (let i = 0; i < b.readUInt16LE(4); i++) sizes.push(b[6 + i * 16] || 256)
  return sizes.sort((a, z) => a - z)
}

describe('targets, identity and packing', () => {
  it('builds a deb, an AppImage and the dir the tests package on Linux, and an NSIS installer on Windows', () => {
    expect(config.linux.target).toEqual(expect.arrayContaining(['deb', 'AppImage', 'dir']))
    expect(config.win.target).toEqual(['nsis'])
    expect(config.appId).toBe('dk.kantine.till')
    expect(config.productName).toBe('Kantine')
    expect(config.linux.executableName).toBe('kantine')
  })

  it('unpacks native modules from the asar and never rebuilds node_modules for Electron', () => {
    expect(config.asarUnpack).toContain('**/*.node')
    // node_modules keeps the Node build the tests use; the Electron build is native/electron/.
    expect(config.npmRebuild).toBe(false)
    expect(config.files).toContain('native/electron/**')
  })
})

describe('icons', () => {
  it('has every hicolor size for Linux, square and of its name', () => {
    expect(config.linux.icon).toBe('build/icons')
    for (const size of [16, 24, 32, 48, 64, 128, 256, 512]) {
      const file = join(root, config.linux.icon, `${size}x${size}.png`)
      expect(existsSync(file), file).toBe(true)
      expect(pngSize(file)).toEqual([size, size])
    }
  })

  it('has a Windows icon with the small and the large sizes, and a large PNG fallback', () => {
    for (const file of [config.win.icon, config.nsis.installerIcon, config.nsis.uninstallerIcon]) {
      expect(icoSizes(join(root, file))).toEqual([16, 24, 32, 48, 64, 128, 256])
    }
    const [w, h] = pngSize(join(root, 'build/icon.png'))
    expect(w).toBe(h)
    expect(w).toBeGreaterThanOrEqual(512)
  })

  it('keeps the source drawing the icons are made from, and the script that makes them', () => {
    expect(readFileSync(join(root, 'build/icon.svg'), 'utf8')).toMatch(/<svg[^>]+viewBox="0 0 512 512"/)
    expect(readFileSync(join(root, 'scripts/icons.mjs'), 'utf8')).toContain("join(build, 'icon.svg')")
  })
})

describe('the Linux desktop entry', () => {
  const entry = config.linux.desktop.entry

  it('names and describes the app in Danish and English, in a registered category', () => {
    expect(entry.Name).toBe('Kantine')
    expect(entry.Comment).toMatch(/canteen/i)
    expect(entry['Comment[da]']).toMatch(/kantine/i)
    expect(entry['GenericName[da]']).toBeTruthy()
    const categories = entry.Categories!.split(';').filter(Boolean)
    // One main category of the freedesktop menu spec; Finance is an additional one under Office.
    expect(categories).toContain('Office')
    for (const c of categories) expect(['Office', 'Finance', 'Utility'], c).toContain(c)
    expect(entry.Categories!.endsWith(';')).toBe(true)
  })

  it('leaves Exec to electron-builder (it refuses linux.desktop Exec) and sets no key twice', () => {
    expect(Object.keys(entry)).not.toContain('Exec')
    expect(new Set(Object.keys(entry).map((k) => k.toLowerCase())).size).toBe(Object.keys(entry).length)
  })
})

describe("the deb's maintainer scripts", () => {
  const templates = join(root, 'node_modules/app-builder-lib/templates/linux')
  const macros = new Set(['executable', 'sanitizedProductName', 'productFilename'])

  for (const [key, template] of [['afterInstall', 'after-install.tpl'], ['afterRemove', 'after-remove.tpl']] as const) {
    it(`${key} still does everything electron-builder's own ${template} does, and is valid bash`, () => {
      const file = join(root, config.deb[key])
      const ours = readFileSync(file, 'utf8')
      const theirs = readFileSync(join(templates, template), 'utf8')
      const missing = theirs.split('\n').filter((line) => line.trim() && !line.trim().startsWith('#') && !ours.includes(line))
      expect(missing, `lines of ${template} missing from ${config.deb[key]}`).toEqual([])
      // electron-builder fills ${name} macros in and fails the build on any it does not know.
      const used = [...ours.matchAll(/\$\{([a-zA-Z]+)\}/g)].map((m) => m[1]!)
      expect(used.filter((m) => !macros.has(m))).toEqual([])
      execFileSync('bash', ['-n', file])
      expect(statSync(file).mode & 0o111).not.toBe(0)
    })
  }

  it('installs the udev rule through the setup script beside the app, and removes rule and autostart only on remove', () => {
    const install = readFileSync(join(root, config.deb.afterInstall), 'utf8')
    expect(install).toContain("'/opt/${sanitizedProductName}/resources/linux/kantine-setup.sh' udev-install")
    const remove = readFileSync(join(root, config.deb.afterRemove), 'utf8')
    expect(remove).toMatch(/remove\|purge\|0\)\s+rm -f \/etc\/udev\/rules\.d\/70-kantine-card-reader\.rules \/etc\/xdg\/autostart\/kantine\.desktop/)
    expect(config.deb.depends).toContain('libusb-1.0-0')
  })

  it('ships what it installs: resources/linux goes beside the app', () => {
    expect(config.linux.extraResources).toEqual([{ from: 'resources/linux', to: 'linux' }])
    for (const f of ['70-kantine-card-reader.rules', 'kantine-setup.sh', 'kantine-autostart.desktop']) {
      expect(existsSync(join(root, 'resources/linux', f)), f).toBe(true)
    }
  })
})

describe('resources/linux/kantine-setup.sh on a temporary root', () => {
  const script = join(root, 'resources/linux/kantine-setup.sh')

  /** A PATH with the tools the script uses and a udevadm that logs its calls (or fails, or is absent). */
  function sandbox(udevadm: 'logs' | 'fails' | 'absent') {
    const dir = tmp('setup')
    const bin = join(dir, 'bin')
    mkdirSync(bin)
    for (const tool of ['sh', 'dirname', 'readlink', 'mkdir', 'install', 'rm', 'sed', 'chmod', 'mv', 'cat']) {
      const path = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim()
      execFileSync('ln', ['-s', path, join(bin, tool)])
    }
    const log = join(dir, 'udevadm.log')
    if (udevadm !== 'absent') {
      writeFileSync(join(bin, 'udevadm'), udevadm === 'logs' ? `#!/bin/sh\necho "$*" >> '${log}'\n` : '#!/bin/sh\nexit 1\n')
      chmodSync(join(bin, 'udevadm'), 0o755)
    }
    const env = { PATH: bin, KANTINE_UDEV_DIR: join(dir, 'etc/udev/rules.d'), KANTINE_AUTOSTART_DIR: join(dir, 'etc/xdg/autostart') }
    const run = (...args: string[]) => {
      try {
        return { code: 0, out: execFileSync(join(bin, 'sh'), [script, ...args], { env, encoding: 'utf8', stdio: 'pipe' }) }
      } catch (err) {
        const e = err as { status: number; stdout: string; stderr: string }
        return { code: e.status, out: e.stdout + e.stderr }
      }
    }
    return { run, env, log }
  }

  it('installs the rule readable by all, reloads udev and triggers the readers, and removes it again', () => {
    const { run, env, log } = sandbox('logs')
    expect(run('udev-install').code).toBe(0)
    const rule = join(env.KANTINE_UDEV_DIR, '70-kantine-card-reader.rules')
    expect(readFileSync(rule, 'utf8')).toBe(readFileSync(join(root, 'resources/linux/70-kantine-card-reader.rules'), 'utf8'))
    expect(statSync(rule).mode & 0o777).toBe(0o644)
    expect(readFileSync(log, 'utf8').split('\n').filter(Boolean)).toEqual(['control --reload-rules', 'trigger --subsystem-match=hidraw --subsystem-match=input'])
    expect(run('udev-remove').code).toBe(0)
    expect(existsSync(rule)).toBe(false)
  })

  it('still installs the rule where udev is not running or not there (container, chroot), and says so', () => {
    for (const udevadm of ['fails', 'absent'] as const) {
      const { run, env } = sandbox(udevadm)
      const r = run('udev-install')
      expect(r.code, udevadm).toBe(0)
      expect(r.out).toMatch(/next boot/)
      expect(existsSync(join(env.KANTINE_UDEV_DIR, '70-kantine-card-reader.rules'))).toBe(true)
    }
  })

  it('turns the autostart on as a locked-down till or as the parent kiosk, and off', () => {
    const { run, env } = sandbox('absent')
    const file = join(env.KANTINE_AUTOSTART_DIR, 'kantine.desktop')
    expect(existsSync(file)).toBe(false)
    expect(run('autostart-on', 'till').code).toBe(0)
    expect(readFileSync(file, 'utf8')).toMatch(/^Exec=\/opt\/Kantine\/kantine --kiosk$/m)
    expect(run('autostart-on', 'kiosk', '/opt/Kantine/kantine').code).toBe(0)
    const kiosk = readFileSync(file, 'utf8')
    expect(kiosk).toMatch(/^Exec=\/opt\/Kantine\/kantine --kiosk --terminal kiosk$/m)
    expect(kiosk).toMatch(/^\[Desktop Entry\]$/m)
    expect(kiosk).toMatch(/^Type=Application$/m)
    expect(kiosk).not.toContain('@')
    expect(statSync(file).mode & 0o777).toBe(0o644)
    expect(run('autostart-off').code).toBe(0)
    expect(existsSync(file)).toBe(false)
  })

  it('refuses an unknown kind or command and writes nothing', () => {
    const { run, env } = sandbox('absent')
    expect(run('autostart-on', 'server')).toMatchObject({ code: 2, out: expect.stringMatching(/till or kiosk/) })
    expect(existsSync(join(env.KANTINE_AUTOSTART_DIR, 'kantine.desktop'))).toBe(false)
    expect(run('format-disk').code).toBe(2)
    expect(run().code).toBe(2)
  })
})

describe('the NSIS include', () => {
  const nsh = readFileSync(join(root, config.nsis.include), 'utf8')
  const templates = join(root, 'node_modules/app-builder-lib/templates/nsis')

  it("defines the macros electron-builder's installer and uninstaller insert", () => {
    expect(readFileSync(join(templates, 'installSection.nsh'), 'utf8')).toContain('!insertmacro customInstall')
    expect(readFileSync(join(templates, 'uninstaller.nsh'), 'utf8')).toContain('!insertmacro customUnInstall')
    expect(nsh).toMatch(/^!macro customInstall$/m)
    expect(nsh).toMatch(/^!macro customUnInstall$/m)
    expect(nsh.match(/^!macro /gm)).toHaveLength(nsh.match(/^!macroend$/gm)!.length)
  })

  it('writes the Run key only when told /KIOSK=till or /KIOSK=parent, and keeps it through an update', () => {
    expect(nsh).toContain('${GetOptions} $R0 "/KIOSK=" $R1')
    expect(nsh).toContain('"Software\\Microsoft\\Windows\\CurrentVersion\\Run"')
    expect(nsh).toContain(`'"$INSTDIR\\\${APP_EXECUTABLE_FILENAME}" --kiosk'`)
    expect(nsh).toContain(`'"$INSTDIR\\\${APP_EXECUTABLE_FILENAME}" --kiosk --terminal kiosk'`)
    const uninstall = nsh.slice(nsh.indexOf('!macro customUnInstall'))
    expect(uninstall).toMatch(/\$\{IfNot\} \$\{isUpdated\}\s+DeleteRegValue HKLM/)
    // HKLM needs the per-machine installation the municipality's IT does.
    expect(config.nsis.perMachine).toBe(true)
  })
})

describe('the Electron fuses', () => {
  const afterPack = require(join(root, 'build/after-pack.cjs')) as { WANTED: Record<string, boolean> }
  const scheme = JSON.parse(readFileSync(join(root, 'node_modules/app-builder-lib/scheme.json'), 'utf8')) as {
    definitions: { FuseOptionsV1: { properties: Record<string, unknown> } }
  }

  it("are set through electron-builder's own electronFuses, exactly as the hook expects, with known keys only", () => {
    expect(config.electronFuses).toEqual(afterPack.WANTED)
    const known = Object.keys(scheme.definitions.FuseOptionsV1.properties)
    expect(Object.keys(config.electronFuses!).filter((k) => !known.includes(k))).toEqual([])
    expect(config.afterPack).toBe('./build/after-pack.cjs')
    expect(config.afterAllArtifactBuild).toBe('./build/verify-fuses.cjs')
  })

  it('say in the configuration that ASAR integrity is not enforced on Linux', () => {
    const yml = readFileSync(join(root, 'electron-builder.yml'), 'utf8')
    const note = yml.slice(yml.indexOf('electronFuses:'), yml.indexOf('enableEmbeddedAsarIntegrityValidation'))
    expect(note).toMatch(/NOT SUPPORTED ON LINUX/)
  })

  it('are switched off only by the stand-in configuration, which is the release one otherwise', () => {
    expect(standIn).toEqual({ extends: './electron-builder.yml', electronFuses: null })
  })
})

describe("better-sqlite3's native binding for the Electron core", () => {
  const nodeBuild = join(root, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node')

  it('is the Electron build in native/electron/<platform>-<arch>, unpacked from the asar, when it is there', () => {
    const app = '/opt/Kantine/resources/app.asar'
    const files = new Set([join('/opt/Kantine/resources/app.asar.unpacked', electronBindingFile('linux', 'x64'))])
    const exists = (f: string) => files.has(f)
    expect(sqliteNativeBinding({ appRoot: app, electron: '41.7.1', platform: 'linux', arch: 'x64', exists })).toBe(
      '/opt/Kantine/resources/app.asar.unpacked/native/electron/linux-x64/better_sqlite3.node',
    )
    // Another arch's build is not this one.
    expect(sqliteNativeBinding({ appRoot: app, electron: '41.7.1', platform: 'linux', arch: 'arm64', exists })).toBeUndefined()
    // In development (no asar) the checkout's copy.
    const dev = tmp('natives')
    mkdirSync(join(dev, 'native/electron/linux-x64'), { recursive: true })
    writeFileSync(join(dev, electronBindingFile('linux', 'x64')), '')
    expect(sqliteNativeBinding({ appRoot: dev, electron: '41.7.1', platform: 'linux', arch: 'x64' })).toBe(join(dev, electronBindingFile('linux', 'x64')))
  })

  it('is the default (node_modules) build when there is no Electron build, or the core runs in plain Node', () => {
    expect(sqliteNativeBinding({ appRoot: tmp('empty'), electron: '41.7.1', platform: 'linux', arch: 'x64' })).toBeUndefined()
    const dev = tmp('natives-node')
    mkdirSync(join(dev, 'native/electron/linux-x64'), { recursive: true })
    writeFileSync(join(dev, electronBindingFile('linux', 'x64')), '')
    expect(sqliteNativeBinding({ appRoot: dev, electron: undefined, platform: 'linux', arch: 'x64' })).toBeUndefined()
  })

  it('is what openDb loads when given, and node_modules\' own build otherwise', () => {
    const given = openDb(tmp('db-given'), undefined, { nativeBinding: nodeBuild })
    expect(given.pragma('journal_mode', { simple: true })).toBe('wal')
    given.close()
    const bogus = join(tmp('db-bogus'), 'better_sqlite3.node')
    writeFileSync(bogus, 'not an addon')
    expect(() => openDb(tmp('db-bad'), undefined, { nativeBinding: bogus })).toThrow(/better_sqlite3\.node|invalid ELF|file too short/)
    const plain = openDb(tmp('db-default'))
    expect(plain.pragma('synchronous', { simple: true })).toBe(2)
    plain.close()
  })
})
