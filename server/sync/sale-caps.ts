/**
 * Caps per sale, set per municipality in municipalities.settings (øre, and pieces per line); a
 * missing or malformed setting is the default (domain/checkout.ts DEFAULT_SALE_CAPS). The push
 * rejects a sale above them (apply-sale.ts), and each location's change row carries them, so a
 * till refuses such a basket instead of approving what the server then sets aside.
 */
import { z } from 'zod'
import { DEFAULT_SALE_CAPS } from '../../domain/checkout'

export const SaleCaps = z.object({
  maxSaleTotal: z.number().int().safe().min(0).catch(DEFAULT_SALE_CAPS.maxSaleTotal),
  maxLineQty: z.number().int().min(1).max(999).catch(DEFAULT_SALE_CAPS.maxLineQty),
})
export type SaleCaps = z.infer<typeof SaleCaps>

export const saleCapsOf = (settings: unknown): SaleCaps => SaleCaps.catch(SaleCaps.parse({})).parse(settings ?? {})
