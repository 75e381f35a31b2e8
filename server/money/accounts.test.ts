import { beforeAll, describe, expect, it } from 'vitest'
import { accountSummary, blockAccount, depositByAdmin, unblockAccount } from './accounts'
import { ledgerSum } from './ledger'
import { LockOrderError, lockEntities } from './locks'
import { serverSuite } from '../../test/support/server-suite'
import { api, pullAll, type Fixture, type Till } from '../../test/support/server'
import { write } from '../platform/tx'

describe('the back office manages an account', () => {
  const s = serverSuite()
  let f: Fixture
  let till: Till
  let cursor: string

  beforeAll(async () => {
    const canteen = await s.canteen()
    f = canteen.f
    till = canteen.till
    cursor = (await pullAll(s.server, till)).cursor
  })

  /** What the till learns at its next pull. */
  async function tillSees() {
    const page = await pullAll(s.server, till, cursor)
    cursor = page.cursor
    return page.changes
  }

  const auditActions = async (accountId: string) =>
    (await s.db.query<{ action: string }>('SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY id', [accountId])).rows.map((r) => r.action)

  it('blocks an account: the till learns it at its next pull, and the audit log says who', async () => {
    expect(await blockAccount(s.server.ctx, f.alice.accountId, 'guardian:anna')).toEqual({ ok: true, value: { status: 'blocked', changed: true } })
    const changes = await tillSees()
    expect(changes).toEqual([{ entity: 'account', id: f.alice.accountId, data: expect.objectContaining({ status: 'blocked', balance: 10000 }) }])
    const { rows } = await s.db.query('SELECT actor, action FROM audit_log WHERE entity_id = $1', [f.alice.accountId])
    expect(rows).toEqual([{ actor: 'guardian:anna', action: 'account.block' }])
  })

  it('writes nothing when the account already has that status', async () => {
    expect(await blockAccount(s.server.ctx, f.alice.accountId)).toEqual({ ok: true, value: { status: 'blocked', changed: false } })
    expect(await tillSees()).toEqual([])
  })

  it('takes no deposit on a blocked account', async () => {
    expect(await depositByAdmin(s.server.ctx, f.alice.accountId, 5000)).toEqual({ ok: false, reason: 'account-blocked' })
    const r = await api(s.server, 'POST', `/admin/accounts/${f.alice.accountId}/deposit`, { token: s.server.adminToken, body: { amount: 5000 } })
    expect(r).toMatchObject({ status: 409, body: { error: 'account-blocked' } })
    expect((await accountSummary(s.server.ctx, f.alice.accountId))!.balance).toBe(10000)
  })

  it('unblocks it and books a deposit: ledger entry, balance, change row and audit in one go', async () => {
    expect(await unblockAccount(s.server.ctx, f.alice.accountId)).toMatchObject({ ok: true })
    const r = await api(s.server, 'POST', `/admin/accounts/${f.alice.accountId}/deposit`, { token: s.server.adminToken, body: { amount: 5000, note: 'kontant' } })
    expect(r).toMatchObject({ status: 200, body: { balance: 15000 } })
    const summary = (await accountSummary(s.server.ctx, f.alice.accountId))!
    expect(summary.ledger[0]).toMatchObject({ kind: 'adjustment', amount: 5000, note: 'kontant' })
    expect(await ledgerSum(s.db, f.alice.accountId)).toBe(summary.balance)
    const changes = await tillSees()
    expect(changes.at(-1)).toMatchObject({ entity: 'account', id: f.alice.accountId, data: { status: 'active', balance: 15000 } })
    expect(await auditActions(f.alice.accountId)).toEqual(['account.block', 'account.unblock', 'account.deposit'])
  })

  it('refuses an amount that is not positive whole kroner, and an unknown account', async () => {
    expect(await depositByAdmin(s.server.ctx, f.bob.accountId, 1050)).toEqual({ ok: false, reason: 'amount-invalid' })
    expect(await depositByAdmin(s.server.ctx, f.bob.accountId, -100)).toEqual({ ok: false, reason: 'amount-invalid' })
    expect(await depositByAdmin(s.server.ctx, 'acc-nobody', 100)).toEqual({ ok: false, reason: 'account-unknown' })
    const r = await api(s.server, 'POST', '/admin/accounts/acc-nobody/block', { token: s.server.adminToken })
    expect(r).toMatchObject({ status: 404, body: { error: 'not-found' } })
  })

  it('keeps the lock-before-write rule: a lock taken after a write is a bug, caught at once', async () => {
    await expect(
      write(s.server.ctx, async (tx) => {
        await tx.query(`INSERT INTO audit_log (actor, action) VALUES ('test', 'probe')`)
        await lockEntities(tx, ['account:x'])
      }),
    ).rejects.toBeInstanceOf(LockOrderError)
  })
})
