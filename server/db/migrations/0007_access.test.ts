import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb } from '../../../test/support/server'
import { migrate, type Db } from '..'
import { MIGRATIONS } from '.'

describe('migration 0007 on a database written before it', () => {
  let db: Db
  beforeAll(async () => {
    db = await openTestDb()
    await migrate(
      db,
      MIGRATIONS.filter((m) => m.version < 7),
    )
    // What the server wrote without KANTINE_CPR_KEY: its key beside the hashes, last four digits in clear.
    await db.exec(`
      INSERT INTO server_secrets (name, value) VALUES ('cpr-hmac-key', 'a-key-anyone-with-a-copy-has');
      INSERT INTO municipalities (id, name) VALUES ('m-old', 'Gammelby');
      INSERT INTO holders (id, municipality_id, name, cpr_hmac, cpr_last4) VALUES ('h-old', 'm-old', 'Ole', 'deadbeef', '1234');
      INSERT INTO accounts (id, holder_id, municipality_id) VALUES ('acc-old', 'h-old', 'm-old');
    `)
    await migrate(db)
  })
  afterAll(() => db.close())

  it('drops the last four digits, the in-database key and the hashes made under it', async () => {
    const columns = await db.query<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_name = 'holders' AND table_schema = current_schema()`)
    expect(columns.rows.map((c) => c.column_name)).not.toContain('cpr_last4')
    expect((await db.query(`SELECT 1 FROM server_secrets WHERE name = 'cpr-hmac-key'`)).rows).toEqual([])
    expect((await db.query<{ cpr_hmac: string | null; name: string }>(`SELECT name, cpr_hmac FROM holders WHERE id = 'h-old'`)).rows).toEqual([{ name: 'Ole', cpr_hmac: null }])
  })

  it('adds the admin tokens, the retry columns of the auto top-up queue and the simulated provider state', async () => {
    await db.query(`INSERT INTO admin_tokens (id, person, municipality_id, token_hash, created_by) VALUES (gen_random_uuid(), 'Pia', 'm-old', 'h', 'cli')`)
    await expect(db.query(`INSERT INTO admin_tokens (id, person, municipality_id, token_hash, created_by) VALUES (gen_random_uuid(), '', NULL, 'h2', 'cli')`)).rejects.toThrow()
    const cols = await db.query<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_name = 'topup_jobs' AND table_schema = current_schema()`)
    expect(cols.rows.map((c) => c.column_name)).toEqual(expect.arrayContaining(['attempts', 'next_attempt_at', 'last_error']))
    await db.query(`INSERT INTO sim_provider_agreements (id, card_token, active) VALUES ('sim_agr_1', 'tok_visa', true)`)
  })
})
