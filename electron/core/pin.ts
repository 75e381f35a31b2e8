import { scrypt, timingSafeEqual } from 'node:crypto'

/**
 * PINs are checked on the till, offline too, against the hash the server sent
 * (`scrypt$<salt b64>$<hash b64>`, N=16384, 32 bytes). The till never holds a PIN.
 */
export function verifyPin(pin: string, stored: string): Promise<boolean> {
  const [scheme, salt, hash] = stored.split('$')
  if (scheme !== 'scrypt' || !salt || !hash) return Promise.resolve(false)
  const expected = Buffer.from(hash, 'base64')
  return new Promise((resolve) => {
    scrypt(pin, Buffer.from(salt, 'base64'), expected.length, { N: 16384, r: 8, p: 1 }, (err, key) => {
      resolve(!err && key.length === expected.length && timingSafeEqual(key, expected))
    })
  })
}
