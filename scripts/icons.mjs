#!/usr/bin/env node
/**
 * Renders Kantine's app icon in every size the installers need, from the one source drawing
 * build/icon.svg: `node scripts/icons.mjs` (needs ImageMagick's `convert`). The output is
 * committed, because the machines that package (CI, a developer's laptop) need not have
 * ImageMagick; rerun this after changing the SVG and commit what it writes.
 *
 *   build/icons/NxN.png   Linux (deb, AppImage): the hicolor theme sizes electron-builder installs
 *   build/icon.png        1024×1024, the fallback electron-builder uses when a size is missing
 *   build/icon.ico        Windows (NSIS, the .exe, shortcuts): 16…256 in one file
 *
 * Every file is rendered from the vector at a high density and then scaled down (sharper than
 * scaling a bitmap), with the metadata stripped so that a rerun writes the same bytes.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const build = join(root, 'build')
const source = join(build, 'icon.svg')

/** The hicolor sizes for Linux; installer-config.test.ts checks the same list. */
export const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512]
/** The sizes inside icon.ico (Windows picks the nearest for each place it shows the icon). */
export const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256]

// 8-bit RGBA PNG without time stamps or other text chunks, so the output is reproducible.
const PNG_OPTS = ['-strip', '-depth', '8', '-define', 'png:color-type=6', '-define', 'png:exclude-chunks=date,time,tEXt,zTXt,iTXt']

function render(size, out) {
  // 72 dpi is the SVG's 512 px; render at least 2× the target, then scale down.
  const density = Math.max(144, Math.ceil((size * 2 * 72) / 512))
  execFileSync('convert', ['-background', 'none', '-density', String(density), source, '-resize', `${size}x${size}`, ...PNG_OPTS, `png32:${out}`])
}

function main() {
  try {
    execFileSync('convert', ['-version'], { stdio: 'ignore' })
  } catch {
    console.error('ImageMagick (`convert`) is needed: apt-get install imagemagick')
    process.exit(1)
  }
  const icons = join(build, 'icons')
  rmSync(icons, { recursive: true, force: true })
  mkdirSync(icons, { recursive: true })
  for (const size of LINUX_SIZES) render(size, join(icons, `${size}x${size}.png`))
  render(1024, join(build, 'icon.png'))
  // The .ico is assembled from PNGs rendered at each size (not one image scaled by the ICO coder).
  const parts = ICO_SIZES.map((size) => (LINUX_SIZES.includes(size) ? join(icons, `${size}x${size}.png`) : null))
  if (parts.includes(null)) throw new Error('every ICO size must also be a Linux size')
  execFileSync('convert', [...parts, '-strip', join(build, 'icon.ico')])
  console.log(`Wrote build/icons/{${LINUX_SIZES.map((s) => `${s}x${s}`).join(',')}}.png, build/icon.png and build/icon.ico`)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main()
