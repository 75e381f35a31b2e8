/**
 * A picked picture in the browser: read as a data URL and loaded as an image, so it can be
 * measured and drawn scaled on a canvas. Shared by the kiosk's photo (kiosk/money/photoSource.ts)
 * and the manager's product picture (components/manager/picture.ts). Data URLs, not blob URLs:
 * the page's CSP allows `data:` images only.
 */
export function readAsDataUrl(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => resolve(String(reader.result))
    reader.onerror = () => reject(reader.error ?? new Error('file unreadable'))
    reader.readAsDataURL(file)
  })
}

export function loadImage(src: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image()
    img.onload = () => resolve(img)
    img.onerror = () => reject(new Error('not an image'))
    img.src = src
  })
}

/** The scale that fits `width`×`height` inside `maxSide` pixels (never enlarges). */
export function scaleToFit(width: number, height: number, maxSide: number): number {
  return Math.min(1, maxSide / Math.max(width, height))
}

/** `source` drawn at `scale` on a new canvas (its width and height are the scaled size), to encode. */
export function drawScaled(source: CanvasImageSource, width: number, height: number, scale: number): HTMLCanvasElement {
  const canvas = document.createElement('canvas')
  canvas.width = Math.max(1, Math.round(width * scale))
  canvas.height = Math.max(1, Math.round(height * scale))
  canvas.getContext('2d')?.drawImage(source, 0, 0, canvas.width, canvas.height)
  return canvas
}
