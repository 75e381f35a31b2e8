#!/usr/bin/env node
/**
 * Writes the till's two sounds (resources/sounds/*.wav), so they are ours and reproducible:
 * `node scripts/make-sounds.mjs`. The files are committed; the renderer bundles them.
 *
 * approved: two short rising tones (a friendly "ding-ding", 0.25 s).
 * refused:  two low, rough pulses (a "buzz-buzz", 0.4 s) that no one mistakes for the approval,
 *           also not by pitch alone: the rhythm and the timbre differ too.
 *
 * 16-bit mono PCM at 22 050 Hz, each note with a short fade in and out (no clicks), peaks at
 * about -6 dBFS: the till's volume setting scales them down, never up.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const RATE = 22050
const PEAK = 0.5

/** One note: `wave(phase)` in [-1, 1], `ms` long, faded over `fadeMs` at both ends. */
function note(freq, ms, wave, fadeMs = 8) {
  const n = Math.round((RATE * ms) / 1000)
  const fade = Math.round((RATE * fadeMs) / 1000)
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const env = Math.min(1, i / fade, (n - 1 - i) / fade)
    out[i] = PEAK * env * wave((freq * i) / RATE)
  }
  return out
}

const silence = (ms) => new Float64Array(Math.round((RATE * ms) / 1000))
const sine = (p) => Math.sin(2 * Math.PI * p)
/** A soft square: a few odd harmonics, rough but not harsh. */
const rough = (p) => (sine(p) + sine(3 * p) / 3 + sine(5 * p) / 5) / 1.3

function concat(parts) {
  const total = parts.reduce((s, p) => s + p.length, 0)
  const out = new Float64Array(total)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

function wav(samples) {
  const data = Buffer.alloc(samples.length * 2)
  samples.forEach((s, i) => data.writeInt16LE(Math.round(Math.max(-1, Math.min(1, s)) * 32767), i * 2))
  const head = Buffer.alloc(44)
  head.write('RIFF', 0, 'ascii')
  head.writeUInt32LE(36 + data.length, 4)
  head.write('WAVE', 8, 'ascii')
  head.write('fmt ', 12, 'ascii')
  head.writeUInt32LE(16, 16) // fmt chunk size
  head.writeUInt16LE(1, 20) // PCM
  head.writeUInt16LE(1, 22) // mono
  head.writeUInt32LE(RATE, 24)
  head.writeUInt32LE(RATE * 2, 28) // byte rate
  head.writeUInt16LE(2, 32) // block align
  head.writeUInt16LE(16, 34) // bits per sample
  head.write('data', 36, 'ascii')
  head.writeUInt32LE(data.length, 40)
  return Buffer.concat([head, data])
}

export const SOUNDS = {
  approved: () => concat([note(1046.5, 110, sine), silence(20), note(1568, 130, sine)]),
  refused: () => concat([note(196, 160, rough), silence(70), note(185, 170, rough)]),
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'resources', 'sounds')
  mkdirSync(dir, { recursive: true })
  for (const [name, make] of Object.entries(SOUNDS)) {
    const file = join(dir, `${name}.wav`)
    writeFileSync(file, wav(make()))
    console.log(`wrote ${file}`)
  }
}
