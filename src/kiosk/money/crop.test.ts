import { describe, expect, it } from 'vitest'
import { centredView, cropRect, dragView, imageBox, MAX_ZOOM, MIN_CROP_SIDE } from './crop'

const landscape = { width: 1600, height: 1200 }

describe('the photo crop', () => {
  it('starts with the largest centred square', () => {
    expect(cropRect(landscape, centredView(landscape))).toEqual({ x: 200, y: 0, size: 1200 })
  })

  it('halves the square at zoom 2 and keeps it centred', () => {
    expect(cropRect(landscape, { ...centredView(landscape), zoom: 2 })).toEqual({ x: 500, y: 300, size: 600 })
  })

  it('never leaves the image however far it is dragged or zoomed', () => {
    const dragged = dragView(landscape, { ...centredView(landscape), zoom: 2 }, 10_000, 10_000, 400)
    expect(cropRect(landscape, dragged)).toEqual({ x: 0, y: 0, size: 600 })
    expect(cropRect(landscape, { zoom: 99, cx: 1600, cy: 1200 })).toEqual({ x: 1600 - 1200 / MAX_ZOOM, y: 1200 - 1200 / MAX_ZOOM, size: 1200 / MAX_ZOOM })
    expect(cropRect(landscape, { zoom: 0.1, cx: 0, cy: 0 }).size).toBe(1200)
  })

  it('stops zooming where the server would find the square too small', () => {
    const small = { width: 200, height: 150 }
    expect(cropRect(small, { zoom: MAX_ZOOM, cx: 100, cy: 75 }).size).toBe(MIN_CROP_SIDE)
  })

  it('moves the image with the finger: dragging right shows more of the left', () => {
    const start = { ...centredView(landscape), zoom: 2 }
    const moved = dragView(landscape, start, 100, 0, 400)
    // 600 source px in a 400 px frame: 100 screen px are 150 source px.
    expect(moved.cx).toBe(start.cx - 150)
  })

  it('places the image so that the frame shows exactly the crop', () => {
    const view = { zoom: 2, cx: 800, cy: 600 }
    const box = imageBox(landscape, view, 400)
    const rect = cropRect(landscape, view)
    const scale = box.width / landscape.width
    expect(-box.left / scale).toBeCloseTo(rect.x)
    expect(-box.top / scale).toBeCloseTo(rect.y)
    expect(400 / scale).toBeCloseTo(rect.size)
  })
})
