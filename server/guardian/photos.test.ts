import { createHash, randomBytes } from 'node:crypto'
import { crc32 } from 'node:zlib'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { AccountData, PROTOCOL_VERSION, SCHEMA_VERSION } from '../../domain/sync'
import { api, BOB_PHOTO, pullAll, signInGuardian } from '../../test/support/server'
import { serverSuite } from '../../test/support/server-suite'
import { MAX_IMAGE_BYTES, MAX_INPUT_PIXELS } from './photos'

const s = serverSuite({ guardian: { identity: 'simulated' }, rateLimits: false })

async function anna() {
  const { f, till } = await s.canteen()
  const guardianId = f.data.guardians[0]!.id
  const token = await signInGuardian(s.server, guardianId)
  return { f, till, token, guardianId }
}

const RED = { r: 255, g: 0, b: 0 }
const BLUE = { r: 0, g: 0, b: 255 }

/** A picture whose left half is red and right half blue (as stored: before any EXIF orientation). */
async function halves(width: number, height: number, format: 'png' | 'jpeg' | 'webp' | 'gif' = 'png', orientation?: number): Promise<Buffer> {
  const left = await sharp({ create: { width: width / 2, height, channels: 3, background: RED } })
    .png()
    .toBuffer()
  let image = sharp({ create: { width, height, channels: 3, background: BLUE } }).composite([{ input: left, left: 0, top: 0 }])
  if (orientation) image = image.withMetadata({ orientation, exif: { IFD0: { Copyright: 'Anna’s phone', Artist: 'secret-serial-1234' } } })
  return image[format]().toBuffer()
}

const dataUrl = (bytes: Buffer, type = 'image/png') => `data:${type};base64,${bytes.toString('base64')}`

/** The colour in the middle of a stored photo. */
async function centre(url: string) {
  const bytes = Buffer.from(url.slice(url.indexOf(',') + 1), 'base64')
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true })
  const i = (Math.floor(info.height / 2) * info.width + Math.floor(info.width / 2)) * info.channels
  return { r: data[i]!, g: data[i + 1]!, b: data[i + 2]! }
}

const isRed = (c: { r: number; g: number; b: number }) => c.r > 200 && c.g < 60 && c.b < 60
const isBlue = (c: { r: number; g: number; b: number }) => c.b > 200 && c.r < 60 && c.g < 60

async function holderPhoto(accountId: string) {
  const { rows } = await s.db.query<{ photo: string | null; photo_id: string | null }>(
    'SELECT h.photo, h.photo_id FROM accounts a JOIN holders h ON h.id = a.holder_id WHERE a.id = $1',
    [accountId],
  )
  return rows[0]!
}

async function counts(accountId: string) {
  const { rows } = await s.db.query<{ changes: number; audit: number }>(
    `SELECT (SELECT count(*)::int FROM changes WHERE entity = 'account' AND entity_id = $1) AS changes,
            (SELECT count(*)::int FROM audit_log WHERE entity = 'account' AND entity_id = $1) AS audit`,
    [accountId],
  )
  return rows[0]!
}

describe('a guardian sets the child’s photo', () => {
  it('stores a 480×480 JPEG without metadata, names it by id in the account and its change row, and a till fetches it by that id', async () => {
    const { f, till, token, guardianId } = await anna()
    const png = await halves(800, 600)
    const r = await api(s.server, 'PUT', `/guardian/accounts/${f.alice.accountId}/photo`, { token, body: { image: dataUrl(png) } })
    expect(r.status).toBe(200)
    const photoId = r.body.photoId as string
    expect(photoId).toMatch(/^[0-9a-f]{64}$/)
    expect(r.body).toMatchObject({ id: f.alice.accountId, holderName: 'Alice Andersen', balance: 10000 })

    const got = await api(s.server, 'GET', `/guardian/accounts/${f.alice.accountId}/photo`, { token })
    expect(got.status).toBe(200)
    expect(got.body.photoId).toBe(photoId)
    expect(got.body.dataUrl).toMatch(/^data:image\/jpeg;base64,/)
    expect(createHash('sha256').update(got.body.dataUrl).digest('hex')).toBe(photoId)
    const meta = await sharp(Buffer.from(got.body.dataUrl.split(',')[1], 'base64')).metadata()
    expect(meta).toMatchObject({ format: 'jpeg', width: 480, height: 480 })
    expect(meta.exif).toBeUndefined()

    const pulled = await pullAll(s.server, till)
    const last = pulled.changes.filter((c) => c.entity === 'account' && c.id === f.alice.accountId).at(-1)
    expect(last && 'data' in last ? last.data : null).toMatchObject({ photoId, balance: 10000 })
    const served = await api(s.server, 'GET', `/sync/photos/${photoId}?protocol=${PROTOCOL_VERSION}&schema=${SCHEMA_VERSION}`, { token: till.token })
    expect(served).toEqual({ status: 200, body: { id: photoId, data: got.body.dataUrl } })

    const audit = await s.db.query<{ actor: string; action: string; details: unknown }>(
      `SELECT actor, action, details FROM audit_log WHERE entity = 'account' AND entity_id = $1 AND action LIKE 'account.photo%'`,
      [f.alice.accountId],
    )
    expect(audit.rows).toEqual([{ actor: `guardian:${guardianId}`, action: 'account.photo', details: { photoId } }])
  })

  it('crops the centre square by default, or the square asked for', async () => {
    const { f, token } = await anna()
    // 600×200, left half red, right half blue: the centre square straddles both.
    const png = await halves(600, 200)
    const left = await api(s.server, 'PUT', `/guardian/accounts/${f.alice.accountId}/photo`, { token, body: { image: dataUrl(png), crop: { x: 0, y: 0, size: 200 } } })
    expect(left.status).toBe(200)
    expect(isRed(await centre((await holderPhoto(f.alice.accountId)).photo!))).toBe(true)
    const right = await api(s.server, 'PUT', `/guardian/accounts/${f.alice.accountId}/photo`, { token, body: { image: dataUrl(png), crop: { x: 400, y: 0, size: 200 } } })
    expect(isBlue(await centre((await holderPhoto(f.alice.accountId)).photo!))).toBe(true)
    expect(right.body.photoId).not.toBe(left.body.photoId)
    // Plain base64 works as well as a data: URL.
    const plain = await api(s.server, 'PUT', `/guardian/accounts/${f.alice.accountId}/photo`, { token, body: { image: png.toString('base64') } })
    expect(plain.status).toBe(200)
    const stored = (await holderPhoto(f.alice.accountId)).photo!
    const { data, info } = await sharp(Buffer.from(stored.split(',')[1]!, 'base64')).raw().toBuffer({ resolveWithObject: true })
    const at = (x: number) => ({ r: data[(240 * info.width + x) * 3]!, g: data[(240 * info.width + x) * 3 + 1]!, b: data[(240 * info.width + x) * 3 + 2]! })
    expect(isRed(at(60))).toBe(true)
    expect(isBlue(at(420))).toBe(true)
  })

  it('turns a phone’s JPEG upright by its EXIF orientation before cropping, and drops the EXIF (camera, owner)', async () => {
    const { f, token } = await anna()
    // Stored 600×400 with orientation 6 (a quarter turn clockwise): upright it is 400×600, red on top.
    const jpeg = await halves(600, 400, 'jpeg', 6)
    expect((await sharp(jpeg).metadata()).exif).toBeDefined()
    const top = await api(s.server, 'PUT', `/guardian/accounts/${f.alice.accountId}/photo`, { token, body: { image: dataUrl(jpeg, 'image/jpeg'), crop: { x: 0, y: 0, size: 400 } } })
    expect(top.status).toBe(200)
    const stored = (await holderPhoto(f.alice.accountId)).photo!
    expect(isRed(await centre(stored))).toBe(true)
    const bytes = Buffer.from(stored.split(',')[1]!, 'base64')
    const meta = await sharp(bytes).metadata()
    expect(meta.exif).toBeUndefined()
    expect(meta.orientation).toBeUndefined()
    expect(bytes.includes(Buffer.from('secret-serial-1234'))).toBe(false)
    // Upright, y 200–600 is the lower part: blue. Upright width is 400, so x 0 + 400 fits; 600 wide would not.
    expect((await api(s.server, 'PUT', `/guardian/accounts/${f.alice.accountId}/photo`, { token, body: { image: dataUrl(jpeg, 'image/jpeg'), crop: { x: 0, y: 200, size: 400 } } })).status).toBe(200)
    expect(isBlue(await centre((await holderPhoto(f.alice.accountId)).photo!))).toBe(true)
    expect(
      await api(s.server, 'PUT', `/guardian/accounts/${f.alice.accountId}/photo`, { token, body: { image: dataUrl(jpeg, 'image/jpeg'), crop: { x: 0, y: 0, size: 500 } } }),
    ).toMatchObject({ status: 400, body: { error: 'image-invalid' } })
  })

  it('takes a WebP, and a large photo (over the server’s usual 4 MB body)', async () => {
    const { f, token } = await anna()
    expect((await api(s.server, 'PUT', `/guardian/accounts/${f.alice.accountId}/photo`, { token, body: { image: dataUrl(await halves(400, 400, 'webp'), 'image/webp') } })).status).toBe(200)
    // Noise does not compress: a PNG of about 7 MB.
    const noise = await sharp(randomBytes(1600 * 1500 * 3), { raw: { width: 1600, height: 1500, channels: 3 } })
      .png({ compressionLevel: 0 })
      .toBuffer()
    expect(noise.length).toBeGreaterThan(6 * 1024 * 1024)
    expect(noise.length).toBeLessThan(MAX_IMAGE_BYTES)
    const r = await api(s.server, 'PUT', `/guardian/accounts/${f.alice.accountId}/photo`, { token, body: { image: dataUrl(noise) } })
    expect(r.status).toBe(200)
    // Even noise fits what a till accepts as a photo (lower JPEG quality if needed).
    expect(AccountData.shape.photoId.parse(r.body.photoId)).toBe(r.body.photoId)
    expect((await holderPhoto(f.alice.accountId)).photo!.length).toBeLessThanOrEqual(200_000)
  })

  it('removes the photo: the account and its change row say none, and GET answers photo-none', async () => {
    const { f, till, token } = await anna()
    // Bob has a photo; link him to Anna first.
    expect((await api(s.server, 'POST', '/guardian/accounts', { token, body: { cpr: '0202102345', cardNumber: f.bob.card } })).status).toBe(200)
    expect(await api(s.server, 'GET', `/guardian/accounts/${f.bob.accountId}/photo`, { token })).toMatchObject({ status: 200, body: { dataUrl: BOB_PHOTO } })
    const r = await api(s.server, 'DELETE', `/guardian/accounts/${f.bob.accountId}/photo`, { token })
    expect(r).toMatchObject({ status: 200, body: { id: f.bob.accountId, photoId: null } })
    expect(await api(s.server, 'GET', `/guardian/accounts/${f.bob.accountId}/photo`, { token })).toEqual({
      status: 404,
      body: { error: 'photo-none', message: 'this account has no photo' },
    })
    const pulled = await pullAll(s.server, till)
    const last = pulled.changes.filter((c) => c.entity === 'account' && c.id === f.bob.accountId).at(-1)
    expect(last && 'data' in last ? last.data : null).toMatchObject({ photoId: null })
  })
})

/** A PNG header claiming `width`×`height` pixels, with a correct checksum: a few bytes that would unpack to gigabytes. */
async function pixelBomb(width: number, height: number): Promise<Buffer> {
  const png = Buffer.from(await sharp({ create: { width: 1, height: 1, channels: 3, background: RED } }).png().toBuffer())
  // IHDR: length (4) 'IHDR' (4) width (4) height (4) … crc over type + data (17 bytes) after 13 bytes of data.
  png.writeUInt32BE(width, 16)
  png.writeUInt32BE(height, 20)
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29)
  return png
}

describe('a photo that is refused changes nothing', () => {
  it('refuses what is no JPEG/PNG/WebP, too many pixels, too many bytes, or a crop outside the picture, with image-invalid', async () => {
    const { f, token } = await anna()
    const first = await api(s.server, 'PUT', `/guardian/accounts/${f.alice.accountId}/photo`, { token, body: { image: dataUrl(await halves(400, 400)) } })
    expect(first.status).toBe(200)
    const before = await holderPhoto(f.alice.accountId)
    const countsBefore = await counts(f.alice.accountId)
    const png = await halves(600, 400)
    const bomb = await pixelBomb(10_000, Math.ceil(MAX_INPUT_PIXELS / 10_000) + 1)
    expect((await sharp(bomb).metadata()).width).toBe(10_000)
    const tooBig = Buffer.concat([png, randomBytes(MAX_IMAGE_BYTES + 1 - png.length)])
    const bad: { what: string; body: unknown }[] = [
      { what: 'text, base64', body: { image: Buffer.from('hello, this is not a picture').toString('base64') } },
      { what: 'not base64 at all', body: { image: 'hello world!' } },
      { what: 'a GIF', body: { image: (await halves(400, 400, 'gif')).toString('base64') } },
      { what: 'an SVG data URL', body: { image: BOB_PHOTO } },
      { what: 'a PNG labelled as GIF', body: { image: dataUrl(png, 'image/gif') } },
      { what: 'a truncated PNG', body: { image: png.subarray(0, 100).toString('base64') } },
      { what: 'too many pixels', body: { image: bomb.toString('base64') } },
      { what: 'more than 8 MB', body: { image: tooBig.toString('base64') } },
      { what: 'too small to crop a face from', body: { image: dataUrl(await halves(80, 80)) } },
      { what: 'a crop beyond the right edge', body: { image: dataUrl(png), crop: { x: 300, y: 0, size: 400 } } },
      { what: 'a crop below the bottom', body: { image: dataUrl(png), crop: { x: 0, y: 100, size: 400 } } },
      { what: 'a negative crop', body: { image: dataUrl(png), crop: { x: -1, y: 0, size: 200 } } },
      { what: 'a fractional crop', body: { image: dataUrl(png), crop: { x: 0.5, y: 0, size: 200 } } },
      { what: 'a tiny crop', body: { image: dataUrl(png), crop: { x: 0, y: 0, size: 20 } } },
    ]
    for (const { what, body } of bad) {
      expect(await api(s.server, 'PUT', `/guardian/accounts/${f.alice.accountId}/photo`, { token, body }), what).toMatchObject({
        status: 400,
        body: { error: 'image-invalid' },
      })
    }
    for (const body of [{}, { image: 5 }, { image: png.toString('base64'), extra: true }, { image: png.toString('base64'), crop: { x: 0, y: 0 } }]) {
      expect(await api(s.server, 'PUT', `/guardian/accounts/${f.alice.accountId}/photo`, { token, body })).toMatchObject({ status: 400, body: { error: 'bad-request' } })
    }
    // A body beyond the route's limit is not even read.
    expect((await api(s.server, 'PUT', `/guardian/accounts/${f.alice.accountId}/photo`, { token, body: { image: 'A'.repeat(12 * 1024 * 1024) } })).status).toBe(413)
    expect(await holderPhoto(f.alice.accountId)).toEqual(before)
    expect(await counts(f.alice.accountId)).toEqual(countsBefore)
  })
})
