/**
 * The hash a stored answer keeps of what it answered (mutation_results.payload_hash): sha256 of
 * the mutation's kind and payload as canonical JSON (object keys sorted at every level), so the
 * same mutation re-sent with its keys in another order is still the same request, and anything
 * else is not.
 */
import { sha256Hex } from '../platform/crypto'

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

export function payloadHash(kind: string, payload: unknown): string {
  return sha256Hex(canonicalJson({ kind, payload }))
}
