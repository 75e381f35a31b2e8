/**
 * Tells a keyboard-wedge reader's burst from a person typing, and decodes it by physical key.
 * Pure (no DOM): key events in, decisions out; `useKeyboardWedge` wires it to the window.
 *
 * - A burst is at least `minLength` decodable keys ended by Enter or Tab, their gaps `maxGapMs`
 *   or less at the median. No person types like that; every reader does. Once a few keys have
 *   come that fast, one late key (a busy machine delivering events in a clump) is tolerated up to
 *   `stallGapMs`; before that, a key later than `maxGapMs` ends the burst.
 * - A burst that starts within `stallGapMs` of a reader-like start it was cut from (fast keys,
 *   or one key out of silence) may be a reader's number missing its first digits: it is
 *   swallowed and read as nothing (the cashier scans again), never as a shorter number. A
 *   person's typing just before a scan (keys slower than a reader) does not spoil the scan.
 * - Keys are decoded by `KeyboardEvent.code` (the physical key, as the reader's US-layout HID
 *   usage names it), so the OS layout (Danish, US, French…) never changes the number.
 * - In a text field, a decodable key is *held* (its default prevented) until it is known whether
 *   it starts a burst. A burst is swallowed whole and never lands in the field; keys that turn
 *   out to be a person's are given back (`release`) in order, as they were typed.
 */

export interface KeyInput {
  code: string
  /** What the OS layout made of the key: given back to the field when a person typed it. */
  key: string
  shiftKey: boolean
  ctrlKey: boolean
  altKey: boolean
  metaKey: boolean
  repeat: boolean
  isComposing: boolean
  /** ms, from the event (performance.now's time base). */
  timeStamp: number
  /** The key went to a text field (input, textarea, contenteditable). */
  editable: boolean
}

/** pass: let the key do what it does. hold: prevent it for now (may be released). swallow: prevent it for good. */
export type KeyDecision = 'pass' | 'hold' | 'swallow'

export interface HeldKey<T> {
  key: string
  target: T
}

export interface WedgeOptions<T> {
  onScan: (text: string) => void
  /** Keys held in a field that a person typed: put them into their field, in this order. */
  release: (keys: HeldKey<T>[]) => void
  maxGapMs?: number
  stallGapMs?: number
  minLength?: number
  maxLength?: number
}

export const WEDGE_MAX_GAP_MS = 50
export const WEDGE_STALL_GAP_MS = 300
export const WEDGE_MIN_LENGTH = 4
const MODIFIERS = new Set(['ShiftLeft', 'ShiftRight', 'CapsLock'])
const TERMINATORS = new Set(['Enter', 'NumpadEnter', 'Tab'])

const SHIFTED_SENTINELS: Record<string, string> = { Digit5: '%', Digit6: '^', Slash: '?' }
const SENTINELS: Record<string, string> = { Semicolon: ';', Equal: '=', Slash: '/', Space: ' ' }

/** The character a reader means by this physical key (shift as given), or null. */
export function codeChar(code: string, shift: boolean): string | null {
  let m = /^Key([A-Z])$/.exec(code)
  if (m) return m[1] ?? null // card numbers are upper case, shifted or not
  // Magstripe track sentinels and separators (US layout, as the reader sends them): % ^ ? ; = /
  if (shift) return SHIFTED_SENTINELS[code] ?? null // other shifted digits are symbols no card holds
  m = /^(?:Digit|Numpad)([0-9])$/.exec(code)
  if (m) return m[1] ?? null
  if (code === 'Minus' || code === 'NumpadSubtract') return '-'
  return SENTINELS[code] ?? null
}


export class WedgeDetector<T> {
  private text = ''
  private held: HeldKey<T>[] = []
  private lastAt: number | null = null
  private gaps: number[] = []
  /** The last decodable key of a sequence that did not end as a burst (for the cut-burst rule). */
  private lastLooseKeyAt: number | null = null
  /** That sequence looked like the start of a reader's burst. */
  private looseReaderLike = false
  /** The last decodable key of any sequence, and whether this sequence began out of silence. */
  private prevKeyAt: number | null = null
  private startIsolated = false
  private cut = false
  private readonly maxGapMs: number
  private readonly stallGapMs: number
  private readonly minLength: number
  private readonly maxLength: number

  constructor(private readonly options: WedgeOptions<T>) {
    this.maxGapMs = options.maxGapMs ?? WEDGE_MAX_GAP_MS
    this.stallGapMs = options.stallGapMs ?? WEDGE_STALL_GAP_MS
    this.minLength = options.minLength ?? WEDGE_MIN_LENGTH
    this.maxLength = options.maxLength ?? 64
  }

  /** True while keys are held waiting (the caller arms a timer to call `idle`). */
  get holding(): boolean {
    return this.held.length > 0
  }

  /** How long the next key may take to still belong to this burst. */
  get gapMs(): number {
    return this.fast() ? this.stallGapMs : this.maxGapMs
  }

  /** At least two gaps so far, and at the median as fast as a reader. */
  private fast(): boolean {
    if (this.gaps.length < 2) return false
    const sorted = [...this.gaps].sort((a, b) => a - b)
    return (sorted[Math.floor((sorted.length - 1) / 2)] ?? Infinity) <= this.maxGapMs
  }

  keydown(e: KeyInput, target: T): KeyDecision {
    if (MODIFIERS.has(e.code)) return 'pass'
    if (this.lastAt !== null && e.timeStamp - this.lastAt > this.gapMs) this.giveBack()
    if (e.isComposing || e.ctrlKey || e.altKey || e.metaKey || e.repeat) {
      this.giveBack()
      return 'pass'
    }
    if (TERMINATORS.has(e.code)) {
      if (this.lastAt !== null) this.gaps.push(e.timeStamp - this.lastAt)
      if (this.text.length >= this.minLength && this.fast()) {
        const text = this.text
        const cut = this.cut
        this.reset()
        this.lastLooseKeyAt = null
        if (!cut) this.options.onScan(text)
        return 'swallow'
      }
      // A person's Enter: their held keys go into the field first, so the form sees them.
      this.giveBack()
      return 'pass'
    }
    const ch = codeChar(e.code, e.shiftKey)
    if (ch === null || this.text.length >= this.maxLength) {
      this.giveBack()
      return 'pass'
    }
    if (this.lastAt !== null) this.gaps.push(e.timeStamp - this.lastAt)
    else {
      this.cut = this.looseReaderLike && this.lastLooseKeyAt !== null && e.timeStamp - this.lastLooseKeyAt <= this.stallGapMs
      this.startIsolated = this.prevKeyAt === null || e.timeStamp - this.prevKeyAt > this.stallGapMs
    }
    this.prevKeyAt = e.timeStamp
    this.text += ch
    this.lastAt = e.timeStamp
    if (!e.editable) return 'pass' // nothing would land anywhere; only the burst's Enter is swallowed
    this.held.push({ key: e.key, target })
    return 'hold'
  }

  /** Time passes: keys older than the gap were a person's. */
  idle(now: number): void {
    if (this.lastAt !== null && now - this.lastAt > this.gapMs) this.giveBack()
  }

  private giveBack(): void {
    const held = this.held
    if (this.lastAt !== null) {
      this.lastLooseKeyAt = this.lastAt
      this.looseReaderLike = this.gaps.length === 0 ? this.startIsolated : this.gaps.every((g) => g <= this.maxGapMs)
    }
    this.reset()
    if (held.length > 0) this.options.release(held)
  }

  private reset(): void {
    this.text = ''
    this.held = []
    this.gaps = []
    this.lastAt = null
    this.cut = false
  }
}
