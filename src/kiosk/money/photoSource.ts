/**
 * Turns what the parent gave (a file or a camera frame) into one JPEG data URL of at most
 * MAX_SIDE pixels: the relay carries JSON, so a 12-megapixel phone photo is shrunk here, and
 * the crop rectangle is then in this image's pixels. A data URL, not a blob URL: the page's CSP
 * allows `data:` images only.
 */
import { drawScaled, loadImage, readAsDataUrl, scaleToFit } from '../../composables/image'

export const MAX_SIDE = 1600
export const MAX_FILE_BYTES = 20 * 1024 * 1024

export interface SourceImage {
  dataUrl: string
  width: number
  height: number
}

/** The scale that fits `width`×`height` inside MAX_SIDE (never enlarges). */
export function fitScale(width: number, height: number, maxSide = MAX_SIDE): number {
  return scaleToFit(width, height, maxSide)
}

function toJpeg(source: CanvasImageSource, width: number, height: number): SourceImage {
  const canvas = drawScaled(source, width, height, fitScale(width, height))
  return { dataUrl: canvas.toDataURL('image/jpeg', 0.9), width: canvas.width, height: canvas.height }
}

/** A picked file as a JPEG; rejects files that are not JPEG, PNG or WebP images. */
export async function imageFromFile(file: File): Promise<SourceImage> {
  if (!/^image\/(jpeg|png|webp)$/.test(file.type) || file.size > MAX_FILE_BYTES) throw new Error('image-invalid')
  const img = await loadImage(await readAsDataUrl(file))
  return toJpeg(img, img.naturalWidth, img.naturalHeight)
}

/** The camera's current frame as a JPEG. */
export function imageFromVideo(video: HTMLVideoElement): SourceImage {
  return toJpeg(video, video.videoWidth, video.videoHeight)
}

export function hasCamera(): boolean {
  return typeof navigator !== 'undefined' && typeof navigator.mediaDevices?.getUserMedia === 'function'
}
