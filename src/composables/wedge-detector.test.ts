import { describe, expect, it } from 'vitest'
import { codeChar, WedgeDetector, type HeldKey, type KeyDecision, type KeyInput } from './wedge-detector'

type Recorded = [code: string, key: string, shift: boolean, at: number]

/**
 * A reader typing DEMO-0001 + Enter, as Chromium reported it on a US and on a Danish layout
 * (the reader sends Shift for capitals; its keys are about 8 ms apart). On the Danish layout
 * the reader's "-" key (code Minus) is '+': the layout changes `key`, never `code`.
 */
const US: Recorded[] = [
  ['ShiftLeft', 'Shift', true, 0], ['KeyD', 'D', true, 2], ['KeyE', 'E', true, 10], ['KeyM', 'M', true, 18], ['KeyO', 'O', true, 26],
  ['Minus', '-', false, 34], ['Digit0', '0', false, 42], ['Digit0', '0', false, 50], ['Digit0', '0', false, 58], ['Digit1', '1', false, 66], ['Enter', 'Enter', false, 74],
]
const DANISH: Recorded[] = [
  ['ShiftLeft', 'Shift', true, 0], ['KeyD', 'D', true, 3], ['KeyE', 'E', true, 11], ['KeyM', 'M', true, 19], ['KeyO', 'O', true, 27],
  ['Minus', '+', false, 35], ['Digit0', '0', false, 43], ['Digit0', '0', false, 51], ['Digit0', '0', false, 59], ['Digit1', '1', false, 67], ['Enter', 'Enter', false, 75],
]
/** The same reader on a French AZERTY layout: the reader's M is '?' there and its digits '&', 'à'… */
const FRENCH: Recorded[] = [
  ['ShiftLeft', 'Shift', true, 0], ['KeyD', 'D', true, 2], ['KeyE', 'E', true, 9], ['KeyM', '?', true, 16], ['KeyO', 'O', true, 23],
  ['Digit0', 'à', false, 30], ['Digit0', 'à', false, 37], ['Digit0', 'à', false, 44], ['Digit1', '&', false, 51], ['Enter', 'Enter', false, 58],
]

/** A number typed as a reader types it on a layout where `code` gives `key`. */
function typedByReader(text: string, layout: (code: string, shift: boolean) => string, start = 1000, stepMs = 6): Recorded[] {
  const out: Recorded[] = []
  let at = start
  for (const ch of text) {
    const code = /[A-Z]/.test(ch) ? `Key${ch}` : /[0-9]/.test(ch) ? `Digit${ch}` : ch === '-' ? 'Minus' : 'Enter'
    const shift = /[A-Z]/.test(ch)
    out.push([code, code === 'Enter' ? 'Enter' : layout(code, shift), shift, at])
    at += stepMs
  }
  return out
}
const usLayout = (code: string, shift: boolean) => (code === 'Minus' ? '-' : code.startsWith('Key') ? (shift ? code[3] : code[3]?.toLowerCase()) ?? '' : code.slice(5))
const danishLayout = (code: string, shift: boolean) => (code === 'Minus' ? '+' : usLayout(code, shift))

function event([code, key, shift, at]: Recorded, editable: boolean): KeyInput {
  return { code, key, shiftKey: shift, ctrlKey: false, altKey: false, metaKey: false, repeat: false, isComposing: false, timeStamp: at, editable }
}

function run(sequence: Recorded[], editable = true, target = 'field') {
  const scans: string[] = []
  const released: HeldKey<string>[][] = []
  const detector = new WedgeDetector<string>({ onScan: (t) => scans.push(t), release: (k) => released.push(k) })
  const decisions: KeyDecision[] = sequence.map((r) => detector.keydown(event(r, editable), target))
  return { scans, released, decisions, detector }
}

describe('the keyboard-wedge detector', () => {
  it('reads the same number from the US, Danish and French layouts', () => {
    for (const [name, seq] of [['US', US], ['Danish', DANISH]] as const) expect(run(seq).scans, name).toEqual(['DEMO-0001'])
    expect(run(FRENCH).scans).toEqual(['DEMO0001'])
  })

  it('every demo card and barcode typed through US and Danish layouts gives the same text', () => {
    for (const number of ['DEMO0001', '0012345678', '5793101433680', '73513537', 'AB12CD34EF']) {
      expect(run(typedByReader(`${number}\n`, usLayout)).scans).toEqual([number])
      expect(run(typedByReader(`${number}\n`, danishLayout)).scans).toEqual([number])
    }
  })

  it('swallows the whole burst inside a focused field: nothing lands there, its Enter presses nothing', () => {
    const { decisions, released } = run(US, true)
    expect(decisions.slice(1, -1).every((d) => d === 'hold')).toBe(true)
    expect(decisions.at(-1)).toBe('swallow')
    expect(released).toEqual([])
  })

  it('outside a field lets the keys pass and swallows only the Enter', () => {
    const { decisions, scans } = run(US, false, 'tile')
    expect(scans).toEqual(['DEMO-0001'])
    expect(decisions.slice(0, -1).every((d) => d === 'pass')).toBe(true)
    expect(decisions.at(-1)).toBe('swallow')
  })

  it("gives a person's typing back to the field, in order, and lets their Enter submit", () => {
    // A person types 4711 and Enter, about 150 ms a key.
    const person = typedByReader('4711\n', usLayout, 0, 150)
    const scans: string[] = []
    const released: string[] = []
    const detector = new WedgeDetector<string>({ onScan: (t) => scans.push(t), release: (k) => released.push(k.map((x) => x.key).join('')) })
    const decisions: KeyDecision[] = []
    for (const r of person) {
      detector.idle(r[3]) // the composable's timer
      decisions.push(detector.keydown(event(r, true), 'field'))
    }
    expect(scans).toEqual([])
    expect(released).toEqual(['4', '7', '1', '1'])
    expect(decisions.at(-1)).toBe('pass')
  })

  it('a fast person with a short entry is not a reader: the keys come back before their Enter passes', () => {
    const quick = typedByReader('12\n', usLayout, 0, 20)
    const { scans, released, decisions } = run(quick)
    expect(scans).toEqual([])
    expect(released.map((k) => k.map((x) => x.key).join(''))).toEqual(['12'])
    expect(decisions).toEqual(['hold', 'hold', 'pass'])
  })

  it('tolerates a late key of a busy machine once the burst is clearly a reader (recorded under load)', () => {
    // Chromium's keydown times for 5793101433680 + Enter on a loaded 2-core test machine.
    const times = [2730, 2739, 2747, 2758, 2769, 2957, 3037, 3049, 3056, 3074, 3133, 3141, 3147, 3195]
    const codes = [...'5793101433680'].map((d) => `Digit${d}`).concat('Enter')
    const seq: Recorded[] = codes.map((code, i) => [code, code === 'Enter' ? 'Enter' : code.slice(5), false, times[i] ?? 0])
    const scans: string[] = []
    const detector = new WedgeDetector<string>({ onScan: (t) => scans.push(t), release: () => {} })
    for (const r of seq) {
      detector.idle(r[3] - 1) // the composable's timer never fires before the next key here
      detector.keydown(event(r, true), 'field')
    }
    expect(scans).toEqual(['5793101433680'])
  })

  it('gives a person no stall tolerance: their first slow key is theirs at once', () => {
    const released: string[] = []
    const detector = new WedgeDetector<string>({ onScan: () => {}, release: (k) => released.push(k.map((x) => x.key).join('')) })
    expect(detector.keydown(event(['Digit1', '1', false, 0], true), 'field')).toBe('hold')
    expect(detector.gapMs).toBe(50)
    detector.idle(60)
    expect(released).toEqual(['1'])
  })

  it('a burst cut short by a stall never reads as a shorter number', () => {
    const first = typedByReader('57', usLayout, 0, 8)
    const rest = typedByReader('93101433680\n', usLayout, 8 + 120, 8)
    const { scans, released, decisions } = run([...first, ...rest])
    expect(scans).toEqual([])
    expect(released.map((k) => k.map((x) => x.key).join(''))).toEqual(['57'])
    expect(decisions.at(-1)).toBe('swallow')
  })

  it('a burst stalled after its first key reads as nothing, not as the number without it', () => {
    const seq: Recorded[] = [['Digit5', '5', false, 0], ...typedByReader('793101433680\n', usLayout, 190, 8)]
    expect(run(seq).scans).toEqual([])
  })

  it("a person's typing just before a scan does not spoil the scan", () => {
    const person = typedByReader('DEMO', usLayout, 0, 150)
    const scan = typedByReader('5793101433680\n', usLayout, 450 + 100, 8)
    const scans: string[] = []
    const detector = new WedgeDetector<string>({ onScan: (t) => scans.push(t), release: () => {} })
    for (const r of [...person, ...scan]) {
      detector.idle(r[3])
      detector.keydown(event(r, true), 'field')
    }
    expect(scans).toEqual(['5793101433680'])
  })

  it('a gap in the middle ends the burst: the first part was a person, the rest is the read', () => {
    const first = typedByReader('99', usLayout, 0, 5)
    const rest = typedByReader('DEMO0002\n', usLayout, 500, 5)
    const { scans, released } = run([...first, ...rest])
    expect(released.map((k) => k.map((x) => x.key).join(''))).toEqual(['99'])
    expect(scans).toEqual(['DEMO0002'])
  })

  it('a held key (auto-repeat), Ctrl or an unknown key breaks a burst and emits nothing', () => {
    const held = run(typedByReader('12', usLayout))
    expect(held.detector.keydown({ ...event(['Digit2', '2', false, 1012], true), repeat: true }, 'field')).toBe('pass')
    const ctrl = run([...typedByReader('12', usLayout)])
    expect(ctrl.detector.keydown({ ...event(['KeyV', 'v', false, 1012], true), ctrlKey: true }, 'field')).toBe('pass')
    expect(ctrl.released.map((k) => k.map((x) => x.key).join(''))).toEqual(['12'])
    const shiftedDigit = run([['Digit1', '1', false, 0], ['Digit2', '"', true, 5], ['Digit3', '3', false, 10], ['Digit4', '4', false, 15], ['Digit5', '5', false, 20], ['Enter', 'Enter', false, 25]])
    expect(shiftedDigit.scans).toEqual([])
  })

  it('reads a magstripe swipe through the Danish layout, where ; = ? are other keys', () => {
    // On a Danish layout the reader's ';' (Semicolon) shows as 'æ', '=' (Equal) as '´', '?' (Shift+Slash) as '_'.
    const seq: Recorded[] = [['Semicolon', 'æ', false, 0], ...typedByReader('0012345678', danishLayout, 6, 6), ['Equal', '´', false, 66], ['ShiftLeft', 'Shift', true, 70], ['Slash', '_', true, 72], ['Enter', 'Enter', false, 78]]
    expect(run(seq).scans).toEqual([';0012345678=?'])
  })

  it('decodes by physical key: letters upper case, shifted digits are no digits', () => {
    expect(codeChar('KeyQ', false)).toBe('Q')
    expect(codeChar('KeyQ', true)).toBe('Q')
    expect(codeChar('Digit7', false)).toBe('7')
    expect(codeChar('Numpad7', false)).toBe('7')
    expect(codeChar('Digit7', true)).toBeNull()
    expect(codeChar('Period', false)).toBeNull()
    expect(codeChar('Backspace', false)).toBeNull()
  })
})
