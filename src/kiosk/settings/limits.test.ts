import { describe, expect, it } from 'vitest'
import { krFromOre, oreFromKr } from './limits'

describe('limits typed in kroner', () => {
  it('are sent as øre, an empty field as no limit', () => {
    expect(oreFromKr('75')).toBe(7500)
    expect(oreFromKr('0')).toBe(0)
    expect(oreFromKr('')).toBeNull()
    expect(oreFromKr('  ')).toBeNull()
  })

  it('show a limit in whole kroner and none as empty', () => {
    expect(krFromOre(7500)).toBe('75')
    expect(krFromOre(7550)).toBe('75')
    expect(krFromOre(null)).toBe('')
  })
})
