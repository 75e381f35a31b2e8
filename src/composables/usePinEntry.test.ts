import { describe, expect, it } from 'vitest'
import { usePinEntry } from './usePinEntry'

describe('a PIN typed on the pad or the keyboard', () => {
  it('keeps digits only, at most the maximum, and tells the screen of every change', () => {
    let changes = 0
    const { pin, press, erase, onInput } = usePinEntry(4, () => changes++)
    for (const d of '12345') press(d)
    expect(pin.value).toBe('1234')
    erase()
    expect(pin.value).toBe('123')
    const field = { value: '9a8 7-65' }
    onInput({ target: field } as unknown as Event)
    expect(pin.value).toBe('9876')
    expect(field.value).toBe('9876')
    expect(changes).toBe(7)
  })
})
