import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate, type Db } from '../db'
import { openTestDb } from '../../test/support/server'
import { DEMO_CPR_KEY, checkCprKey, resolveCprKey } from './crypto'

const KEY = 'k'.repeat(40)

describe('the CPR key comes from outside the database', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kantine-cpr-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('is read from KANTINE_CPR_KEY, else from a key file; the demo gets the named demo key; otherwise there is none', async () => {
    const file = join(dir, 'cpr.key')
    await writeFile(file, `${KEY}\n`)
    expect(await resolveCprKey({ env: { KANTINE_CPR_KEY: KEY }, demo: false })).toEqual({ ok: true, value: { key: KEY, source: 'KANTINE_CPR_KEY' } })
    expect(await resolveCprKey({ env: {}, keyFile: file, demo: false })).toMatchObject({ ok: true, value: { key: KEY } })
    expect(await resolveCprKey({ env: { KANTINE_CPR_KEY_FILE: file }, demo: false })).toMatchObject({ ok: true, value: { key: KEY } })
    expect(await resolveCprKey({ env: {}, demo: true })).toMatchObject({ ok: true, value: { key: DEMO_CPR_KEY } })
    expect(await resolveCprKey({ env: {}, demo: false })).toMatchObject({ ok: false, reason: expect.stringMatching(/^no CPR key/) })
    expect(await resolveCprKey({ env: { KANTINE_CPR_KEY: 'short' }, demo: true })).toMatchObject({ ok: false, reason: expect.stringMatching(/too short/) })
  })
})

describe('a database remembers which CPR key it was started with (not the key itself)', () => {
  let db: Db
  beforeAll(async () => {
    db = await openTestDb()
    await migrate(db)
  })
  afterAll(() => db.close())

  it('accepts the same key again and refuses another one, so lookups never fail silently', async () => {
    expect(await checkCprKey(db, KEY)).toEqual({ ok: true, value: undefined })
    expect(await checkCprKey(db, KEY)).toEqual({ ok: true, value: undefined })
    expect(await checkCprKey(db, 'x'.repeat(40))).toEqual({ ok: false, reason: 'cpr-key-changed' })
    const { rows } = await db.query<{ value: string }>('SELECT value FROM server_secrets')
    for (const { value } of rows) expect(value).not.toContain(KEY)
  })
})
