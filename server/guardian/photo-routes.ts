/**
 * Routes of photos.ts: the holder's photo, as JSON both ways (the kiosk's relay carries JSON only).
 *
 *   PUT    /guardian/accounts/:id/photo       { image: base64 | data: URL, crop?: {x,y,size} } → GuardianAccount
 *   DELETE /guardian/accounts/:id/photo       → GuardianAccount (photoId null)
 *   GET    /guardian/accounts/:id/photo       { photoId, dataUrl }; 404 photo-none
 */
import { z } from 'zod'
import { HttpError, parseInput } from '../platform/errors'
import { AccountParams, answer, perGuardian, type GuardianArea, type Refusals } from './http'
import { getPhoto, MAX_IMAGE_BYTES, MAX_IMAGE_TEXT, MIN_CROP_SIDE, PHOTO_SIDE, removePhoto, setPhoto } from './photos'
import { guardianOf } from './session'

const refusals: Refusals = {
  'image-invalid': () =>
    new HttpError(
      400,
      'image-invalid',
      `a photo is a JPEG, PNG or WebP image of at most ${MAX_IMAGE_BYTES / 1024 / 1024} MB, base64 or a data: URL; a crop is a square of at least ${MIN_CROP_SIDE} pixels inside the upright picture`,
    ),
  'photo-none': () => new HttpError(404, 'photo-none', 'this account has no photo'),
}

/**
 * The one route whose body is larger than the server's default (a till's push, 4 MB): an image
 * of MAX_IMAGE_BYTES in base64. A larger body is refused (413) before it is read.
 */
export const PHOTO_BODY_LIMIT = MAX_IMAGE_TEXT + 64 * 1024
/** Photos per guardian and minute: each is decoded and re-encoded, which costs the server CPU. */
const PHOTOS_PER_MINUTE = 10

// The image's checks (size, format, pixels) and the crop's (inside the picture) are preparePhoto's: image-invalid.
const PhotoRequest = z
  .object({
    image: z.string().min(1).max(PHOTO_BODY_LIMIT),
    crop: z.object({ x: z.number(), y: z.number(), size: z.number() }).strict().optional(),
  })
  .strict()

export const photoRoutes: GuardianArea = async (own, { ctx }) => {
  own.put('/guardian/accounts/:id/photo', { bodyLimit: PHOTO_BODY_LIMIT, config: perGuardian(PHOTOS_PER_MINUTE) }, async (request) => {
    const { id } = parseInput(AccountParams, request.params, 'account id')
    const body = parseInput(PhotoRequest, request.body, `photo (stored as ${PHOTO_SIDE}×${PHOTO_SIDE} JPEG)`)
    return answer(await setPhoto(ctx, guardianOf(request), id, body), refusals)
  })

  own.delete('/guardian/accounts/:id/photo', async (request) => {
    const { id } = parseInput(AccountParams, request.params, 'account id')
    return answer(await removePhoto(ctx, guardianOf(request), id), refusals)
  })

  own.get('/guardian/accounts/:id/photo', async (request) => {
    const { id } = parseInput(AccountParams, request.params, 'account id')
    return answer(await getPhoto(ctx, guardianOf(request), id), refusals)
  })
}
