import { describe, expect, it } from 'vitest'
import { preparationTable, type Preparation } from './preparation'

const row = (productId: string, name: string, quantity: number, handedOut = 0) => ({ productId, name, quantity, handedOut })

describe('the kitchen’s list as a table', () => {
  it('has a column per pickup time, "uden tidspunkt" last, 0 where a product is not ordered for a time, and columns that add up to the day', () => {
    const prep: Preparation = {
      day: '2026-03-02',
      orderCount: 4,
      products: [row('p-lunch', 'Frikadeller', 5, 2), row('p-milk', 'Minimælk', 7)],
      byPickupTime: [
        { pickupTime: '10:30', orderCount: 2, products: [row('p-lunch', 'Frikadeller', 3, 2), row('p-milk', 'Minimælk', 2)] },
        { pickupTime: '12:15', orderCount: 1, products: [row('p-lunch', 'Frikadeller', 2)] },
        { pickupTime: null, orderCount: 1, products: [row('p-milk', 'Minimælk', 5)] },
      ],
    }
    const t = preparationTable(prep)
    expect(t.columns).toEqual(['10:30', '12:15', null])
    expect(t.rows.map((r) => [r.name, r.perTime, r.quantity, r.handedOut])).toEqual([
      ['Frikadeller', [3, 2, 0], 5, 2],
      ['Minimælk', [2, 0, 5], 7, 0],
    ])
    expect(t.totals).toEqual({ perTime: [5, 2, 5], quantity: 12, handedOut: 2 })
    for (const r of t.rows) expect(r.perTime.reduce((a, b) => a + b, 0)).toBe(r.quantity)
  })

  it('is per day only when no order has a time', () => {
    const t = preparationTable({
      day: '2026-03-02',
      orderCount: 2,
      products: [row('p-lunch', 'Frikadeller', 4)],
      byPickupTime: [{ pickupTime: null, orderCount: 2, products: [row('p-lunch', 'Frikadeller', 4)] }],
    })
    expect(t.columns).toEqual([])
    expect(t.rows.map((r) => [r.name, r.perTime, r.quantity])).toEqual([['Frikadeller', [], 4]])
    expect(t.totals).toEqual({ perTime: [], quantity: 4, handedOut: 0 })
  })
})
