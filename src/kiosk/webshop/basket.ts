/**
 * The basket: pieces per product, for one account, canteen and day. Plain values in, new values
 * out (the view keeps one in a ref). The server's own bounds hold here too, so the parent never
 * builds a basket the server refuses as `basket-invalid`: 1 to 20 pieces a line, at most 50 lines,
 * and only products the menu has and the card may buy.
 */
import type { MenuProduct } from './types'

export const MAX_PIECES = 20
export const MAX_LINES = 50

/** productId -> pieces (always 1..MAX_PIECES; a product at 0 is not in it). */
export type Basket = Readonly<Record<string, number>>

export const EMPTY_BASKET: Basket = Object.freeze({})

export function piecesOf(basket: Basket, productId: string): number {
  return basket[productId] ?? 0
}

/** One more piece, unless the product may not be bought or a bound is reached (then the same basket). */
export function addPiece(basket: Basket, product: MenuProduct): Basket {
  if (!product.permitted) return basket
  const now = piecesOf(basket, product.id)
  if (now >= MAX_PIECES) return basket
  if (now === 0 && Object.keys(basket).length >= MAX_LINES) return basket
  return { ...basket, [product.id]: now + 1 }
}

/** One piece less; the last one takes the line away. */
export function removePiece(basket: Basket, productId: string): Basket {
  const now = piecesOf(basket, productId)
  if (now === 0) return basket
  const { [productId]: _gone, ...rest } = basket
  return now === 1 ? rest : { ...basket, [productId]: now - 1 }
}

export interface BasketLine {
  product: MenuProduct
  quantity: number
  /** øre */
  amount: number
}

/**
 * The basket's lines against a menu, in the menu's order. A product the menu no longer has, or
 * that the card may no longer buy, is left out (the parent sees the basket the server would take).
 */
export function basketLines(basket: Basket, products: readonly MenuProduct[]): BasketLine[] {
  return products
    .filter((p) => p.permitted && piecesOf(basket, p.id) > 0)
    .map((p) => ({ product: p, quantity: piecesOf(basket, p.id), amount: p.price * piecesOf(basket, p.id) }))
}

/** What the order costs, in øre. */
export function basketTotal(lines: readonly BasketLine[]): number {
  return lines.reduce((sum, l) => sum + l.amount, 0)
}

export function pieceCount(lines: readonly BasketLine[]): number {
  return lines.reduce((sum, l) => sum + l.quantity, 0)
}

/** Keeps what the new menu (another day at the same canteen) still sells and the card may buy. */
export function pruneBasket(basket: Basket, products: readonly MenuProduct[]): Basket {
  const out: Record<string, number> = {}
  for (const l of basketLines(basket, products)) out[l.product.id] = l.quantity
  return out
}

/** The order's lines as the server takes them. */
export function orderLines(lines: readonly BasketLine[]): { productId: string; quantity: number }[] {
  return lines.map((l) => ({ productId: l.product.id, quantity: l.quantity }))
}
