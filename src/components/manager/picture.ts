/**
 * A picture picked from disk, made ready to send: read as a data URL and, when large, scaled
 * down by the browser's own canvas to at most 640 px JPEG, so the upload stays small on the
 * till's line and within the host shell's request size (256 kB per RPC call). The server does
 * the real work (sharp: a 320×320 cover JPEG); this only keeps the upload reasonable.
 */
import { drawScaled, loadImage, readAsDataUrl, scaleToFit } from '../../composables/image'

const MAX_SIDE = 640
const SMALL_ENOUGH = 120 * 1024

/** The picture as base64 (without the data: prefix) and a data URL to preview; null when it is no image the browser can read. */
export async function pictureForUpload(file: File): Promise<{ base64: string; preview: string } | null> {
  const dataUrl = await readAsDataUrl(file)
  let img: HTMLImageElement
  try {
    img = await loadImage(dataUrl)
  } catch {
    return null
  }
  let out = dataUrl
  if (file.size > SMALL_ENOUGH || Math.max(img.naturalWidth, img.naturalHeight) > MAX_SIDE) {
    const scale = scaleToFit(img.naturalWidth, img.naturalHeight, MAX_SIDE)
    out = drawScaled(img, img.naturalWidth, img.naturalHeight, scale).toDataURL('image/jpeg', 0.8)
  }
  const comma = out.indexOf(',')
  return { base64: out.slice(comma + 1), preview: out }
}
