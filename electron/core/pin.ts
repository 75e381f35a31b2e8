import { scrypt, timingSafeEqual } from 'node:crypto'
import { parsePinHash, scryptMaxmem } from '../../domain/pin-hash'
import type { StaffRow } from './store/staff'

/**
 * PINs are checked on the till, offline too, against the hash the server sent. The hash carries
 * its own scrypt cost (domain/pin-hash.ts). The till never holds a PIN.
 */
export function verifyPin(pin: string, stored: string): Promise<boolean> {
  const h = parsePinHash(stored)
  if (!h) return Promise.resolve(false)
  const expected = Buffer.from(h.hash, 'base64')
  return new Promise((resolve) => {
    scrypt(pin, Buffer.from(h.salt, 'base64'), expected.length, { N: h.N, r: h.r, p: h.p, maxmem: scryptMaxmem(h) }, (err, key) => {
      resolve(!err && key.length === expected.length && timingSafeEqual(key, expected))
    })
  })
}

/**
 * Everyone among `staff` whose PIN this is. The till signs in by PIN alone, so two colleagues of a
 * canteen with one PIN must not be told apart by the order of their names: the callers refuse
 * more than one (`pin-ambiguous`) instead of acting as whoever came first. The server refuses a
 * PIN a colleague already has (`pin-taken`), but cannot see a clash made by moving or reinstating
 * someone: it holds hashes, not PINs. Every hash is checked, as a wrong PIN checks them all anyway.
 */
export async function staffWithPin(pin: string, staff: readonly StaffRow[]): Promise<StaffRow[]> {
  const matches: StaffRow[] = []
  for (const s of staff) if (await verifyPin(pin, s.pinHash)) matches.push(s)
  return matches
}
