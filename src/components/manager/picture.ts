/**
 * A picture picked from disk, made ready to send: read as a data URL and, when large, scaled
 * down by the browser's own canvas to at most 640 px JPEG, so the upload stays small on the
 * till's line and within the host shell's request size (256 kB per RPC call). The server does
 * the real work (sharp: a 320×320 cover JPEG); this only keeps the upload reasonable.
 */
const MAX_SIDE = 640
const SMALL_ENOUGH = 120 * 1024

export function readAsDataUrl(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => resolve(String(reader.result))
    reader.onerror = () => reject(reader.error ?? new Error('read failed'))
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
    const scale = Math.min(1, MAX_SIDE / Math.max(img.naturalWidth, img.naturalHeight))
    const canvas = document.createElement('canvas')
    canvas.width = Math.max(1, Math.round(img.naturalWidth * scale))
    canvas.height = Math.max(1, Math.round(img.naturalHeight * scale))
    canvas.getContext('2d')?.drawImage(img, 0, 0, canvas.width, canvas.height)
    out = canvas.toDataURL('image/jpeg', 0.8)
  }
  const comma = out.indexOf(',')
  return { base64: out.slice(comma + 1), preview: out }
}
