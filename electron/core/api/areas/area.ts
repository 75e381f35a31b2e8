/**
 * What an area of the RPC contract declares: its method names, each with the zod schema its
 * argument must pass where the call enters the core. The result types sit beside them, in the
 * area's file, as one interface per area.
 */
import { z } from 'zod'

export interface MethodSpec {
  input: z.ZodType
}
export type AreaMethods = Record<string, MethodSpec>

type Joined<T extends readonly unknown[]> = T extends readonly [infer Head, ...infer Rest] ? Head & Joined<Rest> : unknown

/**
 * Joins the areas into the one contract. A method name declared by two areas is a programming
 * error that would let one area's handler silently shadow the other's, so it stops the start.
 */
export function joinAreas<const T extends readonly AreaMethods[]>(...areas: T): Joined<T> {
  const joined: AreaMethods = {}
  for (const area of areas) {
    for (const [name, spec] of Object.entries(area)) {
      if (Object.prototype.hasOwnProperty.call(joined, name)) throw new Error(`RPC method ${name} is declared by two areas`)
      joined[name] = spec
    }
  }
  return joined as Joined<T>
}

/** Shared argument shapes. */
export const noArgs = z.object({}).strict()
export const cardNumber = z.string().trim().min(1).max(40)
export const id = z.string().min(1).max(64)
