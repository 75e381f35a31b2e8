/**
 * Turns what the parent gave (a file or a camera frame) into one JPEG data URL of at most
 * MAX_SIDE pixels: the relay carries JSON, so a 12-megapixel phone photo is shrunk here, and
 * the crop rectangle is then in this image's pixels. A data URL, not a blob URL: the page's CSP
 * allows `data:` images only.
 */
export const MAX_SIDE = 1600
export const MAX_FILE_BYTES = 20 * 1024 * 1024

export interface SourceImage {
  dataUrl: string
  width: number
  height: number
}

/** The scale that fits `width`×`height` inside MAX_SIDE (never enlarges). */
export function fitScale(width: number, height: number, maxSide = MAX_SIDE): number {
  return Math.min(1, maxSide / Math.max(width, height))
}

function drawScaled(source: CanvasImageSource, width: number, height: number): SourceImage {
  const scale = fitScale(width, height)
  const canvas = document.createElement('canvas')
  canvas.width = Math.max(1, Math.round(width * scale))
  canvas.height = Math.max(1, Math.round(height * scale))
  canvas.getContext('2d')!.drawImage(source, 0, 0, canvas.width, canvas.height)
  return { dataUrl: canvas.toDataURL('image/jpeg', 0.9), width: canvas.width, height: canvas.height }
}

function readAsDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => resolve(String(reader.result))
    reader.onerror = () => reject(reader.error ?? new Error('file unreadable'))
    reader.readAsDataURL(file)
  })
}

function loadImage(src: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image()
    img.onload = () => resolve(img)
    img.onerror = () => reject(new Error('not an image'))
    img.src = src
  })
}

/** A picked file as a JPEG; rejects files that are not JPEG, PNG or WebP images. */
export async function imageFromFile(file: File): Promise<SourceImage> {
  if (!/^image\/(jpeg|png|webp)$/.test(file.type) || file.size > MAX_FILE_BYTES) throw new Error('image-invalid')
  const img = await loadImage(await readAsDataUrl(file))
  return drawScaled(img, img.naturalWidth, img.naturalHeight)
}

/** The camera's current frame as a JPEG. */
export function imageFromVideo(video: HTMLVideoElement): SourceImage {
  return drawScaled(video, video.videoWidth, video.videoHeight)
}

export function hasCamera(): boolean {
  return typeof navigator !== 'undefined' && typeof navigator.mediaDevices?.getUserMedia === 'function'
}
