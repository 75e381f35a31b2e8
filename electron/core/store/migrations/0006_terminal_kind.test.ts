import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openTill } from '../../till'
import { openDb } from '../db'
import { getSetting, setSetting } from '../settings'
import { MIGRATIONS } from '.'

const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'kantine-kind-'))
  dirs.push(d)
  return d
}

describe('till migration 0006: the terminal kind', () => {
  it('marks a folder enrolled before kiosks existed as a till’s, which then never opens as a kiosk', async () => {
    const dir = tmp()
    const old = openDb(dir, MIGRATIONS.slice(0, 5))
    setSetting(old, 'device_token', 'x'.repeat(43))
    old.close()
    const db = openDb(dir)
    expect(getSetting(db, 'terminal_kind')).toBe('till')
    db.close()
    await expect(openTill({ dataDir: dir, terminalKind: 'kiosk' })).rejects.toThrow(/belongs to a till/)
  })

  it('leaves a folder that never enrolled without a kind: its first start decides', async () => {
    const dir = tmp()
    openDb(dir, MIGRATIONS.slice(0, 5)).close()
    const db = openDb(dir)
    expect(getSetting(db, 'terminal_kind')).toBeNull()
    db.close()
    const kiosk = await openTill({ dataDir: dir, terminalKind: 'kiosk' })
    const info = await kiosk.dispatch('app.info', {})
    await kiosk.close()
    expect(info).toMatchObject({ ok: true, value: { terminalKind: 'kiosk' } })
  })
})
