import { scryptSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { parsePinHash } from '../../domain/pin-hash'
import { hashPin } from '../../server/platform/crypto'
import { verifyPin } from './pin'

/** A hash in the form the server made before the cost was stored with it. */
function legacyHash(pin: string): string {
  const salt = Buffer.from('0123456789abcdef')
  return `scrypt$${salt.toString('base64')}$${scryptSync(pin, salt, 32, { N: 16384, r: 8, p: 1 }).toString('base64')}`
}

describe('a till checks a PIN against the hash the server sent', () => {
  it('checks a hash made at a raised cost: the cost travels with the hash, nobody is locked out', async () => {
    const stronger = await hashPin('4711', { N: 32768, r: 8, p: 2, keylen: 32 })
    expect(parsePinHash(stronger)).toMatchObject({ N: 32768, r: 8, p: 2 })
    expect(await verifyPin('4711', stronger)).toBe(true)
    expect(await verifyPin('4712', stronger)).toBe(false)
  })

  it('still checks the old three-part hashes with the old cost', async () => {
    expect(await verifyPin('1234', legacyHash('1234'))).toBe(true)
    expect(await verifyPin('0000', legacyHash('1234'))).toBe(false)
  })

  it('refuses a hash that asks for an absurd cost or is malformed, instead of trying it', async () => {
    const h = parsePinHash(await hashPin('1234'))!
    expect(await verifyPin('1234', `scrypt$${2 ** 30}$8$1$${h.salt}$${h.hash}`)).toBe(false)
    expect(await verifyPin('1234', `scrypt$1000$8$1$${h.salt}$${h.hash}`)).toBe(false)
    expect(await verifyPin('1234', 'bcrypt$xyz')).toBe(false)
    expect(await verifyPin('1234', `scrypt$16384$8$${h.salt}$${h.hash}`)).toBe(false)
  })
})
