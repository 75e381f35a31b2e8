/**
 * A PIN typed on the pad or the keyboard: digits only, at most `max`. Shared by the sign-in screen
 * and the void dialog. `onTyped` runs on every change (a screen clears a "wrong PIN" message there).
 */
import { ref } from 'vue'

export function usePinEntry(max: number, onTyped: () => void = () => {}) {
  const pin = ref('')

  function press(digit: string): void {
    onTyped()
    if (pin.value.length < max) pin.value += digit
  }

  function erase(): void {
    onTyped()
    pin.value = pin.value.slice(0, -1)
  }

  /** Typing into the field: whatever lands there is cut to its digits, at most `max`. */
  function onInput(e: Event): void {
    const el = e.target as HTMLInputElement
    const digits = el.value.replace(/\D/g, '').slice(0, max)
    el.value = digits
    pin.value = digits
    onTyped()
  }

  return { pin, press, erase, onInput }
}
