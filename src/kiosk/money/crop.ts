/**
 * The photo's square crop. The screen shows the image in a square frame; the parent drags it and
 * zooms. What the server gets is the square of the source image that the frame shows, in source
 * pixels, so sharp crops exactly what the parent saw.
 *
 * View model: `zoom` 1 means the image's shorter side just fills the frame; `cx`, `cy` are the
 * source pixel at the frame's centre.
 */
export interface CropView {
  zoom: number
  cx: number
  cy: number
}

export interface ImageSize {
  width: number
  height: number
}

export const MAX_ZOOM = 4
/** The server's smallest crop (server/guardian/photos.ts MIN_CROP_SIDE): zoom stops there. */
export const MIN_CROP_SIDE = 96

/** How far this image may be zoomed: MAX_ZOOM, or less for a small picture. */
export function maxZoomOf(img: ImageSize): number {
  return Math.max(1, Math.min(MAX_ZOOM, Math.min(img.width, img.height) / MIN_CROP_SIDE))
}

/** Side of the crop square in source pixels. */
export function cropSide(img: ImageSize, zoom: number): number {
  return Math.min(img.width, img.height) / zoom
}

/** Keeps zoom in [1, maxZoomOf(img)] and the square inside the image. */
export function clampView(img: ImageSize, view: CropView): CropView {
  const zoom = Math.min(maxZoomOf(img), Math.max(1, view.zoom))
  const half = cropSide(img, zoom) / 2
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v))
  return { zoom, cx: clamp(view.cx, half, img.width - half), cy: clamp(view.cy, half, img.height - half) }
}

export function centredView(img: ImageSize): CropView {
  return { zoom: 1, cx: img.width / 2, cy: img.height / 2 }
}

/** Moves the view by a drag of (dx, dy) screen pixels in a frame `framePx` wide. */
export function dragView(img: ImageSize, view: CropView, dx: number, dy: number, framePx: number): CropView {
  const sourcePerScreen = cropSide(img, view.zoom) / framePx
  return clampView(img, { ...view, cx: view.cx - dx * sourcePerScreen, cy: view.cy - dy * sourcePerScreen })
}

/** The square the server crops: whole pixels, inside the image. */
export function cropRect(img: ImageSize, view: CropView): { x: number; y: number; size: number } {
  const v = clampView(img, view)
  const size = Math.max(1, Math.floor(cropSide(img, v.zoom)))
  const x = Math.min(img.width - size, Math.max(0, Math.round(v.cx - size / 2)))
  const y = Math.min(img.height - size, Math.max(0, Math.round(v.cy - size / 2)))
  return { x, y, size }
}

/**
 * Where the image sits inside a frame `framePx` wide: its displayed size and offset, for the
 * `:style` binding (a CSSOM write: the strict CSP allows it, an inline style attribute it would not).
 */
export function imageBox(img: ImageSize, view: CropView, framePx: number): { width: number; height: number; left: number; top: number } {
  const v = clampView(img, view)
  const scale = framePx / cropSide(img, v.zoom)
  return { width: img.width * scale, height: img.height * scale, left: framePx / 2 - v.cx * scale, top: framePx / 2 - v.cy * scale }
}
