import { onBeforeUnmount, onMounted } from 'vue'
import { WedgeDetector, type HeldKey, type KeyInput } from './wedge-detector'

function isEditable(target: EventTarget | null): target is HTMLElement {
  if (!(target instanceof HTMLElement)) return false
  if (target instanceof HTMLInputElement) return !['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color', 'file', 'image'].includes(target.type)
  return target.isContentEditable || target instanceof HTMLTextAreaElement
}

/** Puts a person's held keys into the field they were typed in, as typing would have. */
function insertText(target: EventTarget | null, text: string): void {
  if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement) {
    try {
      target.setRangeText(text, target.selectionStart ?? target.value.length, target.selectionEnd ?? target.value.length, 'end')
    } catch {
      target.value += text // input types without a selection (number, email)
    }
    target.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: text }))
  } else if (target instanceof HTMLElement && target.isContentEditable) {
    target.ownerDocument.execCommand('insertText', false, text)
  }
}

function release(keys: HeldKey<EventTarget | null>[]): void {
  let run = ''
  let target: EventTarget | null = null
  for (const k of keys) {
    if (k.target !== target && run) {
      insertText(target, run)
      run = ''
    }
    target = k.target
    run += k.key
  }
  if (run) insertText(target, run)
}

/**
 * Screens that listen, innermost last: only the newest (a dialog over the cashier screen) reads a
 * burst, so one card is never read twice.
 */
const listening: object[] = []

/**
 * The keyboard-wedge reader: catches a reader's burst of keys wherever focus is (in the card
 * field, another field, on a product tile), decodes it by physical key and hands it to `onScan`.
 * The burst never lands in the focused field and its Enter presses nothing. See wedge-detector.ts.
 */
export function useKeyboardWedge(onScan: (text: string) => void): void {
  const me = {}
  const detector = new WedgeDetector<EventTarget | null>({ onScan, release })
  let timer: ReturnType<typeof setTimeout> | null = null

  function arm(): void {
    if (timer !== null) clearTimeout(timer)
    timer = null
    if (!detector.holding) return
    timer = setTimeout(() => {
      timer = null
      detector.idle(performance.now())
    }, detector.gapMs + 5)
  }

  function onKeydown(e: KeyboardEvent): void {
    if (listening.at(-1) !== me) return
    const input: KeyInput = {
      code: e.code,
      key: e.key,
      shiftKey: e.shiftKey,
      ctrlKey: e.ctrlKey,
      altKey: e.altKey,
      metaKey: e.metaKey,
      repeat: e.repeat,
      isComposing: e.isComposing,
      timeStamp: e.timeStamp,
      editable: isEditable(e.target),
    }
    const decision = detector.keydown(input, e.target)
    if (decision !== 'pass') {
      e.preventDefault()
      if (decision === 'swallow') e.stopPropagation()
    }
    arm()
  }

  onMounted(() => {
    listening.push(me)
    window.addEventListener('keydown', onKeydown, true)
  })
  onBeforeUnmount(() => {
    listening.splice(listening.indexOf(me), 1)
    window.removeEventListener('keydown', onKeydown, true)
    if (timer !== null) clearTimeout(timer)
  })
}
