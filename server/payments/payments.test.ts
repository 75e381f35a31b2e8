import { describe, expect, it } from 'vitest'
import { accountSummary, blockAccount } from '../money/accounts'
import { serverSuite } from '../../test/support/server-suite'
import { pullAll, pushAs, sale, uniqueSuffix, type Fixture,  } from '../../test/support/server'
import { createTopupAgreement } from './auto-topup'
import { completeDeposit, startDeposit, type DepositRequest } from './deposits'
import { SimulatedProvider, TEST_CARDS } from './simulated'

describe('money in: top-ups by payment card and auto top-up', () => {
  const provider = new SimulatedProvider({ captureDelayMs: 5 })
  const suite = serverSuite({ payments: provider })
  const canteen = () => suite.canteen()
  const summary = async (accountId: string) => (await accountSummary(suite.server.ctx, accountId))!
  const deposit = (f: Fixture, o: Partial<DepositRequest> = {}): DepositRequest => ({
    accountId: f.alice.accountId,
    amount: 10000,
    cardToken: TEST_CARDS.ok,
    receiptEmail: 'anna@example.dk',
    acceptedTerms: true,
    idempotencyKey: uniqueSuffix(),
    ...o,
  })

  describe('a guardian tops up', () => {
    it('books the money when the provider confirms the capture, not before', async () => {
      const { f, till } = await canteen()
      const cursor = (await pullAll(suite.server, till)).cursor
      const started = await startDeposit(suite.server.ctx, deposit(f))
      expect(started).toEqual({ ok: true, value: { paymentId: expect.any(String), status: 'capture-pending' } })
      expect((await summary(f.alice.accountId)).balance).toBe(10000)

      await suite.server.ctx.idle()
      const s = await summary(f.alice.accountId)
      expect(s.balance).toBe(20000)
      expect(s.ledger[0]).toMatchObject({ kind: 'deposit', amount: 10000, paymentRef: started.ok ? started.value.paymentId : '' })
      const { changes } = await pullAll(suite.server, till, cursor)
      expect(changes).toEqual([expect.objectContaining({ entity: 'account', id: f.alice.accountId, data: expect.objectContaining({ balance: 20000 }) })])
    })

    it('pays once for a retried request, and books a capture reported twice once', async () => {
      const { f } = await canteen()
      const request = deposit(f)
      const first = await startDeposit(suite.server.ctx, request)
      const retry = await startDeposit(suite.server.ctx, request)
      expect(retry.ok && first.ok && retry.value.paymentId).toBe(first.ok && first.value.paymentId)
      await suite.server.ctx.idle()
      const { rows } = await suite.db.query<{ provider_ref: string }>('SELECT provider_ref FROM payments WHERE account_id = $1', [f.alice.accountId])
      expect(rows).toHaveLength(1)
      expect(await completeDeposit(suite.server.ctx, rows[0]!.provider_ref)).toBe('already-booked')
      expect((await summary(f.alice.accountId)).balance).toBe(20000)
    })

    it('refuses a declined payment card with the reason, and books nothing', async () => {
      const { f } = await canteen()
      expect(await startDeposit(suite.server.ctx, deposit(f, { cardToken: TEST_CARDS.expired }))).toEqual({ ok: false, reason: 'card-expired' })
      expect(await startDeposit(suite.server.ctx, deposit(f, { cardToken: TEST_CARDS.insufficientFunds }))).toEqual({ ok: false, reason: 'insufficient-funds' })
      await suite.server.ctx.idle()
      expect((await summary(f.alice.accountId)).balance).toBe(10000)
    })

    it('takes no deposit on a blocked account, and does not even ask the provider', async () => {
      const { f } = await canteen()
      await blockAccount(suite.server.ctx, f.alice.accountId)
      expect(await startDeposit(suite.server.ctx, deposit(f))).toEqual({ ok: false, reason: 'account-blocked' })
      const { rows } = await suite.db.query('SELECT 1 FROM payments WHERE account_id = $1', [f.alice.accountId])
      expect(rows).toHaveLength(0)
    })

    it('needs whole kroner, a receipt e-mail and accepted terms', async () => {
      const { f } = await canteen()
      expect(await startDeposit(suite.server.ctx, deposit(f, { amount: 10050 }))).toEqual({ ok: false, reason: 'amount-invalid' })
      expect(await startDeposit(suite.server.ctx, deposit(f, { receiptEmail: 'nope' }))).toEqual({ ok: false, reason: 'email-invalid' })
      expect(await startDeposit(suite.server.ctx, deposit(f, { acceptedTerms: false }))).toEqual({ ok: false, reason: 'terms-not-accepted' })
    })
  })

  describe('auto top-up after a purchase at a till', () => {
    /** Alice with an agreement of 200 kr on her own saved card. */
    async function withAgreement() {
      const c = await canteen()
      const cardToken = `tok_visa_${uniqueSuffix()}`
      const agreement = await createTopupAgreement(suite.server.ctx, { accountId: c.f.alice.accountId, cardToken, amount: 20000, idempotencyKey: uniqueSuffix() })
      expect(agreement.ok).toBe(true)
      return { ...c, cardToken }
    }
    const kinds = async (accountId: string) => (await summary(accountId)).ledger.map((l) => l.kind).reverse()

    it('charges the agreed amount when the balance at the purchase was under 50 kr', async () => {
      const { f, till } = await withAgreement()
      // 100 kr before: no top-up. Then 25 kr before: top-up.
      await pushAs(suite.server, till, [sale(f, 1, { lines: [{ ...f.products.bun, qty: 5 }] })])
      await suite.server.ctx.idle()
      expect((await summary(f.alice.accountId)).balance).toBe(2500)
      await pushAs(suite.server, till, [sale(f, 2)])
      await suite.server.ctx.idle()
      expect((await summary(f.alice.accountId)).balance).toBe(2500 - 1500 + 20000)
      expect(await kinds(f.alice.accountId)).toEqual(['deposit', 'purchase', 'purchase', 'auto_topup'])
      // The till learns the new balance at its next pull.
      const { changes } = await pullAll(suite.server, till)
      const last = changes.filter((c) => c.id === f.alice.accountId).at(-1)
      expect(last).toMatchObject({ data: { balance: 21000 } })
    })

    it('tops up once for a burst of purchases under 50 kr', async () => {
      const { f, till } = await withAgreement()
      await pushAs(suite.server, till, [sale(f, 1, { lines: [{ ...f.products.bun, qty: 5 }] })])
      await pushAs(suite.server, till, [sale(f, 2), sale(f, 3), sale(f, 4)])
      await suite.server.ctx.idle()
      expect((await kinds(f.alice.accountId)).filter((k) => k === 'auto_topup')).toHaveLength(1)
    })

    it('fails on an expired saved card: nothing booked, agreement marked failed, audited; the sale stands', async () => {
      const { f, till, cardToken } = await withAgreement()
      provider.setCardState(cardToken, 'card-expired')
      const r = await pushAs(suite.server, till, [sale(f, 1, { lines: [{ ...f.products.bun, qty: 6 }] }), sale(f, 2)])
      expect(r.body.results.map((x: { status: string }) => x.status)).toEqual(['applied', 'applied'])
      await suite.server.ctx.idle()
      expect(await kinds(f.alice.accountId)).toEqual(['deposit', 'purchase', 'purchase'])
      const { rows } = await suite.db.query<{ topup_status: string }>('SELECT topup_status FROM accounts WHERE id = $1', [f.alice.accountId])
      expect(rows[0]!.topup_status).toBe('failed')
      const audit = await suite.db.query<{ action: string; details: { reason: string } }>(`SELECT action, details FROM audit_log WHERE entity_id = $1 AND action LIKE 'auto-topup.%' ORDER BY id`, [
        f.alice.accountId,
      ])
      expect(audit.rows.map((a) => [a.action, a.details.reason ?? null])).toEqual([
        ['auto-topup.agreement', null],
        ['auto-topup.failed', 'card-expired'],
      ])
    })

    it('fails when the canteen card is blocked (an offline sale on a blocked account)', async () => {
      const { f, till } = await withAgreement()
      await pushAs(suite.server, till, [sale(f, 1, { lines: [{ ...f.products.bun, qty: 5 }] })])
      await suite.server.ctx.idle()
      await blockAccount(suite.server.ctx, f.alice.accountId)
      const r = await pushAs(suite.server, till, [sale(f, 2, { offline: true })])
      expect(r.body.results[0]).toMatchObject({ status: 'applied', flags: ['blocked'] })
      await suite.server.ctx.idle()
      expect(await kinds(f.alice.accountId)).toEqual(['deposit', 'purchase', 'purchase'])
      const { rows } = await suite.db.query<{ failure: string }>('SELECT failure FROM topup_jobs WHERE account_id = $1', [f.alice.accountId])
      expect(rows).toEqual([{ failure: 'account-blocked' }])
    })
  })
})
