/**
 * The holder's photo, set by a guardian at the kiosk: the cashier compares it with the face at
 * the counter. The photo is the holder's (holders.photo, a data: URL; its id is the sha256 that
 * Postgres computes, migration 0005), so tills get it as before: the account's change row names
 * the new id, and a till fetches the image by id (GET /sync/photos/:id) at the next scan.
 *
 * Every image goes through sharp, never stored as sent: turned upright by its EXIF orientation,
 * cropped to a square, scaled to 480×480, encoded as JPEG with no metadata (no GPS position from
 * a parent's phone, no camera serial). A file that is no JPEG/PNG/WebP, too many pixels to decode
 * safely (a small file can unpack to gigabytes), or a crop outside the picture is 'image-invalid'
 * and nothing changes.
 */
import sharp from 'sharp'
import { PhotoData } from '../../domain/sync'
import { lockEntities, lockKey } from '../money/locks'
import { audit } from '../platform/audit'
import type { ServerContext } from '../platform/context'
import { ok, refuse, type Result } from '../platform/result'
import { write } from '../platform/tx'
import { recordChanges } from '../sync/changes'
import { getAccount, guardianActor, isLinked, type GuardianAccount } from './accounts'
import type { GuardianPrincipal } from './session'

/** The side of the stored square, in pixels. */
export const PHOTO_SIDE = 480
/** Decoded bytes of an upload. */
export const MAX_IMAGE_BYTES = 8 * 1024 * 1024
/** Pixels of an upload: a 48-megapixel phone photo passes, a decompression bomb does not. */
export const MAX_INPUT_PIXELS = 50_000_000
/** The smallest square a photo may be cut from (the till shows it 96 px wide). */
export const MIN_CROP_SIDE = 96
/** Base64 characters of MAX_IMAGE_BYTES, plus room for a data: URL's head. */
export const MAX_IMAGE_TEXT = Math.ceil(MAX_IMAGE_BYTES / 3) * 4 + 64

const FORMATS = new Set(['jpeg', 'png', 'webp'])
const DATA_URL = /^data:image\/(jpeg|png|webp);base64,/
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/
/** Lower qualities tried in turn while the photo would not fit a till's photo (PhotoData, 200,000 characters). */
const QUALITIES = [82, 70, 55, 40]

/** A square in the upright picture's pixels (after the EXIF orientation is applied). */
export interface Crop {
  x: number
  y: number
  size: number
}

export type PhotoRefusal = 'account-unknown' | 'image-invalid'

/** base64 or a data: URL (JPEG, PNG, WebP) → the bytes, or null. */
function decode(image: string): Buffer | null {
  let text = image
  if (text.startsWith('data:')) {
    const head = DATA_URL.exec(text)
    if (!head) return null
    text = text.slice(head[0].length)
  }
  if (!BASE64.test(text) || text.length % 4 !== 0 || (text.length / 4) * 3 > MAX_IMAGE_BYTES + 2) return null
  const bytes = Buffer.from(text, 'base64')
  return bytes.length > 0 && bytes.length <= MAX_IMAGE_BYTES ? bytes : null
}

/** The stored photo (a JPEG data: URL) made from an upload, or 'image-invalid'. */
export async function preparePhoto(image: string, crop?: Crop): Promise<Result<string, 'image-invalid'>> {
  const bytes = decode(image)
  if (!bytes) return refuse('image-invalid')
  const options = { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' as const }
  try {
    const meta = await sharp(bytes, options).metadata()
    if (!meta.format || !FORMATS.has(meta.format) || !meta.width || !meta.height) return refuse('image-invalid')
    if (meta.width * meta.height > MAX_INPUT_PIXELS) return refuse('image-invalid')
    // The picture as a person sees it: width and height swapped by a quarter turn.
    const width = meta.autoOrient?.width ?? meta.width
    const height = meta.autoOrient?.height ?? meta.height
    const square = crop ?? centred(width, height)
    if (!fits(square, width, height)) return refuse('image-invalid')
    for (const quality of QUALITIES) {
      // sharp writes no metadata unless asked (withMetadata): EXIF, GPS and ICC are dropped.
      const jpeg = await sharp(bytes, options)
        .rotate()
        .extract({ left: square.x, top: square.y, width: square.size, height: square.size })
        .resize(PHOTO_SIDE, PHOTO_SIDE)
        .flatten({ background: '#ffffff' })
        .jpeg({ quality, mozjpeg: true })
        .toBuffer()
      const dataUrl = `data:image/jpeg;base64,${jpeg.toString('base64')}`
      if (PhotoData.safeParse(dataUrl).success) return ok(dataUrl)
    }
    return refuse('image-invalid')
  } catch {
    // Not an image sharp can read (or a truncated one): the sender's fault, not the server's.
    return refuse('image-invalid')
  }
}

function centred(width: number, height: number): Crop {
  const size = Math.min(width, height)
  return { x: Math.floor((width - size) / 2), y: Math.floor((height - size) / 2), size }
}

function fits(c: Crop, width: number, height: number): boolean {
  if (![c.x, c.y, c.size].every(Number.isInteger)) return false
  return c.size >= MIN_CROP_SIDE && c.x >= 0 && c.y >= 0 && c.x + c.size <= width && c.y + c.size <= height
}

/** A new photo (`dataUrl`, from preparePhoto) or none (null) for the account's holder. */
async function writePhoto(ctx: ServerContext, g: GuardianPrincipal, accountId: string, dataUrl: string | null): Promise<Result<GuardianAccount, PhotoRefusal>> {
  const result = await write(ctx, async (tx): Promise<Result<null, 'account-unknown'>> => {
    // The photo is the holder's: every account of the holder shows it, so each is locked and gets its change row.
    const { rows: siblings } = await tx.query<{ id: string }>(
      'SELECT b.id FROM accounts a JOIN accounts b ON b.holder_id = a.holder_id WHERE a.id = $1 ORDER BY b.id',
      [accountId],
    )
    await lockEntities(tx, [lockKey.account(accountId), ...siblings.map((s) => lockKey.account(s.id))])
    if (!(await isLinked(tx, g, accountId))) return refuse('account-unknown')
    const { rows } = await tx.query<{ photo_id: string | null }>(
      'UPDATE holders SET photo = $2 WHERE id = (SELECT holder_id FROM accounts WHERE id = $1) RETURNING photo_id',
      [accountId, dataUrl],
    )
    await audit(tx, {
      municipalityId: g.municipalityId,
      actor: guardianActor(g),
      action: dataUrl === null ? 'account.photo-remove' : 'account.photo',
      entity: 'account',
      entityId: accountId,
      // The id names the image; the image itself stays out of the audit log.
      details: { photoId: rows[0]?.photo_id ?? null },
      at: tx.now,
    })
    await recordChanges(tx, 'account', siblings.map((s) => s.id))
    return ok(null)
  })
  return result.ok ? getAccount(ctx, g, accountId) : result
}

export async function setPhoto(ctx: ServerContext, g: GuardianPrincipal, accountId: string, input: { image: string; crop?: Crop }): Promise<Result<GuardianAccount, PhotoRefusal>> {
  // A foreign account is refused before any image work, with the same answer whatever was sent.
  if (!(await isLinked(ctx.db, g, accountId))) return refuse('account-unknown')
  const photo = await preparePhoto(input.image, input.crop)
  if (!photo.ok) return photo
  return writePhoto(ctx, g, accountId, photo.value)
}

export function removePhoto(ctx: ServerContext, g: GuardianPrincipal, accountId: string): Promise<Result<GuardianAccount, PhotoRefusal>> {
  return writePhoto(ctx, g, accountId, null)
}

/** The photo itself, as JSON (the kiosk's relay carries JSON only). */
export async function getPhoto(ctx: ServerContext, g: GuardianPrincipal, accountId: string): Promise<Result<{ photoId: string; dataUrl: string }, 'account-unknown' | 'photo-none'>> {
  if (!(await isLinked(ctx.db, g, accountId))) return refuse('account-unknown')
  const { rows } = await ctx.db.query<{ photo_id: string | null; photo: string | null }>(
    'SELECT h.photo_id, h.photo FROM accounts a JOIN holders h ON h.id = a.holder_id WHERE a.id = $1',
    [accountId],
  )
  const row = rows[0]
  return row?.photo && row.photo_id ? ok({ photoId: row.photo_id, dataUrl: row.photo }) : refuse('photo-none')
}
