import { EventEmitter } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { EventName, Events } from '../api/contract'
import type { ReaderConfigInput } from '../api/areas/reader'
import { openDb, type Db } from '../store/db'
import { setSetting } from '../store/settings'
import type { HidBackend, HidDeviceInfo, HidHandle } from './hid'
import { DATA_BYTES, REPORT_BYTES } from './hidpos'
import { ReaderService } from './service'

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c()
})

function freshDb(): Db {
  const dir = mkdtempSync(join(tmpdir(), 'kantine-reader-'))
  const db = openDb(dir)
  db.prepare(`INSERT INTO products (id, name, category_id, prices, barcode, available, image, sort) VALUES ('p-water', 'Vand', 'c-drinks', '{}', '5790000000012', 1, NULL, 1)`).run()
  cleanups.push(() => {
    db.close()
    rmSync(dir, { recursive: true, force: true })
  })
  return db
}

const READER: HidDeviceInfo = { vendorId: 0x0c27, productId: 0x3bfa, product: 'pcProx', manufacturer: 'RF IDeas', path: '/dev/hidraw3', interface: 0, usagePage: 1, usage: 6 }
const KEYBOARD: HidDeviceInfo = { vendorId: 0x046d, productId: 0xc31c, product: 'USB Keyboard', manufacturer: 'Logitech', path: '/dev/hidraw0', interface: 0, usagePage: 1, usage: 6 }

class FakeHandle extends EventEmitter implements HidHandle {
  closed = false
  close(): void {
    this.closed = true
  }
}

/** A USB bus the test plugs devices into and out of. */
class FakeUsb implements HidBackend {
  present: HidDeviceInfo[] = []
  handles: FakeHandle[] = []
  listing = 0
  maxConcurrentListing = 0
  refuse: string | null = null
  async devices(): Promise<HidDeviceInfo[]> {
    this.listing++
    this.maxConcurrentListing = Math.max(this.maxConcurrentListing, this.listing)
    await new Promise((r) => setTimeout(r, 15))
    this.listing--
    return [...this.present]
  }
  async open(path: string): Promise<HidHandle> {
    if (this.refuse) throw new Error(this.refuse)
    if (!this.present.some((d) => d.path === path)) throw new Error('could not open device')
    const handle = new FakeHandle()
    this.handles.push(handle)
    return handle
  }
  get open_(): FakeHandle | undefined {
    return this.handles.filter((h) => !h.closed).at(-1)
  }
}

type Sent = { event: EventName; payload: unknown }

function service(db: Db, usb: FakeUsb | null, simulated = false) {
  const sent: Sent[] = []
  const s = new ReaderService({
    db,
    clock: { now: () => new Date() },
    emit: <E extends EventName>(event: E, payload: Events[E]) => void sent.push({ event, payload }),
    simulated,
    usb: true,
    backend: async () => usb,
    pollMs: 10,
  })
  cleanups.push(() => s.close())
  return { s, sent }
}

async function until(what: string, cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

const key = (usage: number) => Buffer.from([0, 0, usage, 0, 0, 0, 0, 0])
const RELEASE = Buffer.alloc(8)
function swipe(handle: FakeHandle, text: string): void {
  for (const ch of text) {
    const usage = ch === '\n' ? 0x28 : ch === '0' ? 0x27 : /[1-9]/.test(ch) ? 0x1d + Number(ch) : 0x04 + ch.charCodeAt(0) - 65
    handle.emit('data', key(usage))
    handle.emit('data', RELEASE)
  }
}

/** A scanner in HID-POS mode: its bar code scanner collection (usage page 0x8C, usage 2). */
const SCANNER: HidDeviceInfo = { vendorId: 0x0c2e, productId: 0x0b87, product: 'Voyager 1450g', manufacturer: 'Honeywell', path: '/dev/hidraw5', interface: 0, usagePage: 0x8c, usage: 0x02 }

/**
 * Scanned-data reports for `text` as a Honeywell in HID-POS mode sends them (layout in hidpos.ts:
 * id 0x02, length, AIM identifier, 56 data bytes, code id, reserved, "continued" bit), split into
 * parts of `split` bytes.
 */
function scannedReports(text: string, aim: string, split = DATA_BYTES): Buffer[] {
  const parts: string[] = []
  for (let i = 0; i < text.length; i += split) parts.push(text.slice(i, i + split))
  return parts.map((part, i) => {
    const report = Buffer.alloc(REPORT_BYTES)
    report[0] = 0x02
    report[1] = part.length
    report.write(aim, 2, 'latin1')
    report.write(part, 5, 'latin1')
    report[63] = i < parts.length - 1 ? 1 : 0
    return report
  })
}

const chooseScanner = (over: Partial<ReaderConfigInput> = {}): ReaderConfigInput => ({
  device: { vendorId: SCANNER.vendorId, productId: SCANNER.productId, path: SCANNER.path, interface: 0, product: 'Voyager 1450g', usagePage: 0x8c },
  terminator: 'enter',
  gapMs: 100,
  normalisation: { prints: 'text', reverseBytes: false, uidBytes: null, output: 'hex' },
  ...over,
})

const chooseReader = (over: Partial<ReaderConfigInput> = {}): ReaderConfigInput => ({
  device: { vendorId: READER.vendorId, productId: READER.productId, path: READER.path, interface: 0, product: 'pcProx' },
  terminator: 'enter',
  gapMs: 100,
  normalisation: { prints: 'text', reverseBytes: false, uidBytes: null, output: 'hex' },
  ...over,
})

describe('the card reader service', () => {
  it('with no reader chosen, reads cards through the keyboard wedge and opens no USB device', async () => {
    const usb = new FakeUsb()
    usb.present = [READER]
    const { s, sent } = service(freshDb(), usb)
    expect(s.state()).toBe('wedge')
    await new Promise((r) => setTimeout(r, 60))
    expect(usb.handles).toEqual([])
    expect(s.wedge('demo0001').outcome).toEqual({ kind: 'card', cardNumber: 'DEMO0001' })
    expect(sent).toContainEqual({ event: 'reader.card', payload: { cardNumber: 'DEMO0001' } })
    // A magstripe reader's swipe gives the card number of its track.
    expect(s.wedge(';0012345678=2912?').outcome).toEqual({ kind: 'card', cardNumber: '0012345678' })
  })

  it('opens the device chosen in settings by vendor and product, never another keyboard', async () => {
    const usb = new FakeUsb()
    usb.present = [KEYBOARD, READER]
    const { s, sent } = service(freshDb(), usb)
    await s.configure(chooseReader())
    await until('connected', () => s.state() === 'connected')
    expect(usb.handles).toHaveLength(1)
    expect((await s.status()).open?.path).toBe(READER.path)
    swipe(usb.open_ as FakeHandle, 'DEMO0002\n')
    expect(sent).toContainEqual({ event: 'reader.card', payload: { cardNumber: 'DEMO0002' } })
    expect(sent).toContainEqual({ event: 'reader.state', payload: 'connected' })
  })

  it('reconnects after an unplug and a replug on another path, without a restart', async () => {
    const usb = new FakeUsb()
    usb.present = [READER]
    const { s, sent } = service(freshDb(), usb)
    await s.configure(chooseReader())
    await until('connected', () => s.state() === 'connected')
    const first = usb.open_ as FakeHandle

    usb.present = []
    first.emit('error', new Error('could not read from HID device'))
    await until('disconnected', () => s.state() === 'disconnected')
    expect(first.closed).toBe(true)
    await new Promise((r) => setTimeout(r, 50)) // searches while absent find nothing
    expect(s.state()).toBe('disconnected')

    usb.present = [{ ...READER, path: '/dev/hidraw7' }]
    await until('reconnected', () => s.state() === 'connected')
    swipe(usb.open_ as FakeHandle, '4711\n')
    expect(sent.filter((e) => e.event === 'reader.card').map((e) => e.payload)).toEqual([{ cardNumber: '4711' }])
    expect(sent.filter((e) => e.event === 'reader.state').map((e) => e.payload)).toEqual(expect.arrayContaining(['connected', 'disconnected']))
  })

  it('ends a read on a pause for a reader that sends no Enter', async () => {
    const usb = new FakeUsb()
    usb.present = [READER]
    const { s, sent } = service(freshDb(), usb)
    await s.configure(chooseReader({ terminator: 'gap', gapMs: 30 }))
    await until('connected', () => s.state() === 'connected')
    swipe(usb.open_ as FakeHandle, '80808080')
    expect(sent.some((e) => e.event === 'reader.card')).toBe(false)
    await until('the pause ends the read', () => sent.some((e) => e.event === 'reader.card'))
    expect(sent.filter((e) => e.event === 'reader.card').map((e) => e.payload)).toEqual([{ cardNumber: '80808080' }])
  })

    it('lists devices without overlapping searches, one at a time', async () => {
    const usb = new FakeUsb()
    const { s } = service(freshDb(), usb)
    await s.configure(chooseReader())
    await new Promise((r) => setTimeout(r, 120))
    expect(usb.maxConcurrentListing).toBe(1)
    expect(s.state()).toBe('disconnected')
  })

  it('says so when the OS refuses to open the reader (the udev rule is missing)', async () => {
    const usb = new FakeUsb()
    usb.present = [READER]
    usb.refuse = "cannot open device with path /dev/hidraw3: EACCES"
    const { s } = service(freshDb(), usb)
    await s.configure(chooseReader())
    await until('no-access', () => s.state() === 'no-access')
    usb.refuse = null // the rule is installed: the next search opens it
    await until('connected', () => s.state() === 'connected')
  })

  it('is unavailable when node-hid cannot run, and lists nothing', async () => {
    const { s } = service(freshDb(), null)
    await s.configure(chooseReader())
    await until('unavailable', () => s.state() === 'unavailable')
    expect(await s.devices()).toEqual({ usbAvailable: false, devices: [] })
  })

  it("normalises the reader's numbers per reader and keeps the setting across a restart", async () => {
    const db = freshDb()
    const usb = new FakeUsb()
    usb.present = [READER]
    const first = service(db, usb)
    await first.s.configure(chooseReader({ normalisation: { prints: 'hex', reverseBytes: true, uidBytes: 4, output: 'hex' } }))
    await until('connected', () => first.s.state() === 'connected')
    swipe(usb.open_ as FakeHandle, '1C3BA204\n')
    expect(first.sent).toContainEqual({ event: 'reader.card', payload: { cardNumber: '04A23B1C' } })
    // The wedge keeps its own setting (as read).
    expect(first.s.wedge('1c3ba205').outcome).toEqual({ kind: 'card', cardNumber: '1C3BA205' })
    first.s.close()

    const again = service(db, usb)
    expect((await again.s.status()).config.normalisation).toEqual({ prints: 'hex', reverseBytes: true, uidBytes: 4, output: 'hex' })
    await until('connected again', () => again.s.state() === 'connected')
    swipe(usb.open_ as FakeHandle, '1C3BA204\n')
    expect(again.sent).toContainEqual({ event: 'reader.card', payload: { cardNumber: '04A23B1C' } })
  })

  it('tells a product barcode from a card: a known barcode is the product, no card event', () => {
    const { s, sent } = service(freshDb(), new FakeUsb())
    expect(s.wedge('5790000000012').outcome).toEqual({ kind: 'product', barcode: '5790000000012', productId: 'p-water', productName: 'Vand' })
    expect(sent.some((e) => e.event === 'reader.card')).toBe(false)
    // One digit off: not the product; it goes on as a card number.
    expect(s.wedge('5790000000013').outcome).toEqual({ kind: 'card', cardNumber: '5790000000013' })
  })

  it('drops the echo of a USB read that the desktop also typed (no udev rule), but not a second swipe', async () => {
    const usb = new FakeUsb()
    usb.present = [READER]
    const { s, sent } = service(freshDb(), usb)
    await s.configure(chooseReader())
    await until('connected', () => s.state() === 'connected')
    swipe(usb.open_ as FakeHandle, 'DEMO0003\n')
    expect(s.wedge('DEMO0003').outcome).toEqual({ kind: 'card', cardNumber: 'DEMO0003' })
    expect(sent.filter((e) => e.event === 'reader.card')).toHaveLength(1)
    // The same card again on the same reader is a new read.
    swipe(usb.open_ as FakeHandle, 'DEMO0003\n')
    expect(sent.filter((e) => e.event === 'reader.card')).toHaveLength(2)
  })

  it('reports what it could not read, and emits no card for it', async () => {
    const usb = new FakeUsb()
    usb.present = [READER]
    const { s, sent } = service(freshDb(), usb)
    await s.configure(chooseReader({ normalisation: { prints: 'decimal', reverseBytes: false, uidBytes: 4, output: 'hex' } }))
    await until('connected', () => s.state() === 'connected')
    const handle = usb.open_ as FakeHandle
    swipe(handle, '99999999999\n') // does not fit 4 bytes
    handle.emit('data', Buffer.from([0, 0, 0x1e, 0, 0, 0, 0, 0]))
    handle.emit('data', Buffer.from([0, 0, 1, 1, 1, 1, 1, 1]))
    swipe(handle, '2\n')
    handle.emit('data', 'not bytes')
    const reads = sent.filter((e) => e.event === 'reader.read').map((e) => (e.payload as { outcome: unknown }).outcome)
    expect(reads).toEqual([
      { kind: 'unreadable', reason: 'too-long' },
      { kind: 'unreadable', reason: 'rollover' },
      { kind: 'unreadable', reason: 'garbage' },
    ])
    expect(sent.some((e) => e.event === 'reader.card')).toBe(false)
  })

  it('lists each device with the way it is read: keyboard, HID-POS or other', async () => {
    const usb = new FakeUsb()
    const mouse: HidDeviceInfo = { vendorId: 0x046d, productId: 0xc077, product: 'Mouse', manufacturer: 'Logitech', path: '/dev/hidraw1', interface: 0, usagePage: 1, usage: 2 }
    usb.present = [READER, SCANNER, mouse]
    const { s } = service(freshDb(), usb)
    const { devices } = await s.devices()
    expect(devices.map((d) => [d.product, d.mode])).toEqual([
      ['Mouse', 'other'],
      ['pcProx', 'keyboard'],
      ['Voyager 1450g', 'hid-pos'],
    ])
  })

  it('reads a scanner in HID-POS mode to the same place as a keyboard reader, normalised per reader', async () => {
    const usb = new FakeUsb()
    usb.present = [READER, SCANNER]
    const { s, sent } = service(freshDb(), usb)
    await s.configure(chooseScanner({ normalisation: { prints: 'hex', reverseBytes: true, uidBytes: 4, output: 'hex' } }))
    await until('connected', () => s.state() === 'connected')
    expect((await s.status()).open).toMatchObject({ path: SCANNER.path, mode: 'hid-pos' })
    const handle = usb.open_ as FakeHandle

    for (const report of scannedReports('1C3BA204', ']A0')) handle.emit('data', report)
    expect(sent).toContainEqual({ event: 'reader.card', payload: { cardNumber: '04A23B1C' } })
    expect(sent).toContainEqual({ event: 'reader.read', payload: expect.objectContaining({ source: 'hid', raw: '1C3BA204', outcome: { kind: 'card', cardNumber: '04A23B1C' } }) })

    // A product barcode split over two reports is the product, not a card.
    const cards = sent.filter((e) => e.event === 'reader.card').length
    for (const report of scannedReports('5790000000012', ']E0', 7)) handle.emit('data', report)
    expect(sent.at(-1)).toEqual({ event: 'reader.read', payload: expect.objectContaining({ outcome: { kind: 'product', barcode: '5790000000012', productId: 'p-water', productName: 'Vand' } }) })
    expect(sent.filter((e) => e.event === 'reader.card')).toHaveLength(cards)

    // Key reports are not what this device speaks: a boot-keyboard report is no read at all.
    const before = sent.length
    swipe(handle, '4711\n')
    expect(sent.slice(before).filter((e) => e.event === 'reader.card' || e.event === 'reader.read')).toEqual([])
  })

  it('reports a HID-POS read it cannot trust (a lying length byte, a lost final part) and emits no card', async () => {
    const usb = new FakeUsb()
    usb.present = [SCANNER]
    const { s, sent } = service(freshDb(), usb)
    await s.configure(chooseScanner({ gapMs: 30 }))
    await until('connected', () => s.state() === 'connected')
    const handle = usb.open_ as FakeHandle
    const [lying] = scannedReports('0012345678', ']A0')
    ;(lying as Buffer)[1] = 200
    handle.emit('data', lying)
    const [first] = scannedReports('0012345678', ']A0', 5)
    handle.emit('data', first)
    await until('the gap ends the split read', () => sent.filter((e) => e.event === 'reader.read').length === 2)
    const reads = sent.filter((e) => e.event === 'reader.read').map((e) => (e.payload as { outcome: unknown }).outcome)
    expect(reads).toEqual([
      { kind: 'unreadable', reason: 'garbage' },
      { kind: 'unreadable', reason: 'incomplete' },
    ])
    expect(sent.some((e) => e.event === 'reader.card')).toBe(false)
  })

  it('opens the HID-POS collection chosen again after a replug, not the same scanner\'s keyboard collection', async () => {
    const usb = new FakeUsb()
    // Windows lists one entry per top-level collection, with the same ids and interface.
    const asKeyboard: HidDeviceInfo = { ...SCANNER, path: 'kbd-1', usagePage: 1, usage: 6 }
    usb.present = [asKeyboard, { ...SCANNER, path: 'pos-1' }]
    const { s, sent } = service(freshDb(), usb)
    await s.configure(chooseScanner({ device: { vendorId: SCANNER.vendorId, productId: SCANNER.productId, path: 'pos-1', interface: 0, product: 'Voyager 1450g', usagePage: 0x8c } }))
    await until('connected', () => s.state() === 'connected')

    usb.present = [{ ...asKeyboard, path: 'kbd-2' }, { ...SCANNER, path: 'pos-2' }]
    ;(usb.open_ as FakeHandle).emit('error', new Error('could not read from HID device'))
    await until('reconnected', () => s.state() === 'connected' && usb.handles.length === 2)
    expect((await s.status()).open).toMatchObject({ path: 'pos-2', mode: 'hid-pos' })
    for (const report of scannedReports('DEMO0004', ']A0')) (usb.open_ as FakeHandle).emit('data', report)
    expect(sent).toContainEqual({ event: 'reader.card', payload: { cardNumber: 'DEMO0004' } })
  })

  it('opens a reader chosen by an older version, whose saved choice has no usage page', async () => {
    const db = freshDb()
    const { device, ...rest } = chooseReader()
    const { normalisation, ...stored } = rest
    setSetting(db, 'reader_config', JSON.stringify({ ...stored, device, normalisations: { 'usb:0c27:3bfa': normalisation } }))
    const usb = new FakeUsb()
    usb.present = [KEYBOARD, READER]
    const { s, sent } = service(db, usb)
    expect((await s.status()).config.device).toEqual(device)
    await until('connected', () => s.state() === 'connected')
    swipe(usb.open_ as FakeHandle, 'DEMO0005\n')
    expect(sent).toContainEqual({ event: 'reader.card', payload: { cardNumber: 'DEMO0005' } })
  })
})
