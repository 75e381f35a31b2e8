import { z } from 'zod'
import { describe, expect, it } from 'vitest'
import { joinAreas } from './areas/area'
import { saleMethods } from './areas/sale'
import { methods } from './contract'
import { joinHandlers } from '../handlers'

describe('the contract is joined from one file per area', () => {
  it('holds every area’s methods', () => {
    expect(Object.keys(methods)).toEqual(expect.arrayContaining(['app.info', 'staff.signIn', 'catalog.get', 'card.lookup', 'sale.record', 'sale.outcome', 'sync.now', 'reader.simulate']))
  })

  it('refuses to start when two areas declare the same method', () => {
    const checkout = { 'sale.record': { input: z.object({}).strict() } }
    expect(() => joinAreas(saleMethods, checkout)).toThrow('RPC method sale.record is declared by two areas')
  })

  it('refuses to start when two areas handle the same method', () => {
    expect(() => joinHandlers({ 'sale.record': () => 1 }, { 'sale.record': () => 2 })).toThrow('RPC method sale.record has two handlers')
  })
})
