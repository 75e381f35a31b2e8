import { describe, expect, it } from 'vitest'
import { addPiece, basketLines, basketTotal, EMPTY_BASKET, MAX_LINES, MAX_PIECES, orderLines, pieceCount, pruneBasket, removePiece, type Basket } from './basket'
import type { MenuProduct } from './types'

const p = (id: string, price: number, permitted = true): MenuProduct => ({ id, name: id, categoryId: 'c', price, permitted })
const lasagne = p('lasagne', 3500)
const sandwich = p('sandwich', 2850)
const cola = p('cola', 1500, false)

describe('the webshop basket', () => {
  it('adds pieces, totals them in øre and sends the lines in the menu order', () => {
    let b: Basket = EMPTY_BASKET
    b = addPiece(b, sandwich)
    b = addPiece(b, lasagne)
    b = addPiece(b, lasagne)
    const lines = basketLines(b, [lasagne, sandwich])
    expect(basketTotal(lines)).toBe(2 * 3500 + 2850)
    expect(pieceCount(lines)).toBe(3)
    expect(orderLines(lines)).toEqual([
      { productId: 'lasagne', quantity: 2 },
      { productId: 'sandwich', quantity: 1 },
    ])
  })

  it('does not take a product the card may not buy', () => {
    expect(addPiece(EMPTY_BASKET, cola)).toEqual({})
  })

  it('stops at 20 pieces of a product, as the server does', () => {
    let b: Basket = EMPTY_BASKET
    for (let i = 0; i < MAX_PIECES + 5; i++) b = addPiece(b, lasagne)
    expect(b.lasagne).toBe(MAX_PIECES)
  })

  it('stops at 50 different products', () => {
    let b: Basket = EMPTY_BASKET
    for (let i = 0; i < MAX_LINES + 3; i++) b = addPiece(b, p(`x${i}`, 100))
    expect(Object.keys(b)).toHaveLength(MAX_LINES)
  })

  it('takes a line away with its last piece', () => {
    let b = addPiece(addPiece(EMPTY_BASKET, lasagne), lasagne)
    b = removePiece(b, 'lasagne')
    expect(b).toEqual({ lasagne: 1 })
    b = removePiece(b, 'lasagne')
    expect(b).toEqual({})
    expect(removePiece(b, 'lasagne')).toBe(b)
  })

  it('keeps on another day only what that menu sells and the card may buy', () => {
    const b: Basket = { lasagne: 2, sandwich: 1, gone: 4 }
    expect(pruneBasket(b, [lasagne, p('sandwich', 2850, false)])).toEqual({ lasagne: 2 })
    expect(basketTotal(basketLines(b, [lasagne]))).toBe(7000)
  })
})
