/**
 * The counter's two sounds: approved and refused (resources/sounds, made by
 * scripts/make-sounds.mjs). Whether they play and how loud is a till setting (RPC `app.settings`,
 * `app.sound.set`), shared by every screen of this page: one state, loaded once.
 */
import { readonly, ref } from 'vue'
import approvedUrl from '../../resources/sounds/approved.wav'
import refusedUrl from '../../resources/sounds/refused.wav'
import { api } from '../api'
import type { CounterSettings } from '../api'

export type SoundName = 'approved' | 'refused'
type SoundSettings = CounterSettings['sound']

const URLS: Record<SoundName, string> = { approved: approvedUrl, refused: refusedUrl }

/** How a sound is played; tests replace it (there is no audio device in Node). */
export const soundDeps: { play: (url: string, volume: number) => void } = {
  play(url, volume) {
    // No audio element (unit tests in Node): nothing to play.
    if (typeof Audio !== 'function') return
    const audio = new Audio(url)
    audio.volume = volume
    // A browser may refuse to play before the first user gesture: the sound is a courtesy, never a fault.
    audio.play().catch(() => {})
  },
}

const settings = ref<SoundSettings>({ on: true, volume: 70 })
const cashAllowed = ref(false)

function isSettings(v: unknown): v is CounterSettings {
  const s = v as CounterSettings | null
  return typeof s === 'object' && s !== null && typeof s.cashAllowed === 'boolean' && typeof s.sound?.on === 'boolean' && typeof s.sound.volume === 'number'
}

function take(v: unknown): void {
  if (!isSettings(v)) return
  settings.value = { ...v.sound }
  cashAllowed.value = v.cashAllowed
}

/** The counter's settings from the core (sounds, and whether guests may pay cash). */
export async function loadCounterSettings(): Promise<void> {
  try {
    take(await api.call('app.settings', {}))
  } catch {
    // Reported app-wide; the defaults stand until the core answers.
  }
}

export function useSounds() {
  function play(name: SoundName): void {
    const { on, volume } = settings.value
    if (!on || volume <= 0) return
    soundDeps.play(URLS[name], Math.min(1, volume / 100))
  }

  async function save(next: SoundSettings): Promise<void> {
    take(await api.call('app.sound.set', next))
  }

  return { settings: readonly(settings), cashAllowed: readonly(cashAllowed), play, save, load: loadCounterSettings }
}
