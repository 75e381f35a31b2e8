import { onBeforeUnmount, onMounted } from 'vue'

/** A USB card or barcode reader "types" a whole number in a few milliseconds, then Enter. */
const MAX_GAP_MS = 60
const MIN_LENGTH = 4

function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  return target.isContentEditable || target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement
}

/**
 * Catches a reader's burst of keys when focus is not in a text field (say, on a product tile the
 * cashier just tapped), so the card still arrives. Typing in a field is left to the field.
 * The burst's Enter is swallowed, so it does not also press the focused button.
 */
export function useKeyboardWedge(onScan: (text: string) => void): void {
  let buffer = ''
  let lastAt = 0

  function onKeydown(e: KeyboardEvent): void {
    if (isEditable(e.target) || e.altKey || e.ctrlKey || e.metaKey) return
    const now = performance.now()
    if (now - lastAt > MAX_GAP_MS) buffer = ''
    lastAt = now
    if (e.key === 'Enter') {
      if (buffer.length >= MIN_LENGTH) {
        e.preventDefault()
        e.stopPropagation()
        const text = buffer
        buffer = ''
        onScan(text)
      }
      buffer = ''
      return
    }
    if (e.key.length === 1) buffer += e.key
  }

  onMounted(() => window.addEventListener('keydown', onKeydown, true))
  onBeforeUnmount(() => window.removeEventListener('keydown', onKeydown, true))
}
