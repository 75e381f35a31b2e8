/**
 * When the kiosk forgets a parent who walked away: after a quiet spell (60 s unless the kiosk is
 * set otherwise) it counts down at least 20 s on screen with "Mere tid", then wipes: the session
 * ends on the server, storage is emptied and the page reloads to the start screen.
 */

export const DEFAULT_IDLE_SECONDS = 60
/** Long enough to read, walk back and tap "Mere tid" (WCAG 2.2.1 asks for at least 20 s). */
export const COUNTDOWN_SECONDS = 20
const MIN_IDLE_SECONDS = 1
const MAX_IDLE_SECONDS = 600

/**
 * The quiet spell: `?kioskIdle=<seconds>` on the page's address (tests and a school's own
 * setting through the kiosk's start address), else the kiosk's configured value, else 60 s.
 */
export function idleSeconds(search: string, configured?: unknown): number {
  const fromAddress = new URLSearchParams(search).get('kioskIdle')
  for (const candidate of [fromAddress === null ? undefined : Number(fromAddress), configured]) {
    if (typeof candidate === 'number' && Number.isInteger(candidate) && candidate >= MIN_IDLE_SECONDS && candidate <= MAX_IDLE_SECONDS) return candidate
  }
  return DEFAULT_IDLE_SECONDS
}

export type IdlePhase = { phase: 'active' } | { phase: 'countdown'; secondsLeft: number } | { phase: 'wipe' }

/** Where the kiosk stands `now`, given the last touch. */
export function idlePhase(now: number, lastTouchAt: number, idleMs: number, countdownMs: number = COUNTDOWN_SECONDS * 1000): IdlePhase {
  const quiet = Math.max(0, now - lastTouchAt)
  if (quiet < idleMs) return { phase: 'active' }
  const left = idleMs + countdownMs - quiet
  return left > 0 ? { phase: 'countdown', secondsLeft: Math.ceil(left / 1000) } : { phase: 'wipe' }
}
