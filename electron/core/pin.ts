import { scrypt, timingSafeEqual } from 'node:crypto'
import { parsePinHash, scryptMaxmem } from '../../domain/pin-hash'

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
