import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb } from '../../test/support/server'
import { MIGRATIONS, UnknownMigrationError, migrate, type Db } from '.'
import { IDLE_IN_TRANSACTION_MS } from './pg'

describe('the database', () => {
  let db: Db
  beforeAll(async () => {
    db = await openTestDb()
  })
  afterAll(() => db.close())

  it('upgrades an old database step by step: one made by 0001 keeps its data and gains 0002', async () => {
    expect(await migrate(db, MIGRATIONS.slice(0, 1))).toEqual([1])
    await db.exec(`
      INSERT INTO municipalities (id, name) VALUES ('m-old', 'Gammelby');
      INSERT INTO holders (id, municipality_id, name) VALUES ('h-old', 'm-old', 'Ole');
      INSERT INTO accounts (id, holder_id, municipality_id) VALUES ('acc-old', 'h-old', 'm-old');
    `)
    expect(await migrate(db)).toEqual(MIGRATIONS.slice(1).map((m) => m.version))
    const { rows } = await db.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version')
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })))
    // 0002's tables work with 0001's rows.
    await db.query(`INSERT INTO payments (id, account_id, kind, amount, status) VALUES (gen_random_uuid(), 'acc-old', 'deposit', 10000, 'created')`)
    const accounts = await db.query<{ id: string; balance: number }>(`SELECT id, balance FROM accounts WHERE id = 'acc-old'`)
    expect(accounts.rows).toEqual([{ id: 'acc-old', balance: 0 }])
  })

  it('0005 gives change-log accounts their photo id in place of the photo (sync schema 2)', async () => {
    const old = await openTestDb()
    try {
      await migrate(old, MIGRATIONS.slice(0, 4))
      const photo = 'data:image/svg+xml;base64,PHN2Zy8+'
      await old.query(`INSERT INTO municipalities (id, name) VALUES ('m-p', 'Fotoby')`)
      await old.query(`INSERT INTO holders (id, municipality_id, name, photo) VALUES ('h-p', 'm-p', 'Pia', $1)`, [photo])
      await old.query(
        `INSERT INTO changes (municipality_id, entity, entity_id, payload) VALUES ('m-p', 'account', 'a-p', $1::text::jsonb), ('m-p', 'account', 'a-q', $2::text::jsonb)`,
        [JSON.stringify({ holderName: 'Pia', photo }), JSON.stringify({ holderName: 'Quinn', photo: null })],
      )
      await migrate(old)
      const { rows } = await old.query<{ payload: Record<string, unknown> }>(`SELECT payload FROM changes WHERE municipality_id = 'm-p' ORDER BY entity_id`)
      const id = createHash('sha256').update(photo).digest('hex')
      expect(rows.map((r) => r.payload)).toEqual([
        { holderName: 'Pia', photoId: id },
        { holderName: 'Quinn', photoId: null },
      ])
      const holder = await old.query<{ photo_id: string }>(`SELECT photo_id FROM holders WHERE id = 'h-p'`)
      expect(holder.rows[0]?.photo_id).toBe(id)
    } finally {
      await old.close()
    }
  })

  it('applies nothing the second time', async () => {
    expect(await migrate(db)).toEqual([])
  })

  it('refuses to start on a database with a migration the code does not know (written by a newer server)', async () => {
    await db.query(`INSERT INTO schema_migrations (version, name) VALUES (999, 'from_the_future')`)
    await expect(migrate(db)).rejects.toBeInstanceOf(UnknownMigrationError)
    await db.query('DELETE FROM schema_migrations WHERE version = 999')
    expect(await migrate(db)).toEqual([])
  })

  it('returns bigint and numeric results as JS numbers, and refuses to round a huge one', async () => {
    const { rows } = await db.query<{ a: number; b: number; c: number[]; s: number }>(
      `SELECT 9007199254740991::int8 AS a, 12.5::numeric AS b, ARRAY[1, 2]::int8[] AS c, sum(x)::numeric AS s FROM (VALUES (1::int8), (2::int8)) v(x)`,
    )
    expect(rows[0]).toEqual({ a: 9007199254740991, b: 12.5, c: [1, 2], s: 3 })
    await expect(db.query('SELECT 9007199254740993::int8 AS too_big')).rejects.toThrow(/safe/)
  })

  it('rolls a transaction back when it throws', async () => {
    await db.query(`INSERT INTO municipalities (id, name) VALUES ('m-rollback-probe', 'x') ON CONFLICT DO NOTHING`)
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`UPDATE municipalities SET name = 'changed' WHERE id = 'm-rollback-probe'`)
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    const { rows } = await db.query<{ name: string }>(`SELECT name FROM municipalities WHERE id = 'm-rollback-probe'`)
    expect(rows[0]?.name).toBe('x')
  })

  it.skipIf(!process.env.KANTINE_TEST_DATABASE_URL)('ends a transaction of ours left idle for longer than the limit (it would hold back every pull)', async () => {
    const { rows } = await db.query<{ setting: string }>(`SELECT current_setting('idle_in_transaction_session_timeout') AS setting`)
    expect(rows[0]?.setting).toBe(`${IDLE_IN_TRANSACTION_MS / 1000}s`)
  })

  describe('the ledger is append-only', () => {
    beforeAll(async () => {
      await db.exec(`
        INSERT INTO municipalities (id, name) VALUES ('m-ledger', 'Ledgerby');
        INSERT INTO holders (id, municipality_id, name) VALUES ('h-ledger', 'm-ledger', 'Lea');
        INSERT INTO accounts (id, holder_id, municipality_id) VALUES ('acc-ledger', 'h-ledger', 'm-ledger');
        INSERT INTO ledger (account_id, kind, amount) VALUES ('acc-ledger', 'deposit', 10000);
      `)
    })

    it('refuses to UPDATE an entry', async () => {
      await expect(db.query(`UPDATE ledger SET amount = 1 WHERE account_id = 'acc-ledger'`)).rejects.toThrow(/append-only/)
    })

    it('refuses to DELETE an entry', async () => {
      await expect(db.query(`DELETE FROM ledger WHERE account_id = 'acc-ledger'`)).rejects.toThrow(/append-only/)
    })

    it('refuses to TRUNCATE it', async () => {
      await expect(db.query('TRUNCATE ledger CASCADE')).rejects.toThrow(/append-only/)
    })

    it('refuses an entry whose sign does not fit its kind (a purchase that adds money)', async () => {
      await expect(db.query(`INSERT INTO ledger (account_id, kind, amount) VALUES ('acc-ledger', 'purchase', 500)`)).rejects.toThrow()
    })
  })
})
