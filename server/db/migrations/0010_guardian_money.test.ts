import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb } from '../../../test/support/server'
import { migrate, type Db } from '..'
import { MIGRATIONS } from '.'

describe('migration 0010 on a database written before it', () => {
  let db: Db
  beforeAll(async () => {
    db = await openTestDb()
    await migrate(
      db,
      MIGRATIONS.filter((m) => m.version < 10),
    )
    await db.exec(`
      INSERT INTO municipalities (id, name) VALUES ('m-old', 'Gammelby');
      INSERT INTO holders (id, municipality_id, name) VALUES ('h-old', 'm-old', 'Hans');
      INSERT INTO accounts (id, holder_id, municipality_id, balance) VALUES ('a-old', 'h-old', 'm-old', 10000);
      INSERT INTO payouts (id, account_id, name, reg_no, account_no, amount, status)
        VALUES ('00000000-0000-4000-8000-000000000001', 'a-old', 'Hans', '1234', '567', 1000, 'requested'),
               ('00000000-0000-4000-8000-000000000002', 'a-old', 'Hans', '1234', '567', 1000, 'paid');
    `)
    await migrate(db)
  })
  afterAll(() => db.close())

  it('turns requested and paid payouts into pending and settled bank payouts', async () => {
    const { rows } = await db.query<{ status: string; kind: string; settled: boolean }>('SELECT status, kind, settled_at IS NOT NULL AS settled FROM payouts ORDER BY id')
    expect(rows).toEqual([
      { status: 'pending', kind: 'bank', settled: false },
      { status: 'settled', kind: 'bank', settled: true },
    ])
  })

  it('takes a NemKonto payout without bank details, and refuses a bank payout without them', async () => {
    await db.query(`INSERT INTO payouts (id, account_id, kind, amount) VALUES ('00000000-0000-4000-8000-000000000003', 'a-old', 'nemkonto', 500)`)
    await expect(db.query(`INSERT INTO payouts (id, account_id, kind, amount) VALUES ('00000000-0000-4000-8000-000000000004', 'a-old', 'bank', 500)`)).rejects.toThrow()
    await expect(
      db.query(`INSERT INTO payouts (id, account_id, kind, amount, status) VALUES ('00000000-0000-4000-8000-000000000005', 'a-old', 'nemkonto', 500, 'requested')`),
    ).rejects.toThrow()
  })

  it('adds the mail outbox, card orders and the auto top-up agreement’s retry key', async () => {
    await db.query(`INSERT INTO mail_outbox (to_address, subject, body, kind, dedupe_key, created_at) VALUES ('a@example.dk', 's', 'b', 'receipt', 'k', now())`)
    await expect(db.query(`INSERT INTO mail_outbox (to_address, subject, body, kind, dedupe_key, created_at) VALUES ('a@example.dk', 's', 'b', 'receipt', 'k', now())`)).rejects.toThrow()
    await db.query(`UPDATE accounts SET topup_idempotency_key = 'key' WHERE id = 'a-old'`)
    expect((await db.query('SELECT * FROM card_orders')).rows).toEqual([])
  })
})
